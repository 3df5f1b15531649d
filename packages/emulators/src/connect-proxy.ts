// A forward proxy for tests that never resolves a name: every CONNECT (and every absolute-URI
// request) is tunnelled to a loopback port chosen by the requested host, and logged. This is what
// lets a test keep an action's real default hostname (swr-api.cn-north-4.myhuaweicloud.com) while
// all traffic stays on 127.0.0.1; tinyproxy or squid would look the name up off the machine. It can
// also fail the way corporate proxies do: demand credentials (407), reset, or never answer. A proxy
// that is down is simply a closed port.
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface ProxiedConnection {
  /** `host:port` exactly as the client asked for it. */
  target: string;
  method: 'CONNECT' | 'FORWARD';
  proxyAuthorization?: string;
}

/** How the proxy misbehaves; without one it tunnels every request it has a route for. */
export interface ConnectProxyOptions {
  /**
   * Basic credentials the proxy requires: a request without them, or with others, is answered
   * `407 Proxy Authentication Required` with `Proxy-Authenticate: Basic realm="<realm>"`.
   */
  credentials?: { user: string; password: string; realm?: string };
  /** `reset`: every CONNECT is answered with a TCP reset; `hang`: never answered at all. */
  fault?: 'reset' | 'hang';
}

export const DEFAULT_PROXY_REALM = 'corporate proxy';

export interface ConnectProxy {
  readonly url: string;
  readonly port: number;
  readonly log: ProxiedConnection[];
  /** Client connections open now: a client that gave up must not leave one behind. */
  openConnections(): number;
  close(): Promise<void>;
}

/** `routes` maps a requested `host:port` to the loopback port that serves it; others get 502. */
export async function startConnectProxy(
  routes: Record<string, number>,
  options: ConnectProxyOptions = {},
): Promise<ConnectProxy> {
  const log: ProxiedConnection[] = [];
  const sockets = new Set<Socket>();
  const expectedAuthorization = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const authenticationRequired = (req: http.IncomingMessage): string | undefined =>
    expectedAuthorization !== undefined && req.headers['proxy-authorization'] !== expectedAuthorization
      ? `Basic realm="${options.credentials?.realm ?? DEFAULT_PROXY_REALM}"`
      : undefined;
  const server = http.createServer((req, res) => {
    // Plain-HTTP proxying (absolute URI); only used for http:// endpoints.
    const target = URL.canParse(req.url ?? '') ? new URL(req.url ?? '') : undefined;
    const key = target ? `${target.hostname}:${target.port || '80'}` : '';
    log.push({ target: key, method: 'FORWARD', ...authOf(req) });
    if (options.fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (options.fault === 'hang') return;
    const challenge = authenticationRequired(req);
    if (challenge) {
      res.writeHead(407, { 'proxy-authenticate': challenge }).end();
      return;
    }
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
    // The socket is ours now, http.Server no longer listens for its errors.
    client.on('error', () => {});
    if (options.fault === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (options.fault === 'hang') {
      // Silent, but a client that gives up is let go (http.Server keeps sockets half-open).
      client.once('end', () => client.destroy());
      return;
    }
    const challenge = authenticationRequired(req);
    if (challenge) {
      client.end(
        `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${challenge}\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
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
    openConnections: () => sockets.size,
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
