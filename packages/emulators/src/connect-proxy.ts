// A forward proxy for tests that never resolves a name: every CONNECT (and every absolute-URI
// request) is tunnelled to a loopback port chosen by the requested host, and logged. This is what
// lets a test keep an action's real default hostname (swr-api.cn-north-4.myhuaweicloud.com) while
// all traffic stays on 127.0.0.1; tinyproxy or squid would look the name up off the machine.
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface ProxiedConnection {
  /** `host:port` exactly as the client asked for it. */
  target: string;
  method: 'CONNECT' | 'FORWARD';
  proxyAuthorization?: string;
}

export interface ConnectProxy {
  readonly url: string;
  readonly port: number;
  readonly log: ProxiedConnection[];
  close(): Promise<void>;
}

/** `routes` maps a requested `host:port` to the loopback port that serves it; others get 502. */
export async function startConnectProxy(routes: Record<string, number>): Promise<ConnectProxy> {
  const log: ProxiedConnection[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    // Plain-HTTP proxying (absolute URI); only used for http:// endpoints.
    const target = URL.canParse(req.url ?? '') ? new URL(req.url ?? '') : undefined;
    const key = target ? `${target.hostname}:${target.port || '80'}` : '';
    log.push({ target: key, method: 'FORWARD', ...authOf(req) });
    const port = routes[key];
    if (!target || port === undefined) {
      res.writeHead(502).end('no route');
      return;
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    log.push({ target, method: 'CONNECT', ...authOf(req) });
    const port = routes[target];
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function authOf(req: http.IncomingMessage): { proxyAuthorization?: string } {
  const value = req.headers['proxy-authorization'];
  return value ? { proxyAuthorization: value } : {};
}
