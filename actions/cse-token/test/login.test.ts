// The login loop against scripted endpoints and a clock that only moves when an attempt takes
// time or the loop waits: lockout safety, failover, and the bound on attempts and time.
import {
  type Clock,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  NetworkError,
  responseOf,
  ServiceError,
} from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import {
  failsEveryEndpoint,
  login,
  loginBudget,
  MAX_UNSEEN_ATTEMPTS,
  mayHaveBeenCounted,
} from '../src/login.ts';

const TIMEOUT_MS = 1000;

/** What one attempt at an endpoint does: answer with a status, fail, or answer as a function says. */
type Step = number | Failure | ((request: HttpRequest) => HttpResponse);
interface Failure {
  error: NetworkError;
  /** How long the attempt took before it failed (a timeout takes the whole timeout). */
  takesMs: number;
}

const refused = (host: string): Failure => ({
  error: new NetworkError(`${host} refused the connection (ECONNREFUSED)`, {
    retryable: true,
    code: 'ECONNREFUSED',
    phase: 'connect',
  }),
  takesMs: 1,
});
const blackHole = (host: string): Failure => ({
  error: new NetworkError(`${host} did not accept a connection within 1 s`, {
    retryable: true,
    code: 'TIMEOUT',
    phase: 'connect',
  }),
  takesMs: TIMEOUT_MS,
});
const hang = (host: string): Failure => ({
  error: new NetworkError(`${host} did not answer within 1 s`, { retryable: true, code: 'TIMEOUT' }),
  takesMs: TIMEOUT_MS,
});
const resetAfterSending = (host: string): Failure => ({
  error: new NetworkError(`${host} reset the connection (ECONNRESET)`, {
    retryable: true,
    code: 'ECONNRESET',
  }),
  takesMs: 5,
});
const handshakeReset = (host: string): Failure => ({
  error: new NetworkError(`TLS handshake with ${host} failed (ECONNRESET)`, {
    retryable: true,
    code: 'ECONNRESET',
    tls: 'handshake',
    phase: 'connect',
  }),
  takesMs: 3,
});
const untrusted = (host: string): Failure => ({
  error: new NetworkError(
    `TLS: the certificate of ${host} is not signed by a trusted authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    { retryable: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', tls: 'certificate', phase: 'connect' },
  ),
  takesMs: 3,
});
const proxyRefusesCredentials = (host: string): Failure => ({
  error: new NetworkError(
    `Proxy 127.0.0.1:3128 (from HTTPS_PROXY) answered the CONNECT for ${host}:443 with HTTP 407`,
    { retryable: false, code: 'PROXY_AUTHENTICATION_REQUIRED', phase: 'connect' },
  ),
  takesMs: 2,
});
const redirected = (host: string): Failure => ({
  error: new NetworkError(`${host} answered HTTP 307 redirecting to another location`, {
    retryable: false,
    code: 'REDIRECT',
  }),
  takesMs: 2,
});

const ok = () => responseOf(200, {}, Buffer.from('{"token":"h.p.s"}'));
const answer = (status: number, headers: Record<string, string> = {}) =>
  responseOf(status, headers, Buffer.from(`{"errorCode":"${status}001","errorMessage":"m"}`));

/** Scripted endpoints, a clock moved by the attempts and waits, a logger that remembers. */
function harness(script: Record<string, Step[]>, maxAttempts = 3) {
  const calls: string[] = [];
  const sleeps: number[] = [];
  const lines: string[] = [];
  let now = 0;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  const logger: Logger = {
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    notice: (message) => lines.push(`notice: ${message}`),
    debug: () => {},
    isDebug: () => false,
  };
  const transport = async (request: HttpRequest): Promise<HttpResponse> => {
    const host = new URL(request.url).host;
    calls.push(host);
    const step = script[host]?.shift();
    if (step === undefined) throw new Error(`unexpected call to ${host}`);
    if (typeof step === 'function') return step(request);
    if (typeof step === 'number') return step === 200 ? ok() : answer(step);
    now += step.takesMs;
    throw step.error;
  };
  const run = (hosts: string[]) =>
    login(
      hosts.map((host) => new URL(`https://${host}`)),
      { username: 'ci', password: 'pw' },
      { maxAttempts, timeoutMs: TIMEOUT_MS },
      { transport, clock, logger, random: () => 0.5 },
    );
  return { run, calls, sleeps, lines, elapsed: () => now };
}

const failureOf = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('the login succeeded');
    },
    (error: Error) => error,
  );

