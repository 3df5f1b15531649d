// cse-token, built bundle, when things go wrong: lockout safety (a refused login is sent once, to
// one endpoint), failover, retries, a hanging engine, and inputs refused before any request.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import {
  type ServiceCenterEmulator,
  serviceCenterFaults,
  startServiceCenterEmulator,
} from '@cloudcreds/emulators/service-center';
import { runAction } from '@cloudcreds/harness';
import { afterEach, describe, expect, it } from 'vitest';

const username = 'ci-tests';
const password = `pw-${randomBytes(12).toString('base64url')}`;
const started: ServiceCenterEmulator[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function engine(options: Parameters<typeof startServiceCenterEmulator>[0] = {}) {
  const server = await startServiceCenterEmulator({
    tls: false,
    accounts: { [username]: { password, roles: ['developer'] } },
    ...options,
  });
  started.push(server);
  return server;
}

function run(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runAction({
    action: 'cse-token',
    inputs: { username, password, timeout: '5', ...inputs },
    env,
    secrets: [password],
  });
}

/** A loopback port with nothing listening: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectNothingPublished(result: Awaited<ReturnType<typeof run>>): void {
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.outputs).toEqual({});
  expect(result.exported).toEqual({});
  expect(result.summary).toBe('');
}

describe('cse-token lockout safety (built bundle)', () => {
  it('sends a wrong password exactly once, to the first endpoint only, and explains the lockout rule', async () => {
    const first = await engine();
    const second = await engine();
    const result = await run({ endpoint: `${first.url},${second.url}`, password: 'wrong-password-1' });
    expectNothingPublished(result);
    expect(first.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(0);
    const error = result.errors[0]!;
    expect(error).toContain(
      `service-center (${first.url.replace('http://', '')}) answered HTTP 401 with error code 401202: "User name or password is wrong".`,
    );
    expect(error).toContain('account name or password is wrong');
    expect(error).toContain('third failed login');
    expect(error).toContain('15 minutes');
    expect(result.visible).not.toContain('wrong-password-1');
  });

  it('reports a banned account (403201) after one request, even with the right password', async () => {
    const sc = await engine();
    for (let i = 0; i < 3; i++) {
      await fetch(`${sc.url}/v4/token`, {
        method: 'POST',
        body: JSON.stringify({ name: username, password: 'bad' }),
      });
    }
    const before = sc.requests.length;
    const result = await run({ endpoint: sc.url, 'max-attempts': '3' });
    expectNothingPublished(result);
    expect(sc.requests.length - before).toBe(1);
    expect(result.errors[0]).toContain('HTTP 403 with error code 403201: "Account blocked".');
    expect(result.errors[0]).toContain('up to 15 minutes');
  });

  it('treats the half-open 401302 and the old 401002 as wrong credentials, and the front-layer limit as final', async () => {
    const sc = await engine({ errorVariant: 'half-open' });
    const halfOpen = await run({ endpoint: sc.url, password: 'nope' });
    expect(halfOpen.errors[0]).toContain(
      'with error code 401302: "User name or password is wrong (User name or password is wrong, RBAC system is half opening)".',
    );
    expect(halfOpen.errors[0]).toContain('third failed login');
    sc.errorVariant = 'legacy';
    const legacy = await run({ endpoint: sc.url, password: 'nope' });
    expect(legacy.errors[0]).toContain(
      'with error code 401002: "Request unauthorized (User name or password is wrong)"',
    );
    expect(legacy.errors[0]).toContain('account name or password is wrong');
    sc.faults.push(serviceCenterFaults.frontLayerLimit(500), serviceCenterFaults.frontLayerLimit(500));
    const limited = await run({ endpoint: sc.url, 'max-attempts': '3' });
    expectNothingPublished(limited);
    expect(limited.errors[0]).toContain('with error code SVCSTG.00300401: "exceed times".');
    expect(sc.requests).toHaveLength(3);
  });

  it('explains a plain 404 (RBAC off or wrong URL) and does not retry it', async () => {
    const sc = await engine({ rbac: false });
    const result = await run({ endpoint: sc.url });
    expectNothingPublished(result);
    expect(result.errors[0]).toContain('answered HTTP 404: "404 page not found". There is no /v4/token here');
    expect(result.errors[0]).toContain('security authentication (RBAC) is off');
    expect(sc.requests).toHaveLength(1);
  });
});

describe('cse-token failover and retries (built bundle)', () => {
  it('moves on from a refused connection to the next endpoint and names the one that answered', async () => {
    const sc = await engine();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const result = await run({ endpoint: `${dead}\n${sc.url}`, 'max-attempts': '2' });
    expect(result.errors).toEqual([]);
    expect(result.outputs['endpoint']).toBe(sc.url);
    expect(result.exported['CSE_ENDPOINT']).toBe(sc.url);
    const deadHost = dead.replace('http://', '');
    const scHost = sc.url.replace('http://', '');
    // Left at once (no retry: nothing was sent), one log line for it, one warning naming it.
    expect(result.log.text).toContain(
      `${deadHost} refused the connection (ECONNREFUSED); trying the next endpoint, ${scHost}`,
    );
    expect(result.log.text).not.toContain('Attempt 1 of 2');
    expect(result.warnings).toEqual([
      `Input 'endpoint' uses plain http:// for ${deadHost}, ${scHost}: credentials and tokens travel unencrypted`,
      `${deadHost} failed before ${scHost} gave the token; the log says what happened at each`,
    ]);
    expect(sc.requests).toHaveLength(1);
  });

  it('moves on from an endpoint that keeps answering 5xx', async () => {
    const broken = await engine();
    const sc = await engine();
    broken.faults.push(serviceCenterFaults.internalError(), serviceCenterFaults.badGateway());
    const result = await run({ endpoint: `${broken.url}, ${sc.url}`, 'max-attempts': '2' });
    expect(result.errors).toEqual([]);
    expect(result.outputs['endpoint']).toBe(sc.url);
    expect(broken.requests).toHaveLength(2);
    expect(sc.requests).toHaveLength(1);
  });

  it('retries a 500 on the same endpoint and succeeds', async () => {
    const sc = await engine();
    sc.faults.push(serviceCenterFaults.internalError());
    const result = await run({ endpoint: sc.url });
    expect(result.errors).toEqual([]);
    expect(result.outputs['endpoint']).toBe(sc.url);
    expect(sc.requests).toHaveLength(2);
    expect(result.log.text).toContain(
      `Attempt 1 of 3 failed (${sc.url.slice(7)} answered HTTP 500 with error code 500003); retrying in`,
    );
  });

  it('gives up on a hanging engine within timeout × max-attempts, stopping after two unanswered logins', async () => {
    const sc = await engine();
    sc.faults.push({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const result = await run({ endpoint: sc.url, timeout: '1', 'max-attempts': '3' });
    expectNothingPublished(result);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.errors[0]).toContain('did not answer within 1 s');
    expect(result.errors[0]).toContain(
      'stopped after 2 attempts whose login may have reached the engine without an answer: it may have counted them as failed logins',
    );
    expect(sc.requests).toHaveLength(2);
  });

  it('fails with every endpoint named when none answers', async () => {
    const a = `http://127.0.0.1:${await closedPort()}`;
    const b = `http://127.0.0.1:${await closedPort()}`;
    const result = await run({ endpoint: `${a},${b}`, 'max-attempts': '1' });
    expectNothingPublished(result);
    expect(result.errors[0]).toMatch(
      /^No service-center endpoint answered: 127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\); 127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)\.$/,
    );
  });

  it('reads the endpoint from PAAS_CSE_SC_ENDPOINT and warns about plain http', async () => {
    const sc = await engine();
    const result = await run({}, { PAAS_CSE_SC_ENDPOINT: sc.url });
    expect(result.errors).toEqual([]);
    expect(result.outputs['endpoint']).toBe(sc.url);
    expect(result.warnings).toEqual([expect.stringContaining('plain http://')]);
  });
});

describe('cse-token refuses bad inputs before any request (built bundle)', () => {
  it.each([
    [{ 'token-expiration': '10s' }, "Input 'token-expiration' must be between 15m and 24h inclusive"],
    [{ 'token-expiration': '25h' }, "Input 'token-expiration' must be between 15m and 24h inclusive"],
    [{ 'token-expiration': '1d' }, "unknown unit 'd'"],
    [{ password: '' }, "Input 'password' is required"],
    [{ username: ' ' }, "Input 'username' is required"],
    [{ 'env-prefix': 'GITHUB' }, "Input 'env-prefix' must be"],
    [{ 'insecure-skip-tls-verify': 'yes' }, "Input 'insecure-skip-tls-verify' must be true or false"],
  ])('%o → %s', async (inputs, expected) => {
    const sc = await engine();
    const result = await run({ endpoint: sc.url, ...inputs });
    expectNothingPublished(result);
    expect(result.errors[0]).toContain(expected);
    expect(sc.requests).toHaveLength(0);
  });

  it('names the endpoint input and its env fallback when neither is set', async () => {
    const result = await run({});
    expectNothingPublished(result);
    expect(result.errors[0]).toBe("Input 'endpoint' is required (or set PAAS_CSE_SC_ENDPOINT).");
  });
});
