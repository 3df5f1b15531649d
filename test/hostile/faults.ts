// The fault matrix, written once for every action: each case arranges a hostile condition on a
// fresh emulator, runs the BUILT bundle with step debug off and on, and checks the promise —
// success after exactly N requests, or one `::error::` line naming the cause, exactly N requests,
// nothing left behind — plus the leak sweep on every run.
import { createServer, type Server, type Socket } from 'node:net';
import type { TlsOptions } from '@cloudcreds/emulators/server';
import { createTestCa } from '@cloudcreds/emulators/tls';
import { findLeaks, NO_LEAKS, type RunResult, renderLog, runAction } from '@cloudcreds/harness';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionAdapter, InputOverrides, StartOptions, Target } from './adapters.ts';
import { jsonFault } from './adapters.ts';
import { recordRun } from './report.ts';

const FIFTY_MB = 50 * 1024 * 1024;
const PEAK_RSS_LIMIT = 150 * 1024 * 1024;
/** Allowance for starting Node and the bundle on a busy 2-core machine: a bound, not a benchmark. */
const START_UP_ALLOWANCE_MS = 5000;
/** Scheduling delay tolerated in a timed window while the whole test suite runs on 2 cores. */
const BUSY_MACHINE_MS = 5000;

interface Arranged {
  inputs?: InputOverrides;
  /** Extra checks once the run is over (`exitedAt`: Date.now() when the action's process had ended). */
  check?(result: RunResult, target: Target, exitedAt: number): void;
  close?(): Promise<void>;
}

export interface FaultCase {
  name: string;
  start?: () => StartOptions;
  arrange?(target: Target, adapter: ActionAdapter): Arranged | undefined | Promise<Arranged | undefined>;
  /** `success`, or the error line the action must print (one line, naming the cause). */
  outcome: 'success' | RegExp;
  /** Requests the emulator must have received. */
  requests: number;
}

const HOST = String.raw`127\.0\.0\.1:\d+`;

