// Route A: GitHub ID token → project-scoped IAM token (CreateTokenWithIdToken, docs/specs/swr.md §7, IAM API
// iam_13_0605). The request builder and the answer reader are pure; `exchangeIdTokenForIamToken`
// sends through the injected transport and registers the token before returning it.
import {
  type HttpRequest,
  type HttpResponse,
  isObject,
  maskSecret,
  parseJson,
  type SendOptions,
  ServiceError,
  send,
  systemClock,
} from '@cloudcreds/core';
import { answerOf } from '../answer.ts';
import { apiUrl } from './endpoints.ts';
import { describeClaims, expiryHint, mismatchOf, readRefusal } from './failure.ts';
import type { IdToken, IdTokenClaims } from './id-token.ts';

const SERVICE = 'IAM';
export const ID_TOKEN_TOKENS_PATH = '/v3.0/OS-AUTH/id-token/tokens';

export interface IamTokenRequest {
  endpoint: URL;
  /** The IdP id (`X-Idp-Id`). */
  identityProvider: string;
  idToken: string;
  /** The project the token is scoped to: SWR is a project-level service and refuses other tokens. */
  project: { name: string } | { id: string };
}

export interface IamToken {
  token: string;
  /** ISO-8601 UTC. */
  expiresAt: string;
}

export function createIamTokenRequest(request: IamTokenRequest): HttpRequest {
  return {
    method: 'POST',
    url: apiUrl(request.endpoint, ID_TOKEN_TOKENS_PATH),
    headers: { 'Content-Type': 'application/json;charset=utf8', 'X-Idp-Id': request.identityProvider },
    body: JSON.stringify({
      auth: { id_token: { id: request.idToken }, scope: { project: request.project } },
    }),
  };
}

/** A 201 with the token in X-Subject-Token; anything else becomes one ServiceError. */
export function readIamTokenAnswer(response: HttpResponse, context: IamFailureContext): IamToken {
  if (response.status < 200 || response.status > 299) throw describeIamFailure(response, context);
  const refuse = (problem: string): ServiceError =>
    new ServiceError({ ...answerOf(SERVICE, response, context.host), problem });
  const token = response.header('x-subject-token')?.trim();
  if (!token) throw refuse('it carries no token in X-Subject-Token');
  if (/[\s\u0000-\u001f\u007f]/.test(token))
    throw refuse('its X-Subject-Token holds whitespace or control characters');
  const parsed = parseJson(response);
  const body =
    parsed.ok && isObject(parsed.value) && isObject(parsed.value['token'])
      ? parsed.value['token']
      : undefined;
  const expiresAt = typeof body?.['expires_at'] === 'string' ? Date.parse(body['expires_at']) : Number.NaN;
  if (Number.isNaN(expiresAt)) throw refuse('its body has no readable token.expires_at');
  return { token, expiresAt: new Date(expiresAt).toISOString() };
}

export interface IamFailureContext {
  /** The IAM endpoint's host[:port], which errors name. */
  host: string;
  identityProvider: string;
  claims?: IdTokenClaims;
  /** For the expiry hint: the runner's clock. */
  now: number;
}

export function describeIamFailure(response: HttpResponse, context: IamFailureContext): ServiceError {
  const refusal = readRefusal(response);
  return new ServiceError({
    ...answerOf(SERVICE, response, context.host),
    ...refusal,
    hint: iamHint(response.status, refusal.message, context),
  });
}

function iamHint(status: number, message: string | undefined, context: IamFailureContext): string {
  const claims = context.claims;
  const idp = `identity provider '${context.identityProvider}'`;
  switch (mismatchOf(message)) {
    case 'expired':
      return expiryHint(claims, context.now);
    case 'issuer':
      return `The ${idp} expects another issuer: its idp_url must be exactly ${claims?.iss ?? 'https://token.actions.githubusercontent.com'}`;
    case 'audience':
      return `The ${idp} expects another audience: its client_id must equal the token's aud${claims?.aud ? ` (${claims.aud})` : ''}, or set 'audience' to its client_id`;
    case 'signature':
      return `The token's signature does not verify with the signing_key of the ${idp}: paste GitHub's current JWKS (https://token.actions.githubusercontent.com/.well-known/jwks) into it again; GitHub rotates its keys`;
    case 'subject':
    case 'untrusted':
      return `No mapping rule of the ${idp} admits this workflow${describeClaims(claims)}: allow its sub or repository in the rule`;
    case 'provider':
      return `IAM does not know the ${idp}: check 'identity-provider' (the IdP id) and that the account in 'iam-endpoint' holds it`;
    case 'project':
      return "The project to scope the token to does not exist: check 'project-name' / 'project-id' and the region";
  }
  if (status === 401 || status === 403) {
    return `IAM refused the ID token${describeClaims(claims)}: check the idp_url (= iss), client_id (= aud), signing_key (GitHub's JWKS) and mapping rules (sub, repository) of the ${idp}`;
  }
  if (status === 404) return `Check 'identity-provider' and 'iam-endpoint'`;
  if (status === 429) return 'IAM is throttling requests: try again later';
  if (status >= 500) return 'IAM failed on its side: try again later';
  return "Check 'identity-provider' and the token request";
}

/** Sends CreateTokenWithIdToken and returns the IAM token, registered as a secret on arrival. */
export async function exchangeIdTokenForIamToken(
  request: Omit<IamTokenRequest, 'idToken'> & { idToken: IdToken },
  options: SendOptions,
): Promise<IamToken> {
  const response = await send(createIamTokenRequest({ ...request, idToken: request.idToken.token }), options);
  const answer = readIamTokenAnswer(response, {
    host: request.endpoint.host,
    identityProvider: request.identityProvider,
    claims: request.idToken.claims,
    now: (options.clock ?? systemClock).now(),
  });
  maskSecret(answer.token);
  return answer;
}
