// The loopback HTTP(S) server every emulator is built on: it records each request (for
// "exactly one request" assertions), applies queued transport faults, and only ever binds
// 127.0.0.1 so no test can reach beyond the machine.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path plus query string, exactly as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
  receivedAt: number;
}

/** A fault that replaces one normal answer. Service-specific faults are plain handlers. */
export type TransportFault =
  | { kind: 'status'; status: number; body?: string | Buffer; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'oversized'; bytes: number; contentType?: string }
  | { kind: 'redirect'; location: string; status?: number };

export type Handler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

export interface TlsOptions {
  key: string;
  cert: string;
}

export interface EmulatorServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Faults consumed one per request, before the service logic sees it. */
  readonly faults: TransportFault[];
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

export async function startServer(
  handler: Handler,
  options: { tls?: TlsOptions; port?: number; hostname?: string } = {},
): Promise<EmulatorServer> {
  const requests: RecordedRequest[] = [];
  const faults: TransportFault[] = [];
  const sockets = new Set<Socket>();

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        remoteAddress: req.socket.remoteAddress ?? '',
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      const fault = faults.shift();
      if (fault) {
        applyFault(fault, req, res);
        return;
      }
      Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`emulator error: ${String(error)}`);
      });
    });
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : http.createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A TLS handshake the client aborts (untrusted certificate) is the client's business, not a crash.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${options.hostname ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function applyFault(fault: TransportFault, req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (fault.kind) {
    case 'status':
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'hang':
      // Never answer; the socket is destroyed when the server closes.
      return;
    case 'oversized': {
      res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let remaining = fault.bytes;
      const pump = (): void => {
        while (remaining > 0) {
          const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
          remaining -= piece.length;
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
      return;
    }
    case 'redirect':
      res.writeHead(fault.status ?? 307, { location: fault.location });
      res.end();
      return;
  }
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
