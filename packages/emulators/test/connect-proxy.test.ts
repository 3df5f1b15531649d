import { createHttpTransport } from '@cloudcreds/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConnectProxy } from '../src/connect-proxy.ts';
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
});
