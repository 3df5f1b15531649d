// A corporate proxy that fails: down, resetting every CONNECT, never answering it, or demanding
// credentials (407). Each action, left at its real default hostname with HTTPS_PROXY (or
// https_proxy) pointing at the loopback CONNECT proxy, must blame the proxy — by address and by the
// variable it came from, never with its credentials — and must never retry a 407: a corporate proxy
// locks the account after repeated bad credentials. Nothing is resolved (the harness's DNS guard
// fails any lookup), and the service never sees a request.
import { type ConnectProxy, startConnectProxy } from '@cloudcreds/emulators/connect-proxy';
import { findLeaks, NO_LEAKS, type RunResult, runAction } from '@cloudcreds/harness';
import { afterAll, describe, expect, it } from 'vitest';
import { type ActionAdapter, ADAPTERS, type InputOverrides, type Target } from './adapters.ts';
import { closedPort, expectNoLeaks } from './faults.ts';
import { recordRun } from './report.ts';

const PROXY_USER = 'corp\\ci-bot';
const WRONG_PASSWORD = 'wr0ng-Pr0xy:pa55@9f2c';
const PROXY_REALM = 'corp-proxy';
/** Allowance for starting Node and the bundle, and for a busy 2-core machine: a bound, not a benchmark. */
const SLACK_MS = 10_000;

interface Situation {
  /** The proxy, or undefined for a proxy that is down (a closed port). */
  proxy: ConnectProxy | undefined;
  proxyAddress: string;
  env: Record<string, string>;
}

interface FireCase {
  name: string;
  arrange(): Promise<Situation>;
  inputs?: InputOverrides;
  /** The one error line, given the proxy's `host:port` and the action's `host:port`. */
  error(proxy: string, destination: string): string;
  /** CONNECTs the proxy must have seen: 1 means the failure was not retried. */
  connects: number;
  /** Proxy credentials: the run must register them as masks and never show them. */
  secrets?: string[];
  check?(result: RunResult): void;
}

const proxyOn = async (proxy: ConnectProxy, variable: string, url = proxy.url): Promise<Situation> => ({
  proxy,
  proxyAddress: `127.0.0.1:${proxy.port}`,
  env: { [variable]: url },
});

const AUTH_FIX = (variable: string, proxy: string, hostname: string): string =>
  `Not retried: repeated bad credentials can lock a proxy account. Put the proxy's user name and password in ${variable}, URL-encoded: http://user:password@${proxy}; or, if ${hostname} is reachable without the proxy, add it to NO_PROXY.`;

