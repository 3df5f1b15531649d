// The CreateSecret exchange (docs/specs/swr.md §2–§4): building the request, and reading the answer into
// registry credentials. Both are pure; the caller sends, masks and logs in.
import {
  bodySnippet,
  type HttpRequest,
  type HttpResponse,
  isObject,
  parseJson,
  ServiceError,
  stringField,
} from '@cloudcreds/core';
import { answerOf } from './answer.ts';
import { apiRequest } from './api-request.ts';
import { CREATE_SECRET_PATH } from './endpoint.ts';
import { registryHostProblem, smugglingProblem } from './registry-host.ts';

export type Credentials =
  | { kind: 'access-key'; accessKeyId: string; secretAccessKey: string; securityToken?: string }
  | { kind: 'iam-token'; token: string };

export interface SecretRequest {
  endpoint: URL;
  projectName: string;
  projectId?: string;
  durationSeconds?: number;
  credentials: Credentials;
}

export interface RegistryLogin {
  /** host[:port], the key of `auths`. */
  registry: string;
  username: string;
  password: string;
}

export interface TemporaryLogin {
  /** Every registry of the answer, in its order; outputs describe the first. */
  logins: [RegistryLogin, ...RegistryLogin[]];
  /** The full login command for the first registry, as SWR documents it (holds the password). */
  loginCommand: string;
  /** The X-Swr-Dockerlogin header as received (holds the password), when sent. */
  loginHeader?: string;
  /** ISO-8601 UTC, when X-Swr-Expireat was sent and readable. */
  expiresAt?: string;
  /** Oddities worth a warning that do not make the answer unusable. */
  warnings: string[];
}

const SERVICE = 'SWR';

export function createSecretRequest(request: SecretRequest, now: number): HttpRequest {
  const query: Array<[string, string]> = [['projectname', request.projectName]];
  if (request.durationSeconds !== undefined)
    query.push(['duration_seconds', String(request.durationSeconds)]);
  return apiRequest(
    {
      method: 'POST',
      endpoint: request.endpoint,
      path: CREATE_SECRET_PATH,
      query,
      ...(request.projectId ? { projectId: request.projectId } : {}),
      credentials: request.credentials,
    },
    now,
  );
}

/**
 * Reads a CreateSecret answer; anything but a usable 2xx becomes one ServiceError. `host` is the
 * endpoint's host[:port], which the error names.
 */
export function readCreateSecretAnswer(response: HttpResponse, host?: string): TemporaryLogin {
  if (response.status < 200 || response.status > 299) throw describeSwrFailure(response, host);
  const refuse = (problem: string): ServiceError =>
    new ServiceError({ ...answerOf(SERVICE, response, host), problem });

  const parsed = parseJson(response);
  if (!parsed.ok) throw refuse(parsed.problem);
  const auths = isObject(parsed.value) ? parsed.value['auths'] : undefined;
  if (!isObject(auths) || Object.keys(auths).length === 0) {
    throw refuse('the body names no registry in "auths"');
  }
  const logins = Object.entries(auths).map(([registry, entry], index) => {
    const problem = readLogin(registry, entry);
    if (typeof problem === 'string') {
      throw refuse(`registry entry #${index + 1} of "auths" is unusable: ${problem}`);
    }
    return problem;
  }) as TemporaryLogin['logins'];

  const first = logins[0];
  const loginHeader = response.header('x-swr-dockerlogin')?.trim() || undefined;
  let loginCommand = `docker login -u ${first.username} -p ${first.password} ${first.registry}`;
  if (loginHeader !== undefined) {
    const header = parseLoginHeader(loginHeader);
    if (typeof header === 'string') throw refuse(`the X-Swr-Dockerlogin header ${header}`);
    if (
      header.username !== first.username ||
      header.password !== first.password ||
      (header.registry !== undefined && header.registry !== first.registry)
    ) {
      throw refuse('the X-Swr-Dockerlogin header disagrees with the credentials in the body');
    }
    // The documented header has no host; SWR composes the command as header + host (docs/specs/swr.md §3).
    loginCommand = header.registry === undefined ? `${loginHeader} ${first.registry}` : loginHeader;
  }

  const warnings: string[] = [];
  const expiryHeader = response.header('x-swr-expireat');
  const expiresAt = expiryHeader === undefined ? undefined : parseExpiry(expiryHeader);
  if (expiryHeader !== undefined && expiresAt === undefined) {
    warnings.push('SWR sent an X-Swr-Expireat header that is not an ISO-8601 time; expires-at is not set');
  }
  return {
    logins,
    loginCommand,
    ...(loginHeader !== undefined ? { loginHeader } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    warnings,
  };
}

function readLogin(registry: string, entry: unknown): RegistryLogin | string {
  const hostProblem = registryHostProblem(registry);
  if (hostProblem) return hostProblem;
  const auth = isObject(entry) ? entry['auth'] : undefined;
  if (typeof auth !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(auth) || auth.length % 4 !== 0) {
    return '"auth" is not base64';
  }
  let pair: string;
  try {
    pair = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(auth, 'base64'));
  } catch {
    return '"auth" is not base64 of UTF-8 text';
  }
  const colon = pair.indexOf(':');
  if (colon < 0) return '"auth" is not base64 of user:password';
  const username = pair.slice(0, colon);
  const password = pair.slice(colon + 1);
  const userProblem = smugglingProblem(username);
  if (userProblem) return `the user name ${userProblem}`;
  const passwordProblem = smugglingProblem(password);
  if (passwordProblem) return `the password ${passwordProblem}`;
  return { registry, username, password };
}

