import {
  type Clock,
  explainNetworkError,
  type HttpRequest,
  type HttpResponse,
  NetworkError,
  responseOf,
  ServiceError,
  type Transport,
} from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import { isCertificateFailure, login, MAX_UNSEEN_ATTEMPTS, mayHaveBeenCounted } from '../src/login.ts';

type Step = number | NetworkError | ((request: HttpRequest) => HttpResponse);

const ok = () => responseOf(200, {}, Buffer.from('{"token":"h.p.s"}'));
const refused = (host: string) =>
  explainNetworkError(
    Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    `https://${host}/`,
    undefined,
  );
const timedOut = (host: string) => explainNetworkError(new Error('aborted'), `https://${host}/`, 1000);
const untrusted = (host: string) =>
  explainNetworkError(
    Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
    `https://${host}/`,
    undefined,
  );
const handshakeReset = (host: string) =>
  explainNetworkError(
    Object.assign(
      new Error('Client network socket disconnected before secure TLS connection was established'),
      {
        code: 'ECONNRESET',
      },
    ),
    `https://${host}/`,
    undefined,
  );

/** Scripted answers per host; records every call. */
function scripted(script: Record<string, Step[]>) {
  const calls: string[] = [];
  const transport: Transport = async (request) => {
    const host = new URL(request.url).host;
    calls.push(host);
    const step = script[host]?.shift();
    if (step === undefined) throw new Error(`unexpected call to ${host}`);
    if (step instanceof NetworkError) throw step;
    if (typeof step === 'function') return step(request);
    return step === 200
      ? ok()
      : responseOf(step, {}, Buffer.from(`{"errorCode":"${step}001","errorMessage":"m"}`));
  };
  return { transport, calls };
}

function harness(script: Record<string, Step[]>, maxAttempts = 3) {
  const { transport, calls } = scripted(script);
  const sleeps: number[] = [];
  const clock: Clock = { now: () => 0, sleep: async (ms) => void sleeps.push(ms) };
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(`info: ${m}`),
    warning: (m: string) => lines.push(`warning: ${m}`),
  };
  const run = (hosts: string[]) =>
    login(
      hosts.map((host) => new URL(`https://${host}`)),
      { username: 'ci', password: 'pw' },
      { transport, clock, maxAttempts, timeoutMs: 1000, log, random: () => 0.5 },
    );
  return { run, calls, sleeps, lines };
}

describe('login: lockout safety', () => {
  it.each([401, 403, 400, 404, 405])(
    'ends on HTTP %i at the first endpoint, after one request',
    async (status) => {
      const h = harness({ a: [status], b: [200] });
      await expect(h.run(['a', 'b'])).rejects.toBeInstanceOf(ServiceError);
      expect(h.calls).toEqual(['a']);
    },
  );

  it('stops after two unanswered attempts in total, across endpoints', async () => {
    const h = harness({ a: [timedOut('a')], b: [timedOut('b'), 200], c: [200] }, 1);
    const failure = h.run(['a', 'b', 'c']);
    await expect(failure).rejects.toThrow(/may have counted them as failed logins/);
    expect(h.calls).toEqual(['a', 'b']);
    expect(MAX_UNSEEN_ATTEMPTS).toBe(2);
  });

  it('stops a single endpoint after two timeouts although max-attempts allows more', async () => {
    const h = harness({ a: [timedOut('a'), timedOut('a'), 200] }, 5);
    await expect(h.run(['a'])).rejects.toThrow(
      'a did not answer within 1 s (after 2 attempts); stopped after 2 attempts',
    );
    expect(h.calls).toEqual(['a', 'a']);
  });

  it('does not blame the budget when max-attempts itself was the limit', async () => {
    const h = harness({ a: [timedOut('a'), timedOut('a')] }, 2);
    const error = await h.run(['a']).catch((e: Error) => e);
    expect(error.message).toBe('a did not answer within 1 s (after 2 attempts)');
  });

  it.each([
    ['refused', refused('h'), false],
    ['TLS handshake reset', handshakeReset('h'), false],
    ['untrusted certificate', untrusted('h'), false],
    ['timeout', timedOut('h'), true],
    [
      'reset after connect',
      explainNetworkError(Object.assign(new Error('read'), { code: 'ECONNRESET' }), 'https://h/', undefined),
      true,
    ],
    ['socket hang up', explainNetworkError(new Error('socket hang up'), 'https://h/', undefined), true],
  ])('%s may have been counted by the server: %s', (_name, error, counted) => {
    expect(mayHaveBeenCounted(error)).toBe(counted);
  });
});

describe('login: failover', () => {
  it('moves on from refused connections and names the endpoint that answered', async () => {
    const h = harness({ a: [refused('a'), refused('a')], b: [200] }, 2);
    const result = await h.run(['a', 'b']);
    expect(result.endpoint.host).toBe('b');
    expect(result.token).toBe('h.p.s');
    expect(h.calls).toEqual(['a', 'a', 'b']);
    expect(h.lines).toContainEqual(
      'warning: a refused the connection (ECONNREFUSED) (after 2 attempts); trying the next endpoint, b',
    );
  });

  it('moves on from TLS handshake failures without spending the unanswered budget', async () => {
    const h = harness({ a: [handshakeReset('a'), handshakeReset('a'), handshakeReset('a')], b: [200] });
    expect((await h.run(['a', 'b'])).endpoint.host).toBe('b');
    expect(h.calls).toEqual(['a', 'a', 'a', 'b']);
  });

  it('moves on from 5xx after retrying it, naming host and status in the retry lines', async () => {
    const h = harness({ a: [500, 503], b: [200] }, 2);
    expect((await h.run(['a', 'b'])).endpoint.host).toBe('b');
    expect(h.lines[0]).toBe('info: Attempt 1 of 2 failed (a answered HTTP 500 500001); retrying in 0.4 s');
    expect(h.lines[1]).toMatch(
      /^warning: service-center at a answered HTTP 503 503001: m; trying the next endpoint, b$/,
    );
  });

  it('does not fail over from a certificate verification failure, and does not retry it', async () => {
    const h = harness({ a: [untrusted('a')], b: [200] });
    await expect(h.run(['a', 'b'])).rejects.toThrow(
      'TLS: the certificate of a is not signed by a trusted authority',
    );
    expect(h.calls).toEqual(['a']);
    expect(isCertificateFailure(untrusted('a'))).toBe(true);
    expect(isCertificateFailure(handshakeReset('a'))).toBe(false);
  });

  it('retries 500 then succeeds on the same endpoint', async () => {
    const h = harness({ a: [500, 200] });
    expect((await h.run(['a'])).endpoint.host).toBe('a');
    expect(h.calls).toEqual(['a', 'a']);
    expect(h.sleeps).toEqual([375]);
  });

  it('makes at most endpoints × max-attempts requests, and names every endpoint when none answers', async () => {
    const h = harness(
      { a: [refused('a'), refused('a')], b: [refused('b'), refused('b')], c: [refused('c'), refused('c')] },
      2,
    );
    await expect(h.run(['a', 'b', 'c'])).rejects.toThrow(
      'No service-center endpoint answered: a refused the connection (ECONNREFUSED) (after 2 attempts); b refused the connection (ECONNREFUSED) (after 2 attempts); c refused the connection (ECONNREFUSED) (after 2 attempts)',
    );
    expect(h.calls).toHaveLength(6);
  });

  it('reports the last endpoint’s 5xx as the service error', async () => {
    const h = harness({ a: [refused('a')], b: [502] }, 1);
    await expect(h.run(['a', 'b'])).rejects.toThrow('service-center at b answered HTTP 502 502001: m');
  });
});
