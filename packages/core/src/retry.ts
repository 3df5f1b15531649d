// Attempts, backoff and Retry-After. What is worth retrying is the caller's decision (a policy),
// because only the service knows which answers can change: SWR never retries a 401, CSE never
// retries a 401/403 (account lockout), UCloud retries RetCode 153 with a longer pause.
import { type Clock, systemClock } from './clock.ts';
import { NetworkError } from './errors.ts';
import type { HttpRequest, HttpResponse, Transport } from './transport.ts';

export type Outcome =
  | { response: HttpResponse; error?: undefined }
  | { error: NetworkError; response?: undefined };

/**
 * `false`: final. `true` or an object: try again, waiting at least `minDelayMs`. `reason` names
 * the failure in the retry line when the HTTP status alone would mislead (UCloud fails with 200).
 */
export type RetryDecision = boolean | { minDelayMs: number; reason?: string };
export type RetryPolicy = (outcome: Outcome) => RetryDecision;

export const RETRYABLE_STATUSES = (status: number): boolean =>
  status === 429 || (status >= 500 && status <= 599);

/** Network errors that can heal (not certificate errors), timeouts, 429 and 5xx. */
export const defaultRetryPolicy: RetryPolicy = (outcome) =>
  outcome.error ? outcome.error.retryable : RETRYABLE_STATUSES(outcome.response.status);

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 8000 };
/** The longest Retry-After honoured; a server asking for more is not worth blocking a CI job for. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface SendOptions {
  transport: Transport;
  maxAttempts: number;
  timeoutMs: number;
  policy?: RetryPolicy;
  clock?: Clock;
  random?: () => number;
  backoff?: Backoff;
  /** Told about each retry (one line, no secrets: status or error, and the wait). */
  onRetry?: (message: string) => void;
}

/**
 * Exponential backoff with "equal jitter": half the window is fixed, half random, so parallel
 * jobs that failed together do not retry in lockstep, yet every wait keeps a floor. A longer
 * floor (Retry-After, a throttled service's minimum) replaces the fixed half only: the random half
 * stays on top, or every job a throttler answered "Retry-After: 1" would come back in the same
 * instant and be throttled again together.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number, floorMs = 0): number {
  const window = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1));
  return Math.round(Math.max(window / 2, floorMs) + random() * (window / 2));
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Sends a request up to `maxAttempts` times. Returns the last response (even a failing one,
 * for the caller to turn into a ServiceError); throws the last NetworkError if no answer came.
 */
export async function send(request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const policy = options.policy ?? defaultRetryPolicy;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(request, options);
    const decision = policy(outcome);
    if (decision === false || attempt >= options.maxAttempts) {
      if (outcome.error) throw attempt > 1 ? withAttempts(outcome.error, attempt) : outcome.error;
      return outcome.response;
    }
    const retryAfter = outcome.response
      ? parseRetryAfter(outcome.response.header('retry-after'), clock.now())
      : undefined;
    const floor = Math.max(typeof decision === 'object' ? decision.minDelayMs : 0, retryAfter ?? 0);
    const delay = Math.min(MAX_RETRY_AFTER_MS, backoffDelay(attempt, backoff, random, floor));
    const what =
      (typeof decision === 'object' ? decision.reason : undefined) ??
      (outcome.error ? outcome.error.message : `HTTP ${outcome.response.status}`);
    options.onRetry?.(
      `Attempt ${attempt} of ${options.maxAttempts} failed (${what}); retrying in ${(delay / 1000).toFixed(1)} s`,
    );
    await clock.sleep(delay);
  }
}

async function attemptOnce(request: HttpRequest, options: SendOptions): Promise<Outcome> {
  try {
    return { response: await options.transport(request, { timeoutMs: options.timeoutMs }) };
  } catch (error) {
    if (error instanceof NetworkError) return { error };
    throw error;
  }
}

/** The last attempt's error, counted; every field but the message is the last attempt's. */
function withAttempts(error: NetworkError, attempts: number): NetworkError {
  return new NetworkError(`${error.message} (after ${attempts} attempts)`, {
    retryable: error.retryable,
    code: error.code ?? '',
    cause: error.cause,
    phase: error.phase,
    ...(error.tls ? { tls: error.tls } : {}),
  });
}
