// The one call this action makes, `POST /v4/token` (service-center's
// server/resource/rbac/auth_resource.go, https://github.com/apache/servicecomb-service-center),
// and how to read its answers.
// Pure: a request description out, a token or a ServiceError in. What to retry lives here too,
// because only this service's rules say which answers can change.
import {
  bodySnippet,
  type HttpRequest,
  type HttpResponse,
  isObject,
  type Outcome,
  parseJson,
  printable,
  RETRYABLE_STATUSES,
  ServiceError,
  type ServiceFailure,
  stringField,
} from '@cloudcreds/core';

export interface Credentials {
  username: string;
  password: string;
  /** `tokenExpirationTime`, already checked; omitted means the server default (12h). */
  tokenExpiration?: string | undefined;
}

/** The endpoint as users write it: no trailing slash, any path prefix kept (e.g. behind a gateway). */
export function endpointText(endpoint: URL): string {
  return `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}`;
}

export function tokenUrl(endpoint: URL): string {
  return `${endpointText(endpoint)}/v4/token`;
}

export function buildTokenRequest(endpoint: URL, credentials: Credentials): HttpRequest {
  return {
    method: 'POST',
    url: tokenUrl(endpoint),
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      // Ignored for RBAC accounts, but every official client sends it.
      'X-Domain-Name': 'default',
    },
    body: JSON.stringify({
      name: credentials.username,
      password: credentials.password,
      ...(credentials.tokenExpiration ? { tokenExpirationTime: credentials.tokenExpiration } : {}),
    }),
  };
}

export interface ErrorBody {
  code?: string;
  message?: string;
  detail?: string;
}

/**
 * service-center's `{errorCode, errorMessage, detail}` (code as string or number), else a Huawei
 * front layer's `{error_code, error_message|error_msg}`, else the start of the text.
 */
export function parseErrorBody(response: HttpResponse): ErrorBody {
  const parsed = parseJson(response);
  if (parsed.ok && isObject(parsed.value)) {
    const body = parsed.value;
    const code = stringField(body, 'errorCode');
    if (code !== undefined)
      return compact({
        code,
        message: stringField(body, 'errorMessage'),
        detail: stringField(body, 'detail'),
      });
    const frontCode = stringField(body, 'error_code');
    if (frontCode !== undefined) {
      return compact({
        code: frontCode,
        message: stringField(body, 'error_message') ?? stringField(body, 'error_msg'),
      });
    }
  }
  // A success status with an unexpected body may still carry a token: never quote it.
  if (response.status >= 200 && response.status < 300) return {};
  // Not the service's JSON (a proxy, a router's 404): its start, quoted as what was received.
  const snippet = bodySnippet(response);
  return snippet === '' ? {} : { message: snippet };
}

function compact(body: ErrorBody): ErrorBody {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined && value !== ''));
}

const WRONG_CREDENTIALS = new Set(['401202', '401302', '401002']);
/** Huawei's front-layer attempt limiter ("exceed times"): a credential verdict, never retried. */
const ATTEMPT_LIMIT = 'SVCSTG.00300401';

const LOCKOUT_RULE =
  'service-center bans an account from a client IP address for 15 minutes at its third failed login, so the action never retries a refused login';

function hintFor(status: number, body: ErrorBody): string | undefined {
  if (body.code === ATTEMPT_LIMIT) {
    return 'The engine limits login attempts for this account and refused this one; it is not retried. Check the account name and password, and wait before the next run.';
  }
  if ((body.code !== undefined && WRONG_CREDENTIALS.has(body.code)) || status === 401) {
    return `The account name or password is wrong (or empty). ${LOCKOUT_RULE}; fix the credentials before running again.`;
  }
  if (body.code === '403201') {
    return 'The account is blocked from this IP address for up to 15 minutes after repeated failed logins; even the right password is refused until then. Wait, then run once with the correct password.';
  }
  if (status === 403) return `The login was refused. ${LOCKOUT_RULE}.`;
  if (status === 404 && body.code === undefined) {
    return 'There is no /v4/token here: security authentication (RBAC) is off on this engine, or the endpoint is not the service-center address (e.g. https://10.0.0.5:30100).';
  }
  if (status === 405) {
    return 'The endpoint does not accept POST /v4/token: check that it is the service-center address.';
  }
  if (body.code === '400001') return 'The server refused a parameter of the login request.';
  return undefined;
}

/** A failing answer as one ServiceError: who answered, status, code, message and detail, what to do. */
export function serviceFailure(response: HttpResponse, endpoint: URL, extraHint?: string): ServiceError {
  const body = parseErrorBody(response);
  const message = [body.message, body.detail && body.detail !== body.message ? `(${body.detail})` : undefined]
    .filter(Boolean)
    .join(' ');
  const hint = [hintFor(response.status, body), extraHint].filter(Boolean).join(' ');
  return new ServiceError({
    ...answerOf(response, endpoint),
    ...(body.code !== undefined ? { code: body.code } : {}),
    ...(message !== '' ? { message } : {}),
    ...(hint !== '' ? { hint } : {}),
  });
}

/** Who answered, where, with which status and request id: the facts every ServiceError starts with. */
function answerOf(response: HttpResponse, endpoint: URL): ServiceFailure {
  const requestId = response.header('x-request-id') ?? response.header('x-trace-id');
  return {
    service: 'service-center',
    host: endpoint.host,
    status: response.status,
    ...(requestId ? { requestId } : {}),
  };
}

/** A token longer than this is no service-center JWT (three claims: well under 2 KiB). */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** The token of a 200 answer. The body itself is never logged or quoted: it is the secret. */
export function tokenFromResponse(response: HttpResponse, endpoint: URL): string {
  if (response.status !== 200) throw serviceFailure(response, endpoint);
  const unusable = (problem: string): ServiceError =>
    new ServiceError({ ...answerOf(response, endpoint), problem });
  const parsed = parseJson(response);
  if (!parsed.ok) throw unusable(parsed.problem);
  const token = isObject(parsed.value) ? parsed.value['token'] : undefined;
  if (typeof token !== 'string' || token === '') throw unusable('the body carries no token');
  if (token.length > MAX_TOKEN_LENGTH) {
    throw unusable(
      `the token is ${token.length} characters long, more than the ${MAX_TOKEN_LENGTH} this action accepts (a service-center token, with its three claims, is well under 2 KiB)`,
    );
  }
  if (!TOKEN_CHARACTERS.test(token)) throw unusable('the token contains spaces or control characters');
  return token;
}

/** An answer in a retry line: host, status and the service's code (made printable: it is network text). */
export function describeAnswer(response: HttpResponse, endpoint: URL): string {
  const code = parseErrorBody(response).code;
  return `${endpoint.host} answered HTTP ${response.status}${code !== undefined ? ` with error code ${printable(code, 100)}` : ''}`;
}

export function isAttemptLimit(response: HttpResponse): boolean {
  return parseErrorBody(response).code === ATTEMPT_LIMIT;
}

/**
 * Whether another attempt could succeed: network errors that can heal, 429 and 5xx. Everything
 * else is the server's verdict (400, 401, 403, 404, 405, the front-layer attempt limit), and a
 * retried 401 would spend one of the account's tolerated failures.
 */
export function isWorthRetrying(outcome: Outcome): boolean {
  if (outcome.error) return outcome.error.retryable;
  return RETRYABLE_STATUSES(outcome.response.status) && !isAttemptLimit(outcome.response);
}
