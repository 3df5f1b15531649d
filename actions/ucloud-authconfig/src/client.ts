// GetAuthConfig over HTTP: the signed request goes in a POST body (a URL ends up in proxy logs and
// this signature never expires), the answer is HTTP 200 with a RetCode, and only the codes that can
// change on their own are retried (https://docs.ucloud.cn/api/summary/public).
import {
  type Deps,
  type HttpRequest,
  type HttpResponse,
  isObject,
  maskSecret,
  NetworkError,
  parseJson,
  printable,
  RETRYABLE_STATUSES,
  type RetryPolicy,
  ServiceError,
  send,
} from '@cloudcreds/core';
import { type Credentials, signParams } from './signer.ts';

export interface AuthKey {
  Key: string;
  Iv: string;
}
export interface AuthConfig {
  Type: string;
  Keys: AuthKey[];
}
export interface DomainAuthConfig {
  Domain: string;
  Config: AuthConfig[];
}

/** What every GetAuthConfig call of one run sends and where. */
export interface ApiSettings {
  baseUrl: URL;
  credentials: Credentials;
  channelKey?: string | undefined;
  region: string;
  zone: string;
  projectId?: string | undefined;
  maxAttempts: number;
  timeoutMs: number;
}

/** The part of the dependency bag a call uses: HTTP, time for backoff, the log for retries. */
export type ApiDeps = Pick<Deps, 'transport' | 'clock' | 'logger'>;

const SERVICE = 'UCloud';
/** The quota behind 153 is not published; a throttled caller that comes back at once stays throttled. */
export const THROTTLED_MIN_DELAY_MS = 2000;

interface RetCodeInfo {
  meaning: string;
  retry?: 'yes' | 'slower';
}

/** The gateway's codes (https://docs.ucloud.cn/api/summary/public); UCDN publishes no codes of its own. */
export const RET_CODES: Readonly<Record<number, RetCodeInfo>> = {
  110: { meaning: 'API response timeout', retry: 'yes' },
  130: { meaning: 'gateway or authentication service fault', retry: 'yes' },
  150: { meaning: 'service temporarily unavailable', retry: 'yes' },
  153: { meaning: 'request throttled', retry: 'slower' },
  160: { meaning: 'Action missing' },
  161: { meaning: 'Action does not exist at this endpoint' },
  170: { meaning: 'Signature missing' },
  171: { meaning: 'signature verification failed' },
  172: { meaning: 'public key unknown' },
  174: { meaning: 'security token unknown or expired' },
  230: { meaning: 'bad or missing parameter' },
  292: { meaning: 'project does not exist' },
  293: { meaning: 'no permission for the zone' },
  294: { meaning: "caller IP rejected by the account's API IP whitelist" },
  295: { meaning: 'security-lock verification failed' },
  299: { meaning: 'IAM permission check failed' },
};

export function retCodeMeaning(code: number): string {
  return RET_CODES[code]?.meaning ?? (code >= 2000 ? 'UCDN product error' : 'unknown RetCode');
}

/** What a code means and what the user can do about it, given what was sent: whole sentences. */
export function retCodeHint(code: number, sent: { channelKey: boolean; projectId: boolean }): string {
  switch (code) {
    case 110:
    case 130:
    case 150:
      return "It is a fault of the moment on UCloud's side that outlasted every attempt: run the job again later, or raise 'max-attempts'";
    case 153:
      return "UCloud throttled the requests: raise 'max-attempts' (throttled attempts wait longer), or run fewer jobs with this key pair at once";
    case 160:
    case 161:
    case 170:
      return "Check 'base-url': it must be a UCloud API gateway such as https://api.ucloud.cn";
    case 171:
      return sent.channelKey
        ? "Check that 'private-key' belongs to 'public-key' and that 'channel-key' is the account's channel"
        : "Check that 'private-key' belongs to 'public-key' and to this 'base-url'; an account of a dedicated-cloud channel that shares the main-site domain must also set 'channel-key'";
    case 172:
      return "The 'public-key' is not known to this gateway: check the key, and 'base-url' (keys of another site or channel are not valid here)";
    case 174:
      return "The 'security-token' is invalid or expired (or 'channel-key' does not match the token)";
    case 230:
      return "Check 'region' and 'zone'";
    case 292:
      return sent.projectId
        ? "The 'project-id' names no project of this account"
        : "Set 'project-id' (sub-accounts must send it)";
    case 293:
      return "The key pair may not use this zone: check 'zone'";
    case 294:
      return 'The account restricts API calls to whitelisted IPs; GitHub-hosted runner IPs change, so remove the whitelist or use a self-hosted runner with a fixed, whitelisted IP';
    case 295:
      return "The account's security lock refused the call: check the API security settings of the account in the UCloud console";
    case 299:
      return `The sub-account lacks the UCDN permission: grant it in IAM${sent.projectId ? '' : ", and set 'project-id'"}`;
    default:
      return code >= 2000
        ? 'It is an error of the UCDN product: see the message'
        : 'The code is not one UCloud documents: see the message';
  }
}