describe('login: lockout safety', () => {
  it.each([401, 403, 400, 404, 405])(
    'ends on HTTP %i at the first endpoint, after one request',
    async (status) => {
      const h = harness({ a: [status], b: [200] });
      await expect(h.run(['a', 'b'])).rejects.toBeInstanceOf(ServiceError);
      expect(h.calls).toEqual(['a']);
    },
  );

  it('stops after two attempts that may have reached the engine, in total across endpoints', async () => {
    const h = harness({ a: [hang('a')], b: [resetAfterSending('b')], c: [200] }, 1);
    const error = await failureOf(h.run(['a', 'b', 'c']));
    expect(error.message).toBe(
      'No service-center endpoint answered: a did not answer within 1 s; b reset the connection (ECONNRESET); stopped after 2 attempts whose login may have reached the engine without an answer: it may have counted them as failed logins, and a third would ban the account for 15 minutes',
    );
    expect(h.calls).toEqual(['a', 'b']);
    expect(MAX_UNSEEN_ATTEMPTS).toBe(2);
  });

  it('stops a single endpoint after two such attempts although max-attempts allows more', async () => {
    const h = harness({ a: [hang('a'), hang('a'), 200] }, 5);
    const error = await failureOf(h.run(['a']));
    expect(error.message).toMatch(
      /^a did not answer within 1 s \(after 2 attempts\); stopped after 2 attempts whose login may have reached the engine/,
    );
    expect(h.calls).toEqual(['a', 'a']);
  });

  it('does not blame the lockout when max-attempts itself was the limit', async () => {
    const h = harness({ a: [hang('a'), hang('a')] }, 2);
    expect((await failureOf(h.run(['a']))).message).toBe('a did not answer within 1 s (after 2 attempts)');
  });

  it('never counts an endpoint that took no connection: black holes pass over to where the budget is spent', async () => {
    const h = harness({ a: [blackHole('a')], b: [blackHole('b')], c: [hang('c'), hang('c')], d: [200] });
    const error = await failureOf(h.run(['a', 'b', 'c', 'd']));
    expect(h.calls).toEqual(['a', 'b', 'c', 'c']);
    expect(error.message).toMatch(
      /^No service-center endpoint answered: a did not accept a connection within 1 s; b /,
    );
    expect(error.message).toMatch(
      /c did not answer within 1 s \(after 2 attempts\); stopped after 2 attempts/,
    );
  });

  it.each([
    ['refused', refused('h'), false],
    ['no connection within the timeout', blackHole('h'), false],
    ['TLS handshake reset', handshakeReset('h'), false],
    ['untrusted certificate', untrusted('h'), false],
    ['no answer within the timeout', hang('h'), true],
    ['reset after the request went out', resetAfterSending('h'), true],
    ['a redirect (an answer, not a login)', redirected('h'), false],
  ])('%s may have been counted by the server: %s', (_name, failure, counted) => {
    expect(mayHaveBeenCounted(failure.error)).toBe(counted);
  });
});

