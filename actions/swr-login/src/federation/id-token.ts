// Getting the GitHub ID token. The runner only offers one to a job whose token has the
// `id-token: write` permission: then it sets ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN. Their absence is the one common mistake, so it gets its own
// message naming the exact lines to add. The fetch itself is injected (the real one is
// `core.getIDToken`), and the variables are passed in: this module reads no environment.
import { ConfigError, isObject, maskBearer, ServiceError } from '@cloudcreds/core';

/** `core.getIDToken`'s shape: audience in, JWT out. */
export type IdTokenSource = (audience?: string) => Promise<string>;

export interface IdTokenRequestVariables {
  /** ACTIONS_ID_TOKEN_REQUEST_URL */
  requestUrl?: string | undefined;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN */
  requestToken?: string | undefined;
}

/** What the token says about itself, for error hints. Claims are not secret; the token is. */
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

export function missingPermissionMessage(variables: IdTokenRequestVariables): string {
  const missing = [
    !variables.requestUrl && 'ACTIONS_ID_TOKEN_REQUEST_URL',
    !variables.requestToken && 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  ].filter(Boolean);
  return (
    `GitHub offers no ID token to this job (${missingList(missing as string[])} not set): ` +
    'add `permissions:` with `id-token: write` to the job or workflow (list `contents: read` there too if a step checks out code, since declared permissions replace the defaults). ' +
    'Pull requests from forks never get an ID token, so OIDC federation cannot run for them'
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
  let token: string;
  try {
    token = await source(audience);
  } catch (error) {
    // The toolkit's message carries the HTTP status; it never holds the token (there is none).
    throw new ServiceError({
      service: 'GitHub OIDC token endpoint',
      message: error instanceof Error ? error.message : String(error),
      hint: 'The runner could not issue an ID token; re-run the job, and check that the job has `id-token: write`',
    });
  }
  if (token.trim() !== '') maskBearer(token);
  const claims = readClaims(token);
  if (claims === undefined) {
    throw new ServiceError({
      service: 'GitHub OIDC token endpoint',
      message: 'answered with something that is not a JWT',
    });
  }
  return { token, claims };
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
      ? value
      : Array.isArray(value) && typeof value[0] === 'string'
        ? value.join(',')
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
