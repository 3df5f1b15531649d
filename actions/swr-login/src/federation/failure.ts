// Reading an IAM or STS refusal. IAM documents `{"error_msg","error_code"}`; its Keystone-derived
// token APIs answer `{"error":{"code":<status>,"message","title"}}`; IAM5/STS adds `request_id`
// (and `encoded_authorization_message` when access is denied). The exact code for each OIDC
// mismatch is not documented, so hints are chosen from the message text and the status, and the
// fallback names every likely mismatch with the token's actual claims.
import { bodySnippet, type HttpResponse, isObject, parseJson, stringField } from '@cloudcreds/core';
import type { IdTokenClaims } from './id-token.ts';

export interface Refusal {
  code?: string;
  message?: string;
  requestId?: string;
}

export function readRefusal(response: HttpResponse): Refusal {
  const parsed = parseJson(response);
  const refusal: Refusal = {};
  if (parsed.ok && isObject(parsed.value)) {
    const body = parsed.value;
    const nested = isObject(body['error']) ? body['error'] : {};
    // Keystone's `code` is the HTTP status again; its `title` names the kind ("Unauthorized").
    const nestedCode = stringField(nested, 'code');
    const code =
      stringField(body, 'error_code') ?? (nestedCode && !/^\d+$/.test(nestedCode) ? nestedCode : undefined);
    const title = stringField(nested, 'title');
    const message =
      stringField(body, 'error_msg') ??
      [title, stringField(nested, 'message')].filter((part) => part !== undefined && part !== '').join(': ');
    if (code) refusal.code = code;
    if (message) refusal.message = message;
    const requestId = stringField(body, 'request_id');
    if (requestId) refusal.requestId = requestId;
  }
  // Not the usual JSON (a gateway's or a proxy's page): its start is the only message there is.
  if (!refusal.code && !refusal.message) {
    const snippet = bodySnippet(response);
    if (snippet !== '') refusal.message = snippet;
  }
  const header = response.header('x-request-id');
  if (!refusal.requestId && header) refusal.requestId = header;
  return refusal;
}

export type Mismatch =
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'signature'
  | 'untrusted'
  | 'subject'
  | 'provider'
  | 'project'
  | 'agency';

/** Which mismatch a refusal's words point at; undefined when they name none. */
export function mismatchOf(message: string | undefined): Mismatch | undefined {
  const text = message ?? '';
  if (/expire|\bexp\b/i.test(text)) return 'expired';
  if (/issuer|\biss\b|idp_url/i.test(text)) return 'issuer';
  if (/audience|\baud\b|client.?id/i.test(text)) return 'audience';
  if (/signature|signing|jwks|\bkey\b/i.test(text)) return 'signature';
  if (/not trust/i.test(text)) return 'untrusted';
  if (/mapping|rule|condition|\bsub\b|subject/i.test(text)) return 'subject';
  if (/identity.?provider|\bidp\b|provider/i.test(text)) return 'provider';
  if (/project|scope/i.test(text)) return 'project';
  if (/agency/i.test(text)) return 'agency';
  return undefined;
}

/** The token's claims as a short parenthesis, for hints. */
export function describeClaims(claims: IdTokenClaims | undefined): string {
  if (!claims) return '';
  const parts = [
    claims.iss && `iss ${claims.iss}`,
    claims.aud && `aud ${claims.aud}`,
    claims.sub && `sub ${claims.sub}`,
  ].filter(Boolean);
  return parts.length ? ` (the token has ${parts.join(', ')})` : '';
}

export function expiryHint(claims: IdTokenClaims | undefined, now: number): string {
  const exp = claims?.exp;
  const when =
    exp === undefined
      ? ''
      : ` (exp ${new Date(exp * 1000).toISOString()}, runner clock ${new Date(now).toISOString()})`;
  return `The ID token was expired when it arrived${when}: check the runner clock; GitHub tokens live a few minutes, so do not fetch one early`;
}
