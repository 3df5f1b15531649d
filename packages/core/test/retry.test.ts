import { fakeClock as harnessClock } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  type HttpResponse,
  NetworkError,
  parseRetryAfter,
  responseOf,
  send,
  type Transport,
} from '../src/index.ts';

/** Retries measure Retry-After dates against now: a realistic epoch, not zero. */
const fakeClock = () => harnessClock(1_700_000_000_000);

const reply = (status: number, headers: Record<string, string> = {}): HttpResponse =>
  responseOf(status, headers, Buffer.from('{}'));

function scripted(steps: Array<HttpResponse | NetworkError>): Transport & { calls: number } {
  const transport = (async () => {
    const step = steps[transport.calls++];
    if (!step) throw new Error('unexpected extra request');
    if (step instanceof NetworkError) throw step;
    return step;
  }) as Transport & { calls: number };
  transport.calls = 0;
  return transport;
}

const request = { method: 'POST' as const, url: 'https://api.example.test/x' };

describe('send', () => {
  it('retries 5xx and returns the first success', async () => {
    const transport = scripted([reply(503), reply(503), reply(200)]);
    const clock = fakeClock();
    const retries: string[] = [];
    const response = await send(request, {
      transport,
      maxAttempts: 3,
      timeoutMs: 1000,
      clock,
      random: () => 0.5,
      onRetry: (m) => retries.push(m),
    });
    expect(response.status).toBe(200);
    expect(transport.calls).toBe(3);
    expect(clock.slept).toEqual([375, 750]);
    expect(retries[0]).toBe('Attempt 1 of 3 failed (HTTP 503); retrying in 0.4 s');
  });

  it('returns the last failing response when attempts run out', async () => {
    const transport = scripted([reply(500), reply(502)]);
    const response = await send(request, { transport, maxAttempts: 2, timeoutMs: 1000, clock: fakeClock() });
    expect(response.status).toBe(502);
  });

  it('never retries what the policy calls final (4xx by default)', async () => {
    for (const status of [400, 401, 403, 404]) {
      const transport = scripted([reply(status)]);
      expect(
        (await send(request, { transport, maxAttempts: 5, timeoutMs: 1000, clock: fakeClock() })).status,
      ).toBe(status);
      expect(transport.calls).toBe(1);
    }
  });

  it('honours Retry-After seconds and dates, capped at 60 s', async () => {
    const clock = fakeClock();
    await send(request, {
      transport: scripted([reply(429, { 'retry-after': '7' }), reply(200)]),
      maxAttempts: 2,
      timeoutMs: 1000,
      clock,
      random: () => 0,
    });
    expect(clock.slept).toEqual([7000]);
    const later = fakeClock();
    const date = new Date(later.now() + 3000).toUTCString();
    await send(request, {
      transport: scripted([reply(503, { 'retry-after': date }), reply(200)]),
      maxAttempts: 2,
      timeoutMs: 1000,
      clock: later,
      random: () => 0,
    });
    expect(later.slept[0]).toBeGreaterThanOrEqual(2000);
    expect(later.slept[0]).toBeLessThanOrEqual(3000);
    const capped = fakeClock();
    await send(request, {
      transport: scripted([reply(429, { 'retry-after': '3600' }), reply(200)]),
      maxAttempts: 2,
      timeoutMs: 1000,
      clock: capped,
    });
    expect(capped.slept).toEqual([60_000]);
  });

  it('keeps the random half of the window on top of a Retry-After or policy floor', async () => {
    const delays = async (random: number, retryAfter: string | undefined, minDelayMs = 0) => {
      const clock = fakeClock();
      await send(request, {
        transport: scripted([reply(429, retryAfter ? { 'retry-after': retryAfter } : {}), reply(200)]),
        maxAttempts: 2,
        timeoutMs: 1000,
        clock,
        random: () => random,
        policy: () => ({ minDelayMs }),
      });
      return clock.slept[0];
    };
    // Attempt 1: window 500 ms, so 0–250 ms of jitter above the floor, never below it.
    expect(await delays(0, '1')).toBe(1000);
    expect(await delays(0.5, '1')).toBe(1125);
    expect(await delays(0.999999, '1')).toBe(1250);
    expect(await delays(0.5, undefined, 2000)).toBe(2125);
  });

  it('spreads parallel clients that were all told Retry-After: 1', async () => {
    const slept = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const clock = fakeClock();
        await send(request, {
          transport: scripted([reply(429, { 'retry-after': '1' }), reply(200)]),
          maxAttempts: 2,
          timeoutMs: 1000,
          clock,
        });
        return clock.slept[0] as number;
      }),
    );
    expect(Math.min(...slept)).toBeGreaterThanOrEqual(1000);
    expect(new Set(slept).size).toBeGreaterThan(5);
  });

  it('lets the policy ask for a longer pause', async () => {
    const clock = fakeClock();
    await send(request, {
      transport: scripted([reply(200), reply(200)]),
      maxAttempts: 2,
      timeoutMs: 1000,
      clock,
      random: () => 0,
      policy: (o) => (o.response?.status === 200 && clock.slept.length === 0 ? { minDelayMs: 4000 } : false),
    });
    expect(clock.slept).toEqual([4000]);
  });

  it('names the policy reason in the retry line instead of the HTTP status', async () => {
    const retries: string[] = [];
    await send(request, {
      transport: scripted([reply(200), reply(200)]),
      maxAttempts: 2,
      timeoutMs: 1000,
      clock: fakeClock(),
      random: () => 0,
      policy: (o) => (retries.length === 0 && o.response ? { minDelayMs: 0, reason: 'RetCode 150' } : false),
      onRetry: (m) => retries.push(m),
    });
    expect(retries).toEqual(['Attempt 1 of 2 failed (RetCode 150); retrying in 0.3 s']);
  });

  it('retries retryable network errors and throws the last one with the attempt count', async () => {
    const refused = new NetworkError('api.example.test refused the connection', {
      retryable: true,
      code: 'ECONNREFUSED',
    });
    const transport = scripted([refused, refused, refused]);
    await expect(
      send(request, { transport, maxAttempts: 3, timeoutMs: 1000, clock: fakeClock() }),
    ).rejects.toThrow('api.example.test refused the connection (after 3 attempts)');
    expect(transport.calls).toBe(3);
  });

  it("keeps the last attempt's phase, code and TLS kind on the counted error", async () => {
    for (const phase of ['connect', 'exchange'] as const) {
      const timedOut = new NetworkError('api.example.test did not accept a connection within 1 s', {
        retryable: true,
        code: 'TIMEOUT',
        phase,
        tls: 'handshake',
      });
      const error = await send(request, {
        transport: scripted([timedOut, timedOut]),
        maxAttempts: 2,
        timeoutMs: 1000,
        clock: fakeClock(),
      }).catch((caught: unknown) => caught as NetworkError);
      expect(error).toBeInstanceOf(NetworkError);
      expect([error.message, error.phase, error.code, error.tls, error.retryable]).toEqual([
        'api.example.test did not accept a connection within 1 s (after 2 attempts)',
        phase,
        'TIMEOUT',
        'handshake',
        true,
      ]);
    }
  });

  it('does not retry a non-retryable network error (certificate)', async () => {
    const untrusted = new NetworkError('TLS: not trusted', { retryable: false });
    const transport = scripted([untrusted]);
    await expect(
      send(request, { transport, maxAttempts: 3, timeoutMs: 1000, clock: fakeClock() }),
    ).rejects.toThrow('TLS: not trusted');
    expect(transport.calls).toBe(1);
  });
});

describe('backoff', () => {
  it('doubles per attempt up to the cap, with jitter in the upper half of the window', () => {
    const backoff = { baseMs: 500, maxMs: 8000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, backoff, () => 0))).toEqual([
      250, 500, 1000, 2000, 4000, 4000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, backoff, () => 0.999999))).toEqual([500, 1000, 2000]);
    // A floor above the fixed half replaces it; the random half stays.
    expect(backoffDelay(1, backoff, () => 0, 3000)).toBe(3000);
    expect(backoffDelay(1, backoff, () => 0.999999, 3000)).toBe(3250);
    expect(backoffDelay(3, backoff, () => 0, 200)).toBe(1000);
  });

  it('spreads parallel retries', () => {
    const delays = new Set(
      Array.from({ length: 20 }, () => backoffDelay(2, { baseMs: 500, maxMs: 8000 }, Math.random)),
    );
    expect(delays.size).toBeGreaterThan(5);
  });

  it('parses Retry-After', () => {
    expect(parseRetryAfter('5', 0)).toBe(5000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});
