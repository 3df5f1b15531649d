// One request to a Huawei Cloud API (SWR, IAM) the way swr-login sends every one of them: either
// AK/SK-signed with SDK-HMAC-SHA256, signing `content-type;host;x-sdk-date` plus `x-project-id` and
// `x-security-token` when sent (the Node SDK shape, docs/specs/swr.md §5), or with the IAM token as
// X-Auth-Token. No body: none of these APIs takes one, so the payload hash is that of ''.
import type { HttpRequest } from '@cloudcreds/core';
import { pathUnder } from './endpoint.ts';
import { canonicalQuery, formatSdkDate, sign } from './signer.ts';
import type { Credentials } from './swr.ts';

export interface ApiRequest {
  method: 'GET' | 'POST';
  /** The API's base URL; a path on it (a gateway prefix) goes before `path`. */
  endpoint: URL;
  /**
   * The API path as sent. Ids in it must be plain (`resourceIdProblem`), so that the wire form and
   * the signed form are the same string.
   */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  /** Sent (and signed) as X-Project-Id. */
  projectId?: string;
  credentials: Credentials;
}

export function apiRequest(request: ApiRequest, now: number): HttpRequest {
  const path = pathUnder(request.endpoint, request.path);
  const query = request.query ?? [];
  // The wire query is the canonical one, so the gateway sees exactly what was signed.
  const url = `${request.endpoint.origin}${path}${query.length > 0 ? `?${canonicalQuery(query)}` : ''}`;
  // Every header here is signed; User-Agent, added by the transport, is not.
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Host: request.endpoint.host,
  };
  if (request.projectId) headers['X-Project-Id'] = request.projectId;
  const credentials = request.credentials;
  if (credentials.kind === 'iam-token') {
    return { method: request.method, url, headers: { ...headers, 'X-Auth-Token': credentials.token } };
  }
  headers['X-Sdk-Date'] = formatSdkDate(now);
  if (credentials.securityToken) headers['X-Security-Token'] = credentials.securityToken;
  const { authorization } = sign({
    method: request.method,
    path,
    query,
    headers,
    body: '',
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
  });
  return { method: request.method, url, headers: { ...headers, Authorization: authorization } };
}
