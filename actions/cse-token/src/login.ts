// Getting a token from the first endpoint that gives a verdict, without ever risking the account,
// and within a bound however many endpoints are listed.
//
// - A verdict (any answer that cannot change, 401/403 above all) ends the login on the endpoint
//   that gave it: a refused login is never repeated anywhere.
// - An endpoint that took no connection (refused, unresolvable, no connection within `timeout`,
//   TLS handshake, the proxy's CONNECT) saw nothing: the next endpoint is tried at once. Only the
//   last endpoint is retried for it, with backoff.
// - A certificate verification failure ends the login: it is the same on every attempt (ca-cert).
// - Answers that can change (429, 5xx) and other network failures are retried on the same
//   endpoint, up to `max-attempts`, then the next endpoint is tried.
// - A connection that broke or timed out after the request went out may still have been counted
//   by the server as a failed login. Two such attempts, in total over all endpoints, end the
//   login: the third failed login bans the account for 15 minutes (service-center's
//   server/service/rbac/blocker.go), so the action never spends more than two of the three.
// - All endpoints together get at most `max-attempts` + 9 attempts, and (`max-attempts` + 1) ×
//   `timeout` seconds plus the backoff of one endpoint's retries (loginBudget): no attempt or wait
//   starts that would not fit. An attempt is charged at most its `timeout`, so the bound holds up
//   to the few milliseconds each attempt takes beyond its deadline.
import {
  backoffDelay,
  type Clock,
  DEFAULT_BACKOFF,
  type HttpRequest,
  type Logger,
  NetworkError,
  type Outcome,
  parseRetryAfter,
  type Transport,
} from '@cloudcreds/core';
import {
  buildTokenRequest,
  type Credentials,
  describeAnswer,
  isWorthRetrying,
  serviceFailure,
  tokenFromResponse,
} from './client.ts';

export const MAX_UNSEEN_ATTEMPTS = 2;
/** Attempts beyond one endpoint's `max-attempts`: enough to pass over nine endpoints that are down. */
export const FAILOVER_ATTEMPTS = 9;

export interface LoginLimits {
  maxAttempts: number;
  timeoutMs: number;
}

