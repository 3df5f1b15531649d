import http from 'node:http';
import { createHttpTransport } from '@cloudcreds/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConnectProxy, DEFAULT_PROXY_REALM, startConnectProxy } from '../src/connect-proxy.ts';
import { startServer } from '../src/server.ts';
import { createTestCa } from '../src/tls.ts';

describe('CONNECT proxy', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const key of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[key];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('carries a TLS request for a real hostname to a loopback server, without any name lookup', async () => {
    const ca = createTestCa();
    const hostname = 'swr-api.cn-north-4.myhuaweicloud.com';
    const server = await startServer((_req, res) => res.end('through the tunnel'), {
      tls: ca.issue([hostname]),
    });
    const proxy = await startConnectProxy({ [`${hostname}:443`]: server.port });
    process.env['HTTPS_PROXY'] = proxy.url;
    const transport = createHttpTransport({ userAgent: 'test', ca: ca.certPem });
    const response = await transport({ method: 'GET', url: `https://${hostname}/v2` }, { timeoutMs: 5000 });
    await proxy.close();
    await server.close();
    expect(response.body.toString()).toBe('through the tunnel');
    expect(proxy.log).toEqual([{ target: `${hostname}:443`, method: 'CONNECT' }]);
    expect(server.requests[0]?.headers.host).toBe(hostname);
  });

  it('answers 502 for a host it has no route for', async () => {
    const proxy = await startConnectProxy({});
    process.env['HTTPS_PROXY'] = proxy.url;
    const transport = createHttpTransport({ userAgent: 'test' });
    await expect(
      transport({ method: 'GET', url: 'https://unrouted.example.invalid/' }, { timeoutMs: 3000 }),
    ).rejects.toThrow();
    await proxy.close();
    expect(proxy.log.map((entry) => entry.target)).toEqual(['unrouted.example.invalid:443']);
  });

  it('demands its credentials with 407 and Proxy-Authenticate, and tunnels with the right ones', async () => {
    const server = await startServer((_req, res) => res.end('ok'));
    const proxy = await startConnectProxy(
      { 'api.example.test:80': server.port },
      { credentials: { user: 'ci', password: 'pw' } },
    );
    const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
    expect(await connectThrough(proxy, 'api.example.test:80')).toEqual({
      status: 407,
      authenticate: `Basic realm="${DEFAULT_PROXY_REALM}"`,
    });
    expect(await connectThrough(proxy, 'api.example.test:80', basic('ci:wrong'))).toMatchObject({
      status: 407,
    });
    expect(await connectThrough(proxy, 'api.example.test:80', basic('ci:pw'))).toEqual({ status: 200 });
    await proxy.close();
    await server.close();
    expect(proxy.log.map((entry) => entry.proxyAuthorization)).toEqual([
      undefined,
      basic('ci:wrong'),
      basic('ci:pw'),
    ]);
  });

  it('resets a CONNECT, or leaves it unanswered until the client gives up', async () => {
    const resetting = await startConnectProxy({}, { fault: 'reset' });
    expect(await connectThrough(resetting, 'api.example.test:443')).toEqual({ error: 'ECONNRESET' });
    await resetting.close();

    const silent = await startConnectProxy({}, { fault: 'hang' });
    expect(await connectThrough(silent, 'api.example.test:443', undefined, 300)).toEqual({
      error: 'no answer',
    });
    await vi.waitFor(() => expect(silent.openConnections()).toBe(0), { timeout: 1000 });
    await silent.close();
    expect(silent.log).toEqual([{ target: 'api.example.test:443', method: 'CONNECT' }]);
  });
});

/** One raw CONNECT: the proxy's status (and challenge), or how it failed. */
function connectThrough(
  proxy: ConnectProxy,
  target: string,
  authorization?: string,
  waitMs = 3000,
): Promise<{ status?: number; authenticate?: string; error?: string }> {
  return new Promise((resolve) => {
    const request = http.request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: authorization ? { 'proxy-authorization': authorization } : {},
    });
    const timer = setTimeout(() => {
      request.destroy();
      resolve({ error: 'no answer' });
    }, waitMs);
    request.once('connect', (answer: http.IncomingMessage, socket) => {
      clearTimeout(timer);
      socket.destroy();
      const authenticate = answer.headers['proxy-authenticate'];
      resolve({ status: answer.statusCode ?? 0, ...(authenticate ? { authenticate } : {}) });
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: error.code ?? error.message });
    });
    request.end();
  });
}