interface LoginHeader {
  username: string;
  password: string;
  registry?: string;
}

/**
 * Reads `docker login -u U -p P [HOST]` (long forms too) into its parts, or says what is wrong.
 * The header is only compared with the body, never run, but it becomes the login-command output:
 * anything beyond those words is refused rather than passed on.
 */
export function parseLoginHeader(header: string): LoginHeader | string {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(header)) return 'contains control characters';
  const words = header.split(/ +/).filter((word) => word !== '');
  if (words[0] !== 'docker' || words[1] !== 'login') return "is not a 'docker login' command";
  const parts: Partial<LoginHeader> = {};
  for (let index = 2; index < words.length; index++) {
    const word = words[index] as string;
    const [option, inlineValue] = word.startsWith('--') && word.includes('=') ? word.split(/=(.*)/s) : [word];
    const field =
      option === '-u' || option === '--username'
        ? 'username'
        : option === '-p' || option === '--password'
          ? 'password'
          : undefined;
    if (field !== undefined) {
      const value = inlineValue ?? words[++index];
      if (!value || parts[field] !== undefined) return 'has a repeated or empty option';
      parts[field] = value;
    } else if (index === words.length - 1 && !word.startsWith('-')) {
      parts.registry = word;
    } else {
      return 'has words other than -u, -p and the registry host';
    }
  }
  if (parts.username === undefined || parts.password === undefined) return 'lacks the user or the password';
  return parts as LoginHeader;
}

/** X-Swr-Expireat (ISO-8601, microseconds, UTC when no zone is given) → ISO-8601 UTC, or undefined. */
export function parseExpiry(value: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value.trim(),
  );
  if (!match) return undefined;
  const millis = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  const zone = (match[4] ?? 'Z').toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = Date.parse(`${match[1]}T${match[2]}.${millis}${zone}`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * A failed SWR answer as one ServiceError (docs/specs/swr.md §4: both error shapes, request id, hints). `host`
 * is the endpoint's host[:port], which the error names.
 */
export function describeSwrFailure(response: HttpResponse, host?: string): ServiceError {
  const parsed = parseJson(response);
  let code: string | undefined;
  let message: string | undefined;
  let requestId: string | undefined;
  if (parsed.ok && isObject(parsed.value)) {
    const body = parsed.value;
    const first = Array.isArray(body['errors']) && isObject(body['errors'][0]) ? body['errors'][0] : {};
    code =
      stringField(body, 'error_code') ?? stringField(first, 'errorCode') ?? stringField(body, 'errorCode');
    message =
      stringField(body, 'error_msg') ??
      stringField(first, 'errorMessage') ??
      stringField(body, 'errorMessage');
    requestId = stringField(body, 'request_id');
  }
  // Not the usual JSON (a gateway's or a proxy's page): its start is the only message there is.
  if (code === undefined && !message) message = bodySnippet(response) || undefined;
  const hint = hintFor(response.status, code, message);
  return new ServiceError({
    ...answerOf(SERVICE, response, host),
    ...(code !== undefined ? { code } : {}),
    // Gateways may echo their canonical request here (newlines as '|'); the rendering bounds it,
    // and any signed secret in it was masked when the inputs were read.
    ...(message ? { message } : {}),
    ...(requestId ? { requestId } : {}),
    ...(hint ? { hint } : {}),
  });
}

/** Who answered, where, with which status and request id: the facts every SWR error starts with. */
function hintFor(status: number, code: string | undefined, message: string | undefined): string | undefined {
  if (code === 'APIGW.0301') {
    if (/reach the limit/i.test(message ?? '')) {
      return 'The access key is locked after repeated signature failures: fix access-key-secret, then wait before retrying';
    }
    return (
      'The signature or credentials were rejected: check access-key-id, access-key-secret (and security-token for temporary keys) or auth-token; ' +
      'a runner clock more than 15 minutes off causes this too'
    );
  }
  if (code === 'APIGW.0307' || code === 'SVCSTG.SWR.4010000') {
    return 'The IAM token is expired or invalid: get a new project-scoped token';
  }
  if (status === 403) {
    return 'The credentials lack permission: grant swr::createLoginSecret (for example SWR Admin) in this project';
  }
  if (status === 429) return 'SWR is throttling requests: try again later or lower parallel logins';
  if (status >= 500) return 'SWR failed on its side: try again later';
  return undefined;
}
