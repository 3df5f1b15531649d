// Route B: GitHub ID token → temporary AK/SK + security token (STS AssumeAgencyWithOIDC, docs/specs/swr.md §7,
// IAM5 API "AssumeAgencyWithOIDC"). The call is unsigned: the ID token is the credential. Pure
// request builder and answer reader; `assumeAgencyWithOidc` sends through the injected transport
// and registers every part of the credential before returning it.
import {
  type HttpRequest,
  type HttpResponse,
  isObject,
  maskSecret,
  parseJson,
  type SendOptions,
  ServiceError,
  send,
  stringField,
  systemClock,
} from '@cloudcreds/core';
import { answerOf } from '../answer.ts';
import { apiUrl } from './endpoints.ts';
import { describeClaims, expiryHint, mismatchOf, readRefusal } from './failure.ts';
import type { IdToken, IdTokenClaims } from './id-token.ts';

const SERVICE = 'STS';
export const ASSUME_WITH_OIDC_PATH = '/v5/agencies/assume-with-oidc';

/**
 * The shortest lifetime STS grants (900 s). The keys are used once, within seconds, to sign a
 * single CreateSecret call; the docker login that follows uses SWR's own temporary credentials,
 * whose lifetime `duration-seconds` controls. Longer-lived keys would only widen the window in
 * which a leaked key is useful.
 */
export const SESSION_DURATION_SECONDS = 900;

export interface AssumeAgencyRequest {
  endpoint: URL;
  idToken: string;
  providerUrn: string;
  agencyUrn: string;
  sessionName: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  securityToken: string;
  /** ISO-8601 UTC. */
  expiresAt: string;
}

const SESSION_NAME_CHARACTER = /[A-Za-z0-9_+=,.@-]/;

/**
 * `swr-login-<run id>-<attempt>`: names the run in CTS audit records. Limited to the characters
 * IAM5 names allow (letters, digits, `_+=,.@-`; the session name's own set is not documented) and
 * 2–128 characters.
 */
export function sessionName(runId: string | undefined, runAttempt: string | undefined): string {
  const raw = ['swr-login', runId, runAttempt].filter((part) => part !== undefined && part !== '').join('-');
  const clean = [...raw]
    .map((character) => (SESSION_NAME_CHARACTER.test(character) ? character : '_'))
    .join('');
  return clean.slice(0, 128);
}

export function createAssumeAgencyRequest(request: AssumeAgencyRequest): HttpRequest {
  return {
    method: 'POST',
    url: apiUrl(request.endpoint, ASSUME_WITH_OIDC_PATH),
    headers: { 'Content-Type': 'application/json;charset=utf8' },
    body: JSON.stringify({
      id_token: request.idToken,
      provider_urn: request.providerUrn,
      agency_urn: request.agencyUrn,
      agency_session_name: request.sessionName,
      duration_seconds: SESSION_DURATION_SECONDS,
    }),
  };
}

export interface StsFailureContext {
  /** The STS endpoint's host[:port], which errors name. */
  host: string;
  providerUrn: string;
  agencyUrn: string;
  claims?: IdTokenClaims;
  now: number;
}

export function readAssumeAgencyAnswer(
  response: HttpResponse,
  context: StsFailureContext,
): TemporaryCredentials {
  if (response.status < 200 || response.status > 299) throw describeStsFailure(response, context);
  const refuse = (problem: string): ServiceError =>
    new ServiceError({ ...answerOf(SERVICE, response, context.host), problem });
  const parsed = parseJson(response);
  if (!parsed.ok) throw refuse(parsed.problem);
  const credentials =
    isObject(parsed.value) && isObject(parsed.value['credentials']) ? parsed.value['credentials'] : {};
  const accessKeyId = stringField(credentials, 'access_key_id');
  const secretAccessKey = stringField(credentials, 'secret_access_key');
  const securityToken = stringField(credentials, 'security_token');
  const expiration = stringField(credentials, 'expiration');
  if (!accessKeyId || !secretAccessKey || !securityToken) {
    throw refuse('its body lacks access_key_id, secret_access_key or security_token in "credentials"');
  }
  // They end up in a signed header and an Authorization line: nothing that could break one.
  if (![accessKeyId, secretAccessKey, securityToken].every((value) => /^[\x21-\x7e]+$/.test(value))) {
    throw refuse('its credentials hold whitespace or control characters');
  }
  const expiresAt = expiration === undefined ? Number.NaN : Date.parse(expiration);
  if (Number.isNaN(expiresAt)) throw refuse('its body has no readable credentials.expiration');
  return { accessKeyId, secretAccessKey, securityToken, expiresAt: new Date(expiresAt).toISOString() };
}