describe('login: failover', () => {
  it('leaves a black-holed endpoint at once, says what happened there, and names it among those passed over', async () => {
    const h = harness({ a: [blackHole('a')], b: [200] });
    const result = await h.run(['a', 'b']);
    expect(result.endpoint.host).toBe('b');
    expect(result.token).toBe('h.p.s');
    expect(h.calls).toEqual(['a', 'b']);
    expect(h.sleeps).toEqual([]);
    expect(h.elapsed()).toBe(TIMEOUT_MS);
    expect(h.lines).toEqual(['info: a did not accept a connection within 1 s; trying the next endpoint, b']);
    expect(result.passedOver).toEqual([
      { endpoint: new URL('https://a'), what: 'a did not accept a connection within 1 s', attempts: 1 },
    ]);
  });

  it('leaves refused, handshake-failed and redirecting endpoints at once', async () => {
    const h = harness({ a: [refused('a')], b: [handshakeReset('b')], c: [redirected('c')], d: [200] });
    expect((await h.run(['a', 'b', 'c', 'd'])).endpoint.host).toBe('d');
    expect(h.calls).toEqual(['a', 'b', 'c', 'd']);
  });

  it('retries the last endpoint when it takes no connection, with backoff', async () => {
    const h = harness({ a: [refused('a'), refused('a'), 200] });
    expect((await h.run(['a'])).endpoint.host).toBe('a');
    expect(h.calls).toEqual(['a', 'a', 'a']);
    expect(h.sleeps).toEqual([375, 750]);
    expect(h.lines[0]).toBe(
      'info: Attempt 1 of 3 failed (a refused the connection (ECONNREFUSED)); retrying in 0.4 s',
    );
  });

  it('retries 5xx on the same endpoint, then moves on, in one line per endpoint passed over', async () => {
    const h = harness({ a: [500, 503], b: [200] }, 2);
    expect((await h.run(['a', 'b'])).endpoint.host).toBe('b');
    expect(h.lines).toEqual([
      'info: Attempt 1 of 2 failed (a answered HTTP 500 with error code 500001); retrying in 0.4 s',
      'info: a answered HTTP 503 with error code 503001 (after 2 attempts); trying the next endpoint, b',
    ]);
  });

  it("makes the service's error code inert in the retry line", async () => {
    const forged = () => responseOf(503, {}, Buffer.from('{"errorCode":"5\\n::error::forged ##[group]x"}'));
    const h = harness({ a: [forged, 200] });
    await h.run(['a']);
    expect(h.lines[0]).toMatch(
      /^info: Attempt 1 of 3 failed \(a answered HTTP 503 with error code 5 :\u200b:error/,
    );
    expect(h.lines.join('\n')).not.toMatch(/\n|::error::|##\[/);
  });

  it('does not fail over from a certificate verification failure, and does not retry it', async () => {
    const h = harness({ a: [untrusted('a')], b: [200] });
    await expect(h.run(['a', 'b'])).rejects.toThrow(
      'TLS: the certificate of a is not signed by a trusted authority',
    );
    expect(h.calls).toEqual(['a']);
    expect(failsEveryEndpoint(untrusted('a').error)).toBe(true);
    expect(failsEveryEndpoint(handshakeReset('a').error)).toBe(false);
  });

  it('does not fail over when the proxy refuses its credentials: every endpoint goes through it', async () => {
    const h = harness({ a: [proxyRefusesCredentials('a')], b: [200] });
    await expect(h.run(['a', 'b'])).rejects.toThrow('answered the CONNECT for a:443 with HTTP 407');
    expect(h.calls).toEqual(['a']);
  });

  it('retries 500 then succeeds on the same endpoint', async () => {
    const h = harness({ a: [500, 200] });
    expect((await h.run(['a'])).endpoint.host).toBe('a');
    expect(h.calls).toEqual(['a', 'a']);
    expect(h.sleeps).toEqual([375]);
  });

  it('honours Retry-After as the floor of the wait', async () => {
    const h = harness({ a: [() => answer(429, { 'retry-after': '3' }), 200] });
    await h.run(['a']);
    expect(h.sleeps).toEqual([3125]);
  });

  it('reports the last endpoint’s 5xx as the service error, naming the endpoints passed over', async () => {
    const h = harness({ a: [refused('a')], b: [502] }, 1);
    await expect(h.run(['a', 'b'])).rejects.toThrow(
      'service-center (b) answered HTTP 502 with error code 502001: "m". Endpoints passed over before it: a refused the connection (ECONNREFUSED).',
    );
  });
});

describe('login: the bound over all endpoints', () => {
  it('is max-attempts + 9 attempts and (max-attempts + 1) × timeout plus one endpoint’s backoff', () => {
    expect(loginBudget({ maxAttempts: 3, timeoutMs: 30_000 })).toEqual({ attempts: 12, ms: 121_500 });
    expect(loginBudget({ maxAttempts: 1, timeoutMs: 30_000 })).toEqual({ attempts: 10, ms: 60_000 });
    expect(loginBudget({ maxAttempts: 10, timeoutMs: 1000 })).toEqual({ attempts: 19, ms: 58_500 });
  });

  it('tries 200 refused endpoints no more than 12 times, in one line each, and counts the rest', async () => {
    const hosts = Array.from({ length: 200 }, (_, index) => `n${index}`);
    const h = harness(Object.fromEntries(hosts.map((host) => [host, [refused(host)]])));
    const error = await failureOf(h.run(hosts));
    expect(h.calls).toEqual(hosts.slice(0, 12));
    expect(error.message).toBe(
      'No service-center endpoint answered: n0 refused the connection (ECONNREFUSED); n1 refused the connection (ECONNREFUSED); n2 refused the connection (ECONNREFUSED); 8 more endpoints failed; n11 refused the connection (ECONNREFUSED); 188 more endpoints were not tried: the login makes at most 12 attempts in all',
    );
    expect(h.lines).toHaveLength(11);
    expect(h.lines.every((line) => line.startsWith('info: '))).toBe(true);
  });

  it('passes over black holes only while a whole timeout still fits in the time budget', async () => {
    const hosts = Array.from({ length: 200 }, (_, index) => `n${index}`);
    const h = harness(Object.fromEntries(hosts.map((host) => [host, [blackHole(host)]])));
    const error = await failureOf(h.run(hosts));
    expect(h.calls).toEqual(hosts.slice(0, 5));
    expect(h.elapsed()).toBeLessThanOrEqual(loginBudget({ maxAttempts: 3, timeoutMs: TIMEOUT_MS }).ms);
    expect(error.message).toMatch(
      /; n4 did not accept a connection within 1 s; 195 more endpoints were not tried: the login takes at most 5\.5 s in all$/,
    );
    expect(error.message).not.toMatch(/password|counted/);
  });

  it('does not wait for a Retry-After that would not fit, and says so', async () => {
    const h = harness({ a: [() => answer(429, { 'retry-after': '100' })] });
    await expect(h.run(['a'])).rejects.toThrow(
      'service-center (a) answered HTTP 429 with error code 429001: "m". Attempt 2 of 3 did not fit: the login takes at most 5.5 s in all.',
    );
    expect(h.sleeps).toEqual([]);
  });

  it('still fails over with max-attempts 1 after a black hole took its whole timeout', async () => {
    const h = harness({ a: [blackHole('a')], b: [200] }, 1);
    expect((await h.run(['a', 'b'])).endpoint.host).toBe('b');
  });
});