/** The RetCode of a JSON answer, as a number (it may arrive as a string); undefined when unusable. */
export function retCodeOf(body: unknown): number | undefined {
  if (!isObject(body)) return undefined;
  const value = body['RetCode'];
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Network errors, HTTP 429/5xx, and the RetCodes that are faults of the moment (never 171/172/…). */
export const retryPolicy: RetryPolicy = (outcome) => {
  if (outcome.error) return outcome.error.retryable;
  const { response } = outcome;
  if (response.status !== 200) return RETRYABLE_STATUSES(response.status);
  const parsed = parseJson(response);
  const code = parsed.ok ? retCodeOf(parsed.value) : undefined;
  const retry = code === undefined ? undefined : RET_CODES[code]?.retry;
  if (code === undefined || retry === undefined) return false;
  return {
    minDelayMs: retry === 'slower' ? THROTTLED_MIN_DELAY_MS : 0,
    reason: `RetCode ${code}: ${retCodeMeaning(code)}`,
  };
};

/** The request as sent: `POST <base-url>/`, JSON body of the flat signed parameters. */
export function buildRequest(settings: ApiSettings, domain: string | undefined): HttpRequest {
  const params = signParams(
    {
      Action: 'GetAuthConfig',
      Region: settings.region,
      Zone: settings.zone,
      // Empty optional parameters are omitted, not sent empty: the SDKs disagree on signing "".
      ...(settings.projectId ? { ProjectId: settings.projectId } : {}),
      ...(domain ? { Domain: domain } : {}),
    },
    settings.credentials,
  );
  // The signature alone replays the request (no timestamp): it is a secret in its own right.
  maskSecret(params['Signature'] as string);
  const base = settings.baseUrl.href;
  return {
    method: 'POST',
    url: base.endsWith('/') ? base : `${base}/`,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(settings.channelKey ? { 'channel-key': settings.channelKey } : {}),
    },
    body: JSON.stringify(params),
  };
}

/** Turns an answer into auth configs, or throws a ServiceError naming status, RetCode, message and request id. */
export function parseResponse(
  response: HttpResponse,
  sent: { host: string; channelKey: boolean; projectId: boolean },
): DomainAuthConfig[] {
  const requestId = response.header('x-ucloud-request-uuid');
  const parsed = parseJson(response);
  const status = response.status;
  const code = parsed.ok ? retCodeOf(parsed.value) : undefined;
  const answered = { service: SERVICE, host: sent.host, status, requestId };

  if (code === undefined) {
    const problem = parsed.ok ? 'the body carries no numeric RetCode' : parsed.problem;
    throw new ServiceError({ ...answered, problem });
  }
  // A RetCode was found, so the body is a JSON object.
  const body = (parsed as { value: Record<string, unknown> }).value;
  if (status !== 200 || code !== 0) {
    throw new ServiceError({
      ...answered,
      // UCloud reports failures with HTTP 200 and a RetCode: only another status is news.
      status: status !== 200 ? status : undefined,
      code: String(code),
      codeLabel: 'RetCode',
      message: textField(body, 'Message'),
      hint: retCodeHint(code, sent),
    });
  }
  return readAuthConfigs(body['AuthConfigs'], (problem) => new ServiceError({ ...answered, problem }));
}