export function describeStsFailure(response: HttpResponse, context: StsFailureContext): ServiceError {
  const refusal = readRefusal(response);
  return new ServiceError({
    ...answerOf(SERVICE, response, context.host),
    ...refusal,
    hint: stsHint(response.status, refusal.message, context),
  });
}

function stsHint(status: number, message: string | undefined, context: StsFailureContext): string {
  const claims = context.claims;
  switch (mismatchOf(message)) {
    case 'expired':
      return expiryHint(claims, context.now);
    case 'issuer':
      return /oidc:iss/.test(message ?? '')
        ? `The agency's trust policy condition oidc:iss does not admit ${claims?.iss ?? 'the token issuer'}`
        : `The OIDC provider '${context.providerUrn}' has another URL: it must be exactly ${claims?.iss ?? 'https://token.actions.githubusercontent.com'}`;
    case 'audience':
      return /oidc:aud/.test(message ?? '')
        ? `The agency's trust policy condition oidc:aud does not admit the token's aud${claims?.aud ? ` (${claims.aud})` : ''}`
        : `The token's aud${claims?.aud ? ` (${claims.aud})` : ''} is not a client id of the OIDC provider: add it there, or set 'audience' to one of its client ids`;
    case 'signature':
      return "The token's signature does not verify with the OIDC provider's keys: check that the provider's URL is https://token.actions.githubusercontent.com";
    case 'untrusted':
      return `The trust policy of '${context.agencyUrn}' does not name '${context.providerUrn}': add it as the federated principal`;
    case 'subject':
      return `The trust policy of '${context.agencyUrn}' does not admit this workflow${describeClaims(claims)}: allow its sub in the oidc:sub condition (e.g. repo:<owner>/<repo>:ref:refs/heads/main, or with *)`;
    case 'provider':
      return `STS does not know '${context.providerUrn}': check 'provider-urn' and the region of 'sts-endpoint'`;
    case 'agency':
      return `STS does not know '${context.agencyUrn}': check 'agency-urn'`;
    case 'project':
      break;
  }
  if (status === 401 || status === 403) {
    return `STS refused the ID token${describeClaims(claims)}: check the OIDC provider (URL = iss, client ids include aud) and the agency's trust policy (oidc:iss, oidc:aud, oidc:sub)`;
  }
  if (status === 429) return 'STS is throttling requests: try again later';
  if (status >= 500) return 'STS failed on its side: try again later';
  return "Check 'agency-urn', 'provider-urn' and 'sts-endpoint'";
}

/** Sends AssumeAgencyWithOIDC and returns the temporary keys, each registered as a secret on arrival. */
export async function assumeAgencyWithOidc(
  request: Omit<AssumeAgencyRequest, 'idToken'> & { idToken: IdToken },
  options: SendOptions,
): Promise<TemporaryCredentials> {
  const response = await send(
    createAssumeAgencyRequest({ ...request, idToken: request.idToken.token }),
    options,
  );
  const credentials = readAssumeAgencyAnswer(response, {
    host: request.endpoint.host,
    providerUrn: request.providerUrn,
    agencyUrn: request.agencyUrn,
    claims: request.idToken.claims,
    now: (options.clock ?? systemClock).now(),
  });
  maskSecret(credentials.accessKeyId);
  maskSecret(credentials.secretAccessKey);
  maskSecret(credentials.securityToken);
  return credentials;
}
