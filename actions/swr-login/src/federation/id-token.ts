// Getting the GitHub ID token. The runner only offers one to a job whose token has the
// `id-token: write` permission: then it sets ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN. Their absence is the one common mistake, so it gets its own
// message naming the exact lines to add. The fetch itself is injected (the real one is
// `core.getIDToken`), and the variables are passed in: this module reads no environment.
import {
  ConfigError,
  type IdTokenSource,
  isObject,
  maskBearer,
  NetworkError,
  printable,
  ServiceError,
} from '@cloudcreds/core';

export interface IdTokenRequestVariables {
  /** ACTIONS_ID_TOKEN_REQUEST_URL */
  requestUrl?: string | undefined;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN */
  requestToken?: string | undefined;
}

/**
 * What the token says about itself, for error hints and log lines. Claims are not secret; the token
 * is. They are read from a token that came from the network, so they are kept printable only.
 */
export interface IdTokenClaims {
  iss?: string;
  aud?: string;
  sub?: string;
  /** Unix seconds. */
  exp?: number;
}

export interface IdToken {
  token: string;
  claims: IdTokenClaims;
}

const SERVICE = "GitHub's OIDC token endpoint";

export function missingPermissionMessage(variables: IdTokenRequestVariables): string {
  const missing = [
    !variables.requestUrl && 'ACTIONS_ID_TOKEN_REQUEST_URL',
    !variables.requestToken && 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  ].filter(Boolean);
  return (
    `GitHub offers no ID token to this job (${missingList(missing as string[])} not set): ` +
    'add `permissions:` with `id-token: write` to the job or workflow (list `contents: read` there too if a step checks out code, since declared permissions replace the defaults). ' +
    "Pull requests from forks never get an ID token, so OIDC federation ('identity-provider', 'agency-urn') cannot run for them"
  );
}

/**
 * Fetches the ID token for `audience` (GitHub's default audience when undefined) and registers it
 * (and its JWT segments) as a secret before anything else can see it.
 */
export async function fetchIdToken(
  source: IdTokenSource,
  variables: IdTokenRequestVariables,
  audience: string | undefined,
): Promise<IdToken> {
  if (!variables.requestUrl || !variables.requestToken) {
    throw new ConfigError(missingPermissionMessage(variables));
  }
  const host = hostOf(variables.requestUrl);
  let token: string;
  try {
    token = await source(audience);
  } catch (error) {
    // The toolkit's message carries the HTTP status when the endpoint answered; it never holds the
    // token (there is none).
    throw idTokenFailure(error instanceof Error ? error.message : String(error), host);
  }
  if (token.trim() !== '') maskBearer(token);
  const claims = readClaims(token);
  if (claims === undefined) {
    throw new ServiceError({
      service: SERVICE,
      ...(host ? { host } : {}),
      problem: 'what it returned is not a JWT',
      hint: "Federation through 'identity-provider' or 'agency-urn' needs GitHub's signed ID token: re-run the job, and check that ACTIONS_ID_TOKEN_REQUEST_URL leads to GitHub's token service",
    });
  }
  return { token, claims };
}

const RETRY_HINT =
  'The runner could not issue an ID token: re-run the job, and check that the job has `id-token: write`';

/**
 * `core.getIDToken` fails with "Error message: Failed to get ID Token. Error Code : <status>
 * Error Message: <text>" (the status is "undefined" when nothing answered), or with a sentence of
 * its own ("Response json body do not have ID Token field").
 */
function idTokenFailure(toolkitMessage: string, host: string | undefined): Error {
  const status = /Error Code : (\d{3})\b/.exec(toolkitMessage)?.[1];
  const message =
    /Error Message: ?([\s\S]*)$/.exec(toolkitMessage)?.[1]?.trim() ??
    toolkitMessage.replace(/^Error message: /, '');
  if (status !== undefined) {
    return new ServiceError({
      service: SERVICE,
      ...(host ? { host } : {}),
      status: Number(status),
      message,
      hint: RETRY_HINT,
    });
  }
  return new NetworkError(
    `${SERVICE}${host ? ` (${host})` : ''} did not answer with an ID token (${printable(message, 300)}). ${RETRY_HINT}`,
    { retryable: false },
  );
}

function hostOf(url: string | undefined): string | undefined {
  return url && URL.canParse(url) ? printable(new URL(url).host, 200) : undefined;
}

/** The claims the hints use, read without verification (the service verifies), or undefined. */
export function readClaims(token: string): IdTokenClaims | undefined {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments[1]) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(segments[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(payload)) return undefined;
  const text = (value: unknown): string | undefined =>
    typeof value === 'string'
      ? printable(value, 300)
      : Array.isArray(value) && typeof value[0] === 'string'
        ? printable(value.join(','), 300)
        : undefined;
  const claims: IdTokenClaims = {};
  const iss = text(payload['iss']);
  const aud = text(payload['aud']);
  const sub = text(payload['sub']);
  if (iss !== undefined) claims.iss = iss;
  if (aud !== undefined) claims.aud = aud;
  if (sub !== undefined) claims.sub = sub;
  if (typeof payload['exp'] === 'number') claims.exp = payload['exp'];
  return claims;
}

function missingList(names: string[]): string {
  return names.length === 2 ? `${names[0]} and ${names[1]} are` : `${names[0]} is`;
}