function textField(object: Record<string, unknown>, name: string): string | undefined {
  const value = object[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks the documented shape and normalizes it: absent `AuthConfigs`, `Config` and `Keys` mean
 * none, an absent `Iv` is empty. A malformed field is named by its path, never by its value.
 */
function readAuthConfigs(value: unknown, unusable: (problem: string) => ServiceError): DomainAuthConfig[] {
  const malformed = (path: string, expected: string): ServiceError =>
    unusable(`its ${path} is not ${expected}`);
  const arrayAt = (item: unknown, path: string): unknown[] => {
    if (item === undefined || item === null) return [];
    if (!Array.isArray(item)) throw malformed(path, 'an array');
    return item;
  };
  const stringAt = (object: Record<string, unknown>, field: string, path: string, fallback?: string) => {
    const item = object[field] ?? fallback;
    if (typeof item !== 'string') throw malformed(`${path}.${field}`, 'a string');
    return item;
  };
  const objectAt = (item: unknown, path: string): Record<string, unknown> => {
    if (!isObject(item)) throw malformed(path, 'an object');
    return item;
  };

  return arrayAt(value, 'AuthConfigs').map((entry, d) => {
    const domainPath = `AuthConfigs.${d}`;
    const domain = objectAt(entry, domainPath);
    return {
      Domain: stringAt(domain, 'Domain', domainPath),
      Config: arrayAt(domain['Config'], `${domainPath}.Config`).map((item, c) => {
        const configPath = `${domainPath}.Config.${c}`;
        const config = objectAt(item, configPath);
        return {
          Type: stringAt(config, 'Type', configPath),
          Keys: arrayAt(config['Keys'], `${configPath}.Keys`).map((pair, k) => {
            const keyPath = `${configPath}.Keys.${k}`;
            const kv = objectAt(pair, keyPath);
            return { Key: stringAt(kv, 'Key', keyPath), Iv: stringAt(kv, 'Iv', keyPath, '') };
          }),
        };
      }),
    };
  });
}

/** One GetAuthConfig call (all domains when `domain` is undefined), retried per the policy. */
export async function getAuthConfig(
  settings: ApiSettings,
  deps: ApiDeps,
  domain?: string,
): Promise<DomainAuthConfig[]> {
  const request = buildRequest(settings, domain);
  deps.logger.debug(
    `POST ${request.url} GetAuthConfig ${domain ? `Domain=${domain}` : '(all domains)'}; signed parameters: ${Object.keys(
      JSON.parse(request.body ?? '{}') as object,
    ).join(', ')}${settings.channelKey ? '; channel-key header set' : ''}`,
  );
  const response = await send(request, {
    transport: deps.transport,
    clock: deps.clock,
    maxAttempts: settings.maxAttempts,
    timeoutMs: settings.timeoutMs,
    policy: retryPolicy,
    onRetry: (line) => deps.logger.info(line),
  });
  deps.logger.debug(
    `GetAuthConfig answered HTTP ${response.status} (request id ${printable(response.header('x-ucloud-request-uuid') ?? 'none', 100)})`,
  );
  return parseResponse(response, {
    host: settings.baseUrl.host,
    channelKey: Boolean(settings.channelKey),
    projectId: Boolean(settings.projectId),
  });
}

/**
 * Several domains: one call each (the API takes one Domain), merged in the order asked. No
 * domains: one call for all of them, whose answer grows with the account and can outgrow the
 * response cap; the way out is to ask for the domains the workflow needs.
 */
export async function getAuthConfigs(
  settings: ApiSettings,
  deps: ApiDeps,
  domains: readonly string[] | undefined,
): Promise<DomainAuthConfig[]> {
  if (!domains) {
    return getAuthConfig(settings, deps).catch((error: unknown) => {
      if (!(error instanceof NetworkError) || error.code !== 'RESPONSE_TOO_LARGE') throw error;
      throw new NetworkError(
        `${error.message}. The answer for all domains is too large: name the domains the workflow needs in 'domain' (one request each)`,
        { retryable: false, code: error.code, cause: error },
      );
    });
  }
  const merged: DomainAuthConfig[] = [];
  // One after the other: parallel calls would only make the gateway throttle (153) sooner.
  for (const domain of domains) merged.push(...(await getAuthConfig(settings, deps, domain)));
  return merged;
}
