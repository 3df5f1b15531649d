// Behind a corporate proxy: every action, left at its real default hostname (cse-token: a realistic
// engine hostname, it has no default), reaches its emulator only through the CONNECT proxy on
// loopback. The emulator serves TLS for that hostname from a throwaway CA the action trusts, so
// the proxy's log proves the way the request went, and the DNS guard proves nothing was resolved.
import { type ConnectProxy, startConnectProxy } from '@cloudcreds/emulators/connect-proxy';
import { createTestCa, type TestCa } from '@cloudcreds/emulators/tls';
import { findLeaks, NO_LEAKS, type RunResult, runAction } from '@cloudcreds/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionAdapter, ADAPTERS, type InputOverrides, type Target } from './adapters.ts';
import { expectNoLeaks } from './faults.ts';
import { recordRun } from './report.ts';

const PROXY_USER = 'corp-proxy-user';
const PROXY_PASSWORD = 'pr0xy-S3cret-9f2c';
const PROXY_BASIC = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

let ca: TestCa;
beforeAll(() => {
  ca = createTestCa('throwaway proxy-test CA');
});
afterAll(() => Promise.all(ADAPTERS.map((adapter) => adapter.dispose())));

interface Variant {
  name: string;
  tls: boolean;
  proxyEnv(proxy: ConnectProxy): Record<string, string>;
  credentials: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'HTTPS_PROXY', tls: true, credentials: false, proxyEnv: (proxy) => ({ HTTPS_PROXY: proxy.url }) },
  {
    name: 'https_proxy (lower case) with proxy credentials',
    tls: true,
    credentials: true,
    proxyEnv: (proxy) => ({
      https_proxy: proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`),
    }),
  },
  {
    name: 'HTTP_PROXY for an http:// endpoint',
    tls: false,
    credentials: false,
    proxyEnv: (proxy) => ({ HTTP_PROXY: proxy.url }),
  },
];

async function runThroughProxy(
  adapter: ActionAdapter,
  variant: Variant,
): Promise<{ result: RunResult; target: Target; proxy: ConnectProxy; routeKey: string }> {
  const { hostname } = adapter.realHost;
  const port = variant.tls
    ? adapter.realHost.port
    : adapter.realHost.port === 443
      ? 80
      : adapter.realHost.port;
  const target = await adapter.start(variant.tls ? { tls: ca.issue([hostname]) } : {});
  const routeKey = `${hostname}:${port}`;
  const proxy = await startConnectProxy({ [routeKey]: target.port });
  const overrides: InputOverrides = variant.tls
    ? { ...adapter.realHost.inputs }
    : { ...adapter.realHost.httpInputs };
  // cse-token trusts through its own input; the others through NODE_EXTRA_CA_CERTS, as a runner would.
  const trust: Record<string, string> = {};
  if (variant.tls && adapter.action === 'cse-token') overrides['ca-cert'] = ca.certPath;
  else if (variant.tls) trust['NODE_EXTRA_CA_CERTS'] = ca.certPath;
  const result = await runAction({
    action: adapter.action,
    inputs: target.inputs(overrides),
    env: { ...variant.proxyEnv(proxy), ...trust },
    workspace: target.workspace,
    pathPrefix: target.pathPrefix,
    secrets: [...target.secretInputs, PROXY_PASSWORD],
    killAfterMs: 60_000,
  });
  recordRun(adapter.label, `through a proxy: ${variant.name}`, result, target.requests.length);
  return { result, target, proxy, routeKey };
}

for (const adapter of ADAPTERS) {
  describe.concurrent(`${adapter.label} behind a proxy (built bundle)`, () => {
    for (const variant of VARIANTS) {
      it(`${variant.name}: reaches ${adapter.realHost.hostname} only through the proxy`, async () => {
        const { result, target, proxy, routeKey } = await runThroughProxy(adapter, variant);
        try {
          expect(result.errors).toEqual([]);
          expect(result.exitCode).toBe(0);
          target.expectPublished(result);
          // No name was resolved: runAction itself fails a run whose bundle tried (dns-guard.mjs).
          expect(proxy.log).toEqual([
            {
              target: routeKey,
              method: 'CONNECT',
              ...(variant.credentials ? { proxyAuthorization: PROXY_BASIC } : {}),
            },
          ]);
          expect(target.requests).toHaveLength(1);
          // The Host the service saw is the real name (the default port may be spelled out).
          const [, port] = routeKey.split(':');
          expect([
            routeKey,
            ...(port === '443' || port === '80' ? [adapter.realHost.hostname] : []),
          ]).toContain(target.requests[0]?.headers.host);
          // Proxy credentials are the proxy's business: masked by the action that holds them (its
          // own add-mask line is the only place they appear raw), never sent to the service.
          expect(findLeaks(result, [PROXY_PASSWORD, PROXY_BASIC])).toEqual(NO_LEAKS);
          if (variant.credentials) expect(result.log.masks).toContain(PROXY_PASSWORD);
          expect(target.requests[0]?.headers['proxy-authorization']).toBeUndefined();
          // Not even a DeprecationWarning from the tunnel library's `new Buffer()` for the credentials.
          expect(result.stderr).toBe('');
          expectNoLeaks(result, target, false);
        } finally {
          await proxy.close();
          await target.close();
        }
      });
    }
  });
}