export interface LoginDeps {
  transport: Transport;
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

export interface Login {
  token: string;
  /** The endpoint that answered. */
  endpoint: URL;
  /** Endpoints passed over before it, each with what went wrong there. */
  passedOver: EndpointFailure[];
}

export interface EndpointFailure {
  endpoint: URL;
  /** What happened at the last attempt there, as one clause starting with the host. */
  what: string;
  attempts: number;
}

export interface LoginBudget {
  attempts: number;
  ms: number;
}

/** What the whole login may spend, over all endpoints (README: "How long, how many requests"). */
export function loginBudget({ maxAttempts, timeoutMs }: LoginLimits): LoginBudget {
  let backoffMs = 0;
  for (let retry = 1; retry < maxAttempts; retry++)
    backoffMs += backoffDelay(retry, DEFAULT_BACKOFF, () => 1);
  return { attempts: maxAttempts + FAILOVER_ATTEMPTS, ms: (maxAttempts + 1) * timeoutMs + backoffMs };
}

/** Whether the password may have reached the server's check although no answer came back. */
export function mayHaveBeenCounted(error: NetworkError): boolean {
  return error.phase === 'exchange' && error.retryable;
}

/**
 * Failures that another endpoint would meet again, so failing over only repeats them: certificate
 * verification (fix ca-cert), and a proxy refusing its credentials — every endpoint goes through
 * the same proxy, and repeated bad credentials can lock the proxy account.
 */
export function failsEveryEndpoint(error: NetworkError): boolean {
  return error.tls === 'certificate' || error.code === 'PROXY_AUTHENTICATION_REQUIRED';
}

export async function login(
  endpoints: URL[],
  credentials: Credentials,
  limits: LoginLimits,
  deps: LoginDeps,
): Promise<Login> {
  const budget = loginBudget(limits);
  const random = deps.random ?? Math.random;
  let attempts = 0;
  let spentMs = 0;
  let unseen = 0; // shared by all endpoints: the ban is shared by the engine's nodes
  const passedOver: EndpointFailure[] = [];
  const fits = (waitMs: number): boolean =>
    attempts < budget.attempts && spentMs + waitMs + limits.timeoutMs <= budget.ms;

  for (const [index, endpoint] of endpoints.entries()) {
    const next = endpoints[index + 1];
    const request = buildTokenRequest(endpoint, credentials);
    for (let here = 1; ; here++) {
      attempts += 1;
      const started = deps.clock.now();
      const outcome = await attempt(deps.transport, request, limits.timeoutMs);
      spentMs += Math.min(deps.clock.now() - started, limits.timeoutMs);

      if (outcome.response && !isWorthRetrying(outcome)) {
        return { token: tokenFromResponse(outcome.response, endpoint), endpoint, passedOver };
      }
      const what = outcome.response ? describeAnswer(outcome.response, endpoint) : outcome.error.message;
      const failure: EndpointFailure = { endpoint, what, attempts: here };
      if (outcome.error && failsEveryEndpoint(outcome.error)) throw giveUp(outcome, failure, passedOver);
      if (outcome.error && mayHaveBeenCounted(outcome.error)) unseen += 1;
      if (unseen >= MAX_UNSEEN_ATTEMPTS) {
        const cutShort = next !== undefined || here < limits.maxAttempts;
        throw giveUp(outcome, failure, passedOver, cutShort ? LOCKOUT_STOP : undefined);
      }

      const nothingSent = outcome.error?.phase === 'connect';
      const mayRetryHere =
        isWorthRetrying(outcome) && here < limits.maxAttempts && !(nothingSent && next !== undefined);
      if (mayRetryHere) {
        const delayMs = retryDelay(outcome, here, deps.clock, random);
        if (fits(delayMs)) {
          deps.logger.info(
            `Attempt ${here} of ${limits.maxAttempts} failed (${what}); retrying in ${(delayMs / 1000).toFixed(1)} s`,
          );
          await deps.clock.sleep(delayMs);
          spentMs += delayMs;
          continue;
        }
      }
      if (next === undefined || !fits(0)) {
        const untried = endpoints.length - index - 1;
        const stoppedEarly = mayRetryHere || untried > 0;
        const stop = stoppedEarly ? budgetSpent(budget, attempts, untried, here + 1, limits) : undefined;
        throw giveUp(outcome, failure, passedOver, stop);
      }
      deps.logger.info(`${describeFailure(failure)}; trying the next endpoint, ${next.host}`);
      passedOver.push(failure);
      break;
    }
  }
  throw new Error('no endpoint to try'); // unreachable: the endpoint input holds at least one URL
}

async function attempt(transport: Transport, request: HttpRequest, timeoutMs: number): Promise<Outcome> {
  try {
    return { response: await transport(request, { timeoutMs }) };
  } catch (error) {
    if (error instanceof NetworkError) return { error };
    throw error;
  }
}

/** Exponential backoff with jitter; `Retry-After` (seconds or a date) is a floor under it. */
function retryDelay(outcome: Outcome, attemptHere: number, clock: Clock, random: () => number): number {
  const retryAfter = outcome.response
    ? parseRetryAfter(outcome.response.header('retry-after'), clock.now())
    : undefined;
  return backoffDelay(attemptHere, DEFAULT_BACKOFF, random, retryAfter ?? 0);
}

const LOCKOUT_STOP = `stopped after ${MAX_UNSEEN_ATTEMPTS} attempts whose login may have reached the engine without an answer: it may have counted them as failed logins, and a third would ban the account for 15 minutes`;

/** Why the login stopped with attempts or endpoints left, as a clause. */
function budgetSpent(
  budget: LoginBudget,
  attempts: number,
  untried: number,
  nextAttempt: number,
  limits: LoginLimits,
): string {
  const limit =
    attempts >= budget.attempts
      ? `the login makes at most ${budget.attempts} attempts in all`
      : `the login takes at most ${(budget.ms / 1000).toFixed(1)} s in all`;
  return untried > 0
    ? `${untried} more endpoint${untried === 1 ? ' was' : 's were'} not tried: ${limit}`
    : `attempt ${nextAttempt} of ${limits.maxAttempts} did not fit: ${limit}`;
}

function describeFailure(failure: EndpointFailure): string {
  return failure.attempts > 1 ? `${failure.what} (after ${failure.attempts} attempts)` : failure.what;
}

/** Failures of endpoints passed over are listed up to this many, then counted. */
const LISTED_FAILURES = 3;

/**
 * The one error of a login that got no verdict: the last endpoint's failure (its ServiceError when
 * it answered), the endpoints passed over before it, and why the login stopped early, if it did.
 */
function giveUp(
  outcome: Outcome,
  failure: EndpointFailure,
  passedOver: EndpointFailure[],
  stop?: string,
): Error {
  const earlier = passedOver.map(describeFailure);
  const listed =
    earlier.length > LISTED_FAILURES + 1
      ? [...earlier.slice(0, LISTED_FAILURES), `${earlier.length - LISTED_FAILURES} more endpoints failed`]
      : earlier;
  if (outcome.response) {
    const context = [
      listed.length > 0 ? `Endpoints passed over before it: ${listed.join('; ')}.` : '',
      stop !== undefined ? `${stop.charAt(0).toUpperCase()}${stop.slice(1)}.` : '',
    ];
    return serviceFailure(outcome.response, failure.endpoint, context.join(' ').trim() || undefined);
  }
  const parts = [...listed, describeFailure(failure)];
  let message = parts.length > 1 ? `No service-center endpoint answered: ${parts.join('; ')}` : parts[0]!;
  if (stop !== undefined) message += `; ${stop}`;
  return new NetworkError(message, {
    retryable: false,
    code: outcome.error.code ?? '',
    cause: outcome.error,
    phase: outcome.error.phase,
  });
}
