// Getting a token from the first endpoint that gives a verdict, without ever risking the account.
//
// The loop, and why it is bounded:
// - Each endpoint gets up to `max-attempts` attempts through core's `send`; only outcomes that can
//   change are retried there (client.ts: healable network errors, 429, 5xx).
// - After such an outcome the next endpoint is tried, so at most endpoints × max-attempts requests
//   are made, each bounded by `timeout`, with bounded backoff between them.
// - A verdict (any other HTTP answer, 401/403 above all) ends the run on the endpoint that gave
//   it: a refused login is never repeated anywhere.
// - A certificate verification failure ends it too: it is a deterministic configuration problem
//   (ca-cert), and no request was sent.
// - A timeout or a connection dropped after the request went out may still have been counted by
//   the server as a failed login (cse.md §10). Two such unseen attempts, in total over all
//   endpoints, end the run: with the third failure the server bans the account, so the action
//   never spends more than two of the three.
import {
  type Clock,
  type HttpResponse,
  NetworkError,
  type Outcome,
  type RetryPolicy,
  send,
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

export interface LoginOptions {
  transport: Transport;
  clock: Clock;
  maxAttempts: number;
  timeoutMs: number;
  log: { info(message: string): void; warning(message: string): void };
  random?: () => number;
}

export interface Login {
  token: string;
  /** The endpoint that answered. */
  endpoint: URL;
}

// Failures before any byte of the request left: the server cannot have counted them.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** Whether the password may have reached the server's check although no answer came back. */
export function mayHaveBeenCounted(error: NetworkError): boolean {
  if (NOT_SENT_CODES.has(error.code ?? '')) return false;
  // TLS fails before the request is written: the password never left.
  if (error.tls !== undefined) return false;
  return error.retryable;
}

/** Certificate verification failures are the same on every attempt: fix ca-cert, do not fail over. */
export function isCertificateFailure(error: NetworkError): boolean {
  return error.tls === 'certificate';
}

export async function login(
  endpoints: URL[],
  credentials: Credentials,
  options: LoginOptions,
): Promise<Login> {
  let unseen = 0; // shared by all endpoints: the ban is shared by the engine's nodes
  const earlier: string[] = [];

  for (const [index, endpoint] of endpoints.entries()) {
    const next = endpoints[index + 1];
    let attemptsHere = 0;
    const policy: RetryPolicy = (outcome: Outcome) => {
      attemptsHere += 1;
      if (outcome.error && mayHaveBeenCounted(outcome.error)) unseen += 1;
      if (!isWorthRetrying(outcome) || unseen >= MAX_UNSEEN_ATTEMPTS) return false;
      // Name the endpoint in the retry line: a bare "HTTP 500" does not say which one.
      return outcome.response ? { minDelayMs: 0, reason: describeAnswer(outcome.response, endpoint) } : true;
    };
    let response: HttpResponse;
    try {
      response = await send(buildTokenRequest(endpoint, credentials), {
        transport: options.transport,
        maxAttempts: options.maxAttempts,
        timeoutMs: options.timeoutMs,
        clock: options.clock,
        policy,
        ...(options.random ? { random: options.random } : {}),
        onRetry: (message) => options.log.info(message),
      });
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      const budgetSpent = unseen >= MAX_UNSEEN_ATTEMPTS;
      if (next === undefined || budgetSpent || isCertificateFailure(error)) {
        const cutShort = budgetSpent && (next !== undefined || attemptsHere < options.maxAttempts);
        throw finalNetworkError(error, earlier, cutShort);
      }
      earlier.push(error.message);
      options.log.warning(`${error.message}; trying the next endpoint, ${next.host}`);
      continue;
    }
    if (next !== undefined && isWorthRetrying({ response })) {
      const failure = serviceFailure(response, endpoint);
      earlier.push(failure.message);
      options.log.warning(`${failure.message}; trying the next endpoint, ${next.host}`);
      continue;
    }
    return { token: tokenFromResponse(response, endpoint), endpoint };
  }
  throw new Error('no endpoint to try'); // unreachable: the endpoint input holds at least one URL
}

function finalNetworkError(error: NetworkError, earlier: string[], cutShort: boolean): NetworkError {
  const parts = [...earlier, error.message];
  let message = parts.length > 1 ? `No service-center endpoint answered: ${parts.join('; ')}` : error.message;
  if (cutShort) {
    message += `; stopped after ${MAX_UNSEEN_ATTEMPTS} attempts that went unanswered after sending the password, since the server may have counted them as failed logins and a third would ban the account for 15 minutes`;
  }
  return new NetworkError(message, { retryable: false, code: error.code ?? '', cause: error });
}
