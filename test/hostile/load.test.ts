// A 20-job matrix against a throttling service: 20 runs of each built bundle start together against
// one emulator with a small token bucket (429 + Retry-After for swr-login and cse-token, RetCode 153
// for ucloud-authconfig). Every run must succeed within its retry budget, most must have been
// throttled on the way, and throttled runs must not come back in lockstep (jitter).
import { DEFAULT_BACKOFF } from '@cloudcreds/core';
import type { RecordedRequest } from '@cloudcreds/emulators/server';
import { runAction } from '@cloudcreds/harness';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAPTERS, LOAD_RUNS } from './adapters.ts';
import { expectNoLeaks } from './faults.ts';
import { mebibytes, record, seconds } from './report.ts';

const RUNS = LOAD_RUNS;
const MAX_ATTEMPTS = 8;

/** Per run: the delay between its first and second request, for runs that made a second one. */
function firstRetryDelays(
  requests: RecordedRequest[],
  runOf: (request: RecordedRequest) => number | undefined,
): number[] {
  const arrivals = new Map<number, number[]>();
  for (const request of requests) {
    const run = runOf(request);
    if (run === undefined) continue;
    arrivals.set(run, [...(arrivals.get(run) ?? []), request.receivedAt]);
  }
  return [...arrivals.values()].flatMap((times) => (times.length > 1 ? [times[1]! - times[0]!] : []));
}

describe('a 20-job matrix against a rate-limited service (built bundles)', () => {
  afterAll(() => Promise.all(ADAPTERS.map((adapter) => adapter.dispose())));
  for (const adapter of ADAPTERS) {
    it(`${adapter.label}: ${RUNS} parallel runs all succeed within their retry budget, without lockstep`, async () => {
      const target = await adapter.start({ rateLimit: adapter.rateLimit });
      try {
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: RUNS }, (_, run) =>
            runAction({
              action: adapter.action,
              // Each run in its own workspace; no docker login or file: the service is under test.
              inputs: target.inputs(
                {
                  'max-attempts': String(MAX_ATTEMPTS),
                  login: adapter.action === 'swr-login' ? 'false' : undefined,
                  'docker-config-dir': undefined,
                  'output-file': undefined,
                },
                run,
              ),
              pathPrefix: target.pathPrefix,
              secrets: target.secretInputs,
              killAfterMs: 60_000,
            }),
          ),
        );
        const wallMs = performance.now() - started;

        const perRun = Array.from({ length: RUNS }, (_, run) =>
          target.requests.filter((request) => target.runOf(request) === run),
        );
        const throttledRuns = perRun.filter((requests) => requests.length > 1).length;
        const delays = firstRetryDelays(target.requests, target.runOf);
        const spread = delays.length > 0 ? Math.max(...delays) - Math.min(...delays) : 0;
        const slowest = Math.max(...results.map((result) => result.durationMs));
        record({
          action: adapter.label,
          case: `${RUNS} parallel runs, rate-limited (max-attempts ${MAX_ATTEMPTS})`,
          outcome: `${results.filter((result) => result.exitCode === 0).length}/${RUNS} succeeded; ${throttledRuns} throttled; slowest run ${seconds(slowest)} s; first retries spread over ${seconds(spread)} s`,
          seconds: seconds(wallMs),
          requests: target.requests.length,
          peakRssMiB: mebibytes(Math.max(...results.map((result) => result.peakRssBytes))),
        });

        for (const result of results) {
          expect(result.errors).toEqual([]);
          expect(result.exitCode).toBe(0);
          target.expectPublished(result);
          expectNoLeaks(result, target, false);
        }
        // Every request belongs to a run, and no run went beyond its budget.
        expect(perRun.flat()).toHaveLength(target.requests.length);
        for (const requests of perRun) expect(requests.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
        // Meaningful: most runs were throttled at least once.
        expect(throttledRuns).toBeGreaterThan(RUNS / 2);
        // Jitter, as each run decided it (its retry line, free of scheduling noise): the runs that
        // were throttled at once were not all told to wait the same time…
        const announced = results.flatMap((result) => {
          const match =
            /Attempt 1 of \d+ failed \((?:[^)]*HTTP 429[^)]*|RetCode 153[^)]*)\); retrying in (\d+\.\d) s/.exec(
              result.log.text,
            );
          return match ? [Number(match[1])] : [];
        });
        expect(announced.length).toBeGreaterThanOrEqual(5);
        // Without jitter every one of them says the same (1.0 s, or UCloud's 2.0 s floor).
        expect(new Set(announced).size).toBeGreaterThanOrEqual(2);
        // …and as the service saw it: the first retries arrive spread out, not at one delay.
        expect(spread).toBeGreaterThan(DEFAULT_BACKOFF.baseMs / 5);
        expect(wallMs).toBeLessThan(60_000);
      } finally {
        await target.close();
      }
    });
  }
});
