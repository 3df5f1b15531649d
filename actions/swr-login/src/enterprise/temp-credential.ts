// CreateInstanceTempCredential (docs/specs/swr.md §10): a 24-hour docker login for one Enterprise instance.
// The answer holds no host and no login command, so the action composes `login-command` itself,
// in the same shape as CreateSecret's. Pure request builder and answer reader;
// `createTempCredential` sends and registers the credential before anything can print it.
import {
  type HttpRequest,
  type HttpResponse,
  isObject,
  maskBasicAuth,
  parseJson,
  type SendOptions,
  ServiceError,
  send,
  systemClock,
} from '@cloudcreds/core';
import { answerOf } from '../answer.ts';
import { apiRequest } from '../api-request.ts';
import { smugglingProblem } from '../registry-host.ts';
import { readExpireDate } from './expire-date.ts';
import { describeEnterpriseFailure, type EnterpriseTarget } from './failure.ts';
import { type InstanceRequest, instancePath } from './instance.ts';

export interface TempCredential {
  /** The docker user name. */
  userId: string;
  /** The docker password (secret). */
  authToken: string;
  /** `token_id`: names the credential (not secret), when sent as printable text. */
  credentialId?: string;
  /** ISO-8601 UTC, only when `expire_date` names one instant. */
  expiresAt?: string;
  warnings: string[];
}

const SERVICE = 'SWR';

export function tempCredentialPath(projectId: string, instanceId: string): string {
  return `${instancePath(projectId, instanceId)}/temp-credential`;
}

export function createTempCredentialRequest(request: InstanceRequest, now: number): HttpRequest {
  return apiRequest(
    {
      method: 'POST',
      endpoint: request.endpoint,
      path: tempCredentialPath(request.projectId, request.instanceId),
      projectId: request.projectId,
      credentials: request.credentials,
    },
    now,
  );
}

/** Reads a temp-credential answer (201); anything but a usable 2xx becomes one ServiceError. */
export function readTempCredentialAnswer(response: HttpResponse, target: EnterpriseTarget): TempCredential {
  if (response.status < 200 || response.status > 299) {
    throw describeEnterpriseFailure(response, 'create-temp-credential', target);
  }
  // Never echoes user_id or auth_token: the problem names the field and what is wrong with it.
  const refuse = (problem: string): ServiceError =>
    new ServiceError({ ...answerOf(SERVICE, response, target.host), problem });
  const parsed = parseJson(response);
  if (!parsed.ok) throw refuse(parsed.problem);
  if (!isObject(parsed.value)) throw refuse('it sent no credential object');
  const body = parsed.value;
  const userId = body['user_id'];
  const authToken = body['auth_token'];
  if (typeof userId !== 'string') throw refuse('the credential has no user_id');
  if (typeof authToken !== 'string') throw refuse('the credential has no auth_token');
  const userProblem = smugglingProblem(userId) ?? (userId.includes(':') ? "contains ':'" : undefined);
  if (userProblem) throw refuse(`the credential's user_id ${userProblem}`);
  const tokenProblem = smugglingProblem(authToken);
  if (tokenProblem) throw refuse(`the credential's auth_token ${tokenProblem}`);

  const warnings: string[] = [];
  const expireDate = readExpireDate(body['expire_date']);
  if (expireDate.kind === 'unreadable') {
    warnings.push(
      `SWR sent an expire_date that is not an RFC 3339 time with a zone ("${expireDate.raw}"); expires-at is not set`,
    );
  }
  const tokenId = body['token_id'];
  const credentialId =
    typeof tokenId === 'string' && /^[\x21-\x7e]{1,128}$/.test(tokenId) ? tokenId : undefined;
  if (tokenId !== undefined && credentialId === undefined) {
    warnings.push('SWR sent a token_id that is not short printable text; credential-id is not set');
  }
  return {
    userId,
    authToken,
    ...(credentialId !== undefined ? { credentialId } : {}),
    ...(expireDate.kind === 'instant' ? { expiresAt: expireDate.expiresAt } : {}),
    warnings,
  };
}

/** The Enterprise `login-command` output: CreateSecret's shape, composed by the action (holds the password). */
export function enterpriseLoginCommand(
  credential: Pick<TempCredential, 'userId' | 'authToken'>,
  registry: string,
): string {
  return `docker login -u ${credential.userId} -p ${credential.authToken} ${registry}`;
}

/** Sends temp-credential and returns the credential, its password (and docker's forms of it) masked. */
export async function createTempCredential(
  request: InstanceRequest & { region: string },
  options: SendOptions,
): Promise<TempCredential> {
  const now = (options.clock ?? systemClock).now();
  const response = await send(createTempCredentialRequest(request, now), options);
  const credential = readTempCredentialAnswer(response, { ...request, host: request.endpoint.host });
  maskBasicAuth(credential.userId, credential.authToken);
  return credential;
}