function fireCases(adapter: ActionAdapter): FireCase[] {
  const { hostname } = adapter.realHost;
  return [
    {
      name: 'proxy down (closed port)',
      arrange: async () => {
        const port = await closedPort();
        return {
          proxy: undefined,
          proxyAddress: `127.0.0.1:${port}`,
          env: { HTTPS_PROXY: `http://127.0.0.1:${port}` },
        };
      },
      error: (proxy) =>
        `Proxy ${proxy} (from HTTPS_PROXY) refused the connection (ECONNREFUSED) (after 2 attempts).`,
      connects: 0,
    },
    {
      name: 'proxy resets every CONNECT',
      arrange: async () => proxyOn(await startConnectProxy({}, { fault: 'reset' }), 'HTTPS_PROXY'),
      error: (proxy, destination) =>
        `Proxy ${proxy} (from HTTPS_PROXY) reset the connection (ECONNRESET) while opening a tunnel to ${destination} (after 2 attempts).`,
      connects: 2,
    },
    {
      name: 'proxy never answers the CONNECT (timeout 1 × 2)',
      arrange: async () => proxyOn(await startConnectProxy({}, { fault: 'hang' }), 'HTTPS_PROXY'),
      inputs: { timeout: '1' },
      error: (proxy, destination) =>
        `Proxy ${proxy} (from HTTPS_PROXY) did not open a tunnel to ${destination} within 1 s (after 2 attempts).`,
      connects: 2,
      check: (result) => {
        // Two deadlines and a backoff; a CONNECT left open past its deadline would keep the
        // process alive until the harness killed it.
        expect(result.durationMs).toBeLessThan(2 * 1000 + 500 + SLACK_MS);
      },
    },
    {
      name: '407, no credentials in HTTPS_PROXY',
      arrange: async () =>
        proxyOn(
          await startConnectProxy(
            {},
            { credentials: { user: PROXY_USER, password: 'the right one', realm: PROXY_REALM } },
          ),
          'HTTPS_PROXY',
        ),
      error: (proxy, destination) =>
        `Proxy ${proxy} (from HTTPS_PROXY) answered the CONNECT for ${destination} with HTTP 407: it requires credentials (it asks for Basic realm="${PROXY_REALM}"), and HTTPS_PROXY has none. ${AUTH_FIX('HTTPS_PROXY', proxy, hostname)}`,
      connects: 1,
    },
    {
      name: '407, wrong credentials in https_proxy',
      arrange: async () => {
        const proxy = await startConnectProxy(
          {},
          { credentials: { user: PROXY_USER, password: 'the right one', realm: PROXY_REALM } },
        );
        const credentials = `${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(WRONG_PASSWORD)}`;
        return proxyOn(proxy, 'https_proxy', proxy.url.replace('http://', `http://${credentials}@`));
      },
      error: (proxy, destination) =>
        `Proxy ${proxy} (from https_proxy) answered the CONNECT for ${destination} with HTTP 407: it refused the credentials in https_proxy (it asks for Basic realm="${PROXY_REALM}"). ${AUTH_FIX('https_proxy', proxy, hostname)}`,
      connects: 1,
      secrets: [
        WRONG_PASSWORD,
        encodeURIComponent(WRONG_PASSWORD),
        Buffer.from(`${PROXY_USER}:${WRONG_PASSWORD}`).toString('base64'),
      ],
    },
  ];
}

async function runCase(adapter: ActionAdapter, fire: FireCase, debug: boolean): Promise<void> {
  const destination = `${adapter.realHost.hostname}:${adapter.realHost.port}`;
  const target: Target = await adapter.start();
  const situation = await fire.arrange();
  try {
    const result = await runAction({
      action: adapter.action,
      inputs: target.inputs({ ...adapter.realHost.inputs, ...fire.inputs }),
      env: situation.env,
      workspace: target.workspace,
      pathPrefix: target.pathPrefix,
      secrets: [...target.secretInputs, ...(fire.secrets ?? [])],
      debug,
      killAfterMs: 60_000,
    });
    recordRun(adapter.label, `proxy: ${fire.name}${debug ? ' (debug)' : ''}`, result, target.requests.length);

    expect(result.errors).toEqual([fire.error(situation.proxyAddress, destination)]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('');
    target.expectNothingLeftBehind(result);
    // Nothing reached the service; the proxy saw exactly the CONNECTs expected (no retried 407).
    expect(target.requests).toHaveLength(0);
    expect(situation.proxy?.log ?? []).toEqual(
      Array.from({ length: fire.connects }, () =>
        expect.objectContaining({ target: destination, method: 'CONNECT' }),
      ),
    );
    // Proxy credentials: registered as masks before anything could show them, and never shown.
    if (fire.secrets) {
      expect(findLeaks(result, fire.secrets)).toEqual(NO_LEAKS);
      expect(result.log.masks).toContain(WRONG_PASSWORD);
      for (const value of fire.secrets) expect(result.errors.join('\n')).not.toContain(value);
    }
    fire.check?.(result);
    expectNoLeaks(result, target, debug);
  } finally {
    await situation.proxy?.close();
    await target.close();
  }
}

afterAll(() => Promise.all(ADAPTERS.map((adapter) => adapter.dispose())));

for (const adapter of ADAPTERS) {
  describe.concurrent(`${adapter.label} behind a failing proxy (built bundle)`, () => {
    for (const fire of fireCases(adapter)) {
      for (const debug of [false, true]) {
        it(`${fire.name}: blames the proxy${fire.connects === 1 ? ', not retried' : ''}${debug ? ', step debug on' : ''}`, () =>
          runCase(adapter, fire, debug));
      }
    }
  });
}
