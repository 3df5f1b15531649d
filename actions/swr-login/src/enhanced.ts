// The "enhanced" temporary login command, CreateAuthorizationToken (docs/specs/swr.md §11), for principals of
// the new IAM plane (identity policies). Its answer is CreateSecret's (`auths`, X-Swr-Dockerlogin
// with a `bearertoken@…` user, an expiry header spelled `x-swr-expireat`), so it is read by the
// same reader; it takes no projectname and no lifetime. Only its refusals differ: Huawei's pages
// disagree on the permissions it needs, so a 401/403 names both.
import {
  type HttpRequest,
  type HttpResponse,
  maskBasicAuth,
  maskSecret,
  type SendOptions,
  type ServiceError,
  send,
  sentence,
  systemClock,
} from '@cloudcreds/core';
import { apiRequest } from './api-request.ts';
import { withAuthorizationMessage } from './authorization-message.ts';
import { type Credentials, describeSwrFailure, readCreateSecretAnswer, type TemporaryLogin } from './swr.ts';

export const AUTHORIZATION_TOKEN_PATH = '/v2/manage/utils/authorizationtoken';

export interface AuthorizationTokenRequest {
  endpoint: URL;
  /** Sent as X-Project-Id when set, as for CreateSecret. */
  projectId?: string;
  credentials: Credentials;
}

const PERMISSIONS_HINT =
  'CreateAuthorizationToken serves principals of the new IAM plane (identity policies) only, and ' +
  "Huawei's pages name two permissions for it: grant swr::createAuthorizationToken and " +
  "sts::createServiceBearerToken, or set 'enhanced: false' to use CreateSecret";

export function createAuthorizationTokenRequest(
  request: AuthorizationTokenRequest,
  now: number,
): HttpRequest {
  return apiRequest(
    {
      method: 'POST',
      endpoint: request.endpoint,
      path: AUTHORIZATION_TOKEN_PATH,
      ...(request.projectId ? { projectId: request.projectId } : {}),
      credentials: request.credentials,
    },
    now,
  );
}

/**
 * Reads a CreateAuthorizationToken answer; anything but a usable 2xx becomes one ServiceError.
 * `host` is the endpoint's host[:port], which the error names.
 */
export function readAuthorizationTokenAnswer(response: HttpResponse, host?: string): TemporaryLogin {
  if (response.status < 200 || response.status > 299) throw describeAuthorizationTokenFailure(response, host);
  return readCreateSecretAnswer(response, host);
}

export function describeAuthorizationTokenFailure(response: HttpResponse, host?: string): ServiceError {
  const failure = describeSwrFailure(response, host).failure;
  if (response.status !== 401 && response.status !== 403) return withAuthorizationMessage(failure, response);
  // A 401 keeps its credential hint (signature, clock, expired token); a 403's is CreateSecret's permission.
  const credentialHint = response.status === 401 && failure.hint ? `${sentence(failure.hint)} ` : '';
  return withAuthorizationMessage({ ...failure, hint: `${credentialHint}${PERMISSIONS_HINT}` }, response);
}

/** Sends CreateAuthorizationToken and returns the login, every form of its password masked. */
export async function createAuthorizationToken(
  request: AuthorizationTokenRequest,
  options: SendOptions,
): Promise<TemporaryLogin> {
  const now = (options.clock ?? systemClock).now();
  const response = await send(createAuthorizationTokenRequest(request, now), options);
  const login = readAuthorizationTokenAnswer(response, request.endpoint.host);
  for (const entry of login.logins) maskBasicAuth(entry.username, entry.password);
  maskSecret(login.loginCommand);
  if (login.loginHeader) maskSecret(login.loginHeader);
  return login;
}