/** A loopback port with nothing listening: connecting is refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server on 127.0.0.2 (loopback, but another host) that records every byte anyone sends it. */
async function startRecorder(): Promise<{
  port: number;
  received: () => string;
  connections: () => number;
  close(): Promise<void>;
}> {
  let received = '';
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return {
    port: (server.address() as { port: number }).port,
    received: () => received,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const retryAfterSeconds = 2;

// openssl runs synchronously: made once per file, so it does not stall the emulators around it.
let untrusted: TlsOptions | undefined;
const untrustedCertificate = (): TlsOptions => {
  untrusted ??= createTestCa('an authority nobody trusts').issue(['127.0.0.1']);
  return untrusted;
};

/** The error line of a service answer: `<service> answered <rest>`. */
const answered = (adapter: ActionAdapter, rest: string): RegExp =>
  new RegExp(`^${adapter.serviceLabel} answered ${rest}`);

export function faultCases(adapter: ActionAdapter): FaultCase[] {
  return [
    {
      name: '5xx then success',
      arrange: (target) => {
        target.faults.push(jsonFault(503, { message: 'Service Unavailable' }));
        return undefined;
      },
      outcome: 'success',
      requests: 2,
    },
    {
      name: '429 with Retry-After then success',
      arrange: (target) => {
        target.faults.push({
          kind: 'status',
          status: 429,
          body: 'Too Many Requests',
          headers: { 'content-type': 'text/plain', 'retry-after': String(retryAfterSeconds) },
        });
        return {
          check: (result, t) => {
            // The action's decision, free of scheduling noise: what was asked, plus jitter ≤ 0.25 s.
            expect(result.log.text).toMatch(/Attempt 1 of 2 failed \(.*429.*\); retrying in 2\.[0-3] s/);
            // Honoured: the second request waited at least what the server asked for.
            const gap = (t.requests[1]?.receivedAt ?? 0) - (t.requests[0]?.receivedAt ?? 0);
            expect(gap).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 20);
            // …plus the jitter (≤ 0.25 s at the first retry) and scheduling on a busy machine.
            expect(gap).toBeLessThan(retryAfterSeconds * 1000 + 250 + BUSY_MACHINE_MS);
          },
        };
      },
      outcome: 'success',
      requests: 2,
    },
    {
      name: 'connection reset then success',
      arrange: (target) => {
        target.faults.push({ kind: 'reset' });
        return undefined;
      },
      outcome: 'success',
      requests: 2,
    },
    {
      name: 'hang on every attempt (timeout 1 × 2)',
      arrange: (target) => {
        target.faults.push({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
        return {
          inputs: { timeout: '1', 'max-attempts': '2' },
          check: (result, t, exitedAt) => {
            // Two deadlines of 1 s in sequence, with a backoff (0.25–0.5 s) between them…
            expect(result.durationMs).toBeGreaterThanOrEqual(2 * 1000 + 250);
            // …and from the first request on, nothing more than that, give or take a busy machine:
            // an attempt without its deadline would run into the 5 s that other cases use.
            const first = t.requests[0]?.receivedAt ?? 0;
            expect(exitedAt - first).toBeLessThan(2 * 1000 + 500 + BUSY_MACHINE_MS);
          },
        };
      },
      outcome: new RegExp(`^${HOST} did not answer within 1 s \\(after 2 attempts\\)\\.$`),
      requests: 2,
    },
    {
      name: 'truncated JSON (200)',
      arrange: (target) => {
        target.faults.push({
          kind: 'status',
          status: 200,
          body: adapter.truncatedBody,
          headers: { 'content-type': 'application/json' },
        });
        return undefined;
      },
      outcome: answered(
        adapter,
        String.raw`HTTP 200, but the body is not valid JSON \(application/json, \d+ bytes\)\.$`,
      ),
      requests: 1,
    },
    {
      name: 'malformed JSON (200)',
      arrange: (target) => {
        target.faults.push({
          kind: 'status',
          status: 200,
          body: "{'RetCode': 0, token: undefined,}",
          headers: { 'content-type': 'application/json' },
        });
        return undefined;
      },
      outcome: answered(
        adapter,
        String.raw`HTTP 200, but the body is not valid JSON \(application/json, 33 bytes\)\.$`,
      ),
      requests: 1,
    },
    {
      name: 'HTML page from a proxy (200)',
      arrange: (target) => {
        target.faults.push({
          kind: 'status',
          status: 200,
          body: '<html><body>Please log in to the proxy</body></html>',
          headers: { 'content-type': 'text/html' },
        });
        return undefined;
      },
      outcome: answered(
        adapter,
        String.raw`HTTP 200, but the body is not valid JSON \(text/html, 52 bytes\)\.$`,
      ),
      requests: 1,
    },
    {
      name: 'HTML page from a proxy (502, every attempt)',
      arrange: (target) => {
        const page = {
          kind: 'status' as const,
          status: 502,
          body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
          headers: { 'content-type': 'text/html' },
        };
        target.faults.push(page, page);
        return undefined;
      },
      outcome: answered(adapter, String.raw`HTTP 502\b`),
      requests: 2,
    },
    {
      name: '50 MB answer',
      arrange: (target) => {
        target.faults.push({ kind: 'oversized', bytes: FIFTY_MB });
        return {
          check: (result) => {
            expect(result.peakRssBytes).toBeLessThan(PEAK_RSS_LIMIT);
            expect(result.durationMs).toBeLessThan(START_UP_ALLOWANCE_MS + BUSY_MACHINE_MS);
          },
        };
      },
      outcome: new RegExp(
        `^${HOST} sent an answer larger than 1024 kB; it was not read\\.${adapter.oversizedHint ?? ''}$`,
      ),
      requests: 1,
    },
    {
      name: 'invalid UTF-8 (200)',
      arrange: (target) => {
        target.faults.push({
          kind: 'status',
          status: 200,
          body: Buffer.concat([
            Buffer.from('{"RetCode":0,"token":"'),
            Buffer.from([0xff, 0xfe, 0xc3]),
            Buffer.from('"}'),
          ]),
          headers: { 'content-type': 'application/json; charset=utf-8' },
        });
        return undefined;
      },
      outcome: answered(adapter, String.raw`HTTP 200, but the body is not valid UTF-8\.$`),
      requests: 1,
    },
    {
      name: 'refused connection (closed port)',
      arrange: async () => ({
        inputs: { [adapter.endpointInput]: `http://127.0.0.1:${await closedPort()}` },
      }),
      outcome: new RegExp(`^${HOST} refused the connection \\(ECONNREFUSED\\) \\(after 2 attempts\\)\\.$`),
      requests: 0,
    },
    {
      name: 'TLS certificate from an unknown CA',
      start: () => ({ tls: untrustedCertificate() }),
      arrange: (target) => ({ inputs: { [adapter.endpointInput]: target.url } }),
      outcome: new RegExp(
        `^TLS: the certificate of ${HOST} is not signed by a trusted authority \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\)`,
      ),
      requests: 0,
    },
    {
      name: 'redirect to another host (127.0.0.2)',
      arrange: async (target) => {
        const recorder = await startRecorder();
        const location = `http://127.0.0.2:${recorder.port}/collect`;
        target.faults.push(
          { kind: 'redirect', location, status: 307 },
          { kind: 'redirect', location, status: 302 },
        );
        return {
          inputs: { 'max-attempts': '3' },
          check: () => {
            // Not one connection, so no credential, signature or token can have reached it.
            expect(recorder.connections()).toBe(0);
            expect(recorder.received()).toBe('');
          },
          close: () => recorder.close(),
        };
      },
      outcome: new RegExp(
        `^${HOST} answered HTTP 307 redirecting to http://127\\.0\\.0\\.2:\\d+/collect; requests that carry credentials never follow redirects, so point the endpoint at the final URL\\.$`,
      ),
      requests: 1,
    },
    ...adapter.serviceErrors.map(
      (serviceError): FaultCase => ({
        name: serviceError.name,
        arrange: (target) => {
          serviceError.arrange(target);
          return undefined;
        },
        outcome: serviceError.error,
        requests: 1,
      }),
    ),
  ];
}

async function runCase(adapter: ActionAdapter, fault: FaultCase, debug: boolean): Promise<void> {
  const target = await adapter.start(fault.start?.() ?? {});
  const arranged = (await fault.arrange?.(target, adapter)) ?? {};
  try {
    const result = await runAction({
      action: adapter.action,
      inputs: target.inputs(arranged.inputs),
      workspace: target.workspace,
      pathPrefix: target.pathPrefix,
      secrets: target.secretInputs,
      debug,
      killAfterMs: 60_000,
    });
    const exitedAt = Date.now();
    recordRun(adapter.label, `${fault.name}${debug ? ' (debug)' : ''}`, result, target.requests.length);

    if (fault.outcome === 'success') {
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      target.expectPublished(result);
    } else {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(fault.outcome);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('');
      target.expectNothingLeftBehind(result);
    }
    expect(target.requests).toHaveLength(fault.requests);
    arranged.check?.(result, target, exitedAt);
    expectNoLeaks(result, target, debug);
  } finally {
    await arranged.close?.();
    await target.close();
  }
}

/** The leak sweep: nothing secret visible after runner masking, none in state, none in an error line. */
export function expectNoLeaks(result: RunResult, target: Target, debug: boolean): void {
  const secrets = target.secrets(result);
  // Re-rendered with every secret known now (tokens are only known after the run).
  const rendered = { ...result, log: renderLog(result.stdout, secrets, debug) };
  expect(findLeaks(rendered, secrets)).toEqual(NO_LEAKS);
  const errors = result.errors.join('\n');
  for (const value of [...target.secretInputs, ...target.quietInputs]) expect(errors).not.toContain(value);
}

export function defineFaultMatrix(adapter: ActionAdapter): void {
  describe.concurrent(`${adapter.label}: fault matrix (built bundle)`, () => {
    afterAll(() => adapter.dispose());
    for (const fault of faultCases(adapter)) {
      const expected =
        fault.outcome === 'success'
          ? `succeeds after ${fault.requests} request(s)`
          : `fails in one line after ${fault.requests} request(s)`;
      for (const debug of [false, true]) {
        it(`${fault.name}: ${expected}${debug ? ', step debug on' : ''}`, () =>
          runCase(adapter, fault, debug));
      }
    }
  });
}
