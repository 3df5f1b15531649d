// Huawei Cloud's API gateway in front of every emulated service (SWR, IAM): the one place that
// decides whether a request is authenticated, so each API of each emulator verifies exactly alike.
// SDK-HMAC-SHA256 is recomputed from the request as RECEIVED (its own code, not the action's
// signer, docs/specs/swr.md §5), X-Sdk-Date skew is checked, temporary keys need their X-Security-Token, and
// IAM tokens are looked up with their issuer.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { RecordedRequest } from './server.ts';
import { sendJson } from './server.ts';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TemporaryAccessKey extends AccessKey {
  securityToken: string;
}

/** What the gateway accepts: one account's keys and tokens, shared by every service it fronts. */
export interface GatewayCredentials {
  permanent: AccessKey;
  /** Only valid together with its X-Security-Token. */
  temporary: TemporaryAccessKey;
  /** An IAM token scoped to the region's project, accepted as X-Auth-Token. */
  authToken: string;
  /**
   * Further X-Auth-Tokens, looked up with their issuer (e.g. an IAM emulator's unexpired tokens);
   * undefined means unknown or expired.
   */
  issuedToken?: (token: string) => { project?: unknown } | undefined;
  /** Further temporary keys, looked up with their issuer (e.g. an STS emulator's `findCredentials`). */
  temporaryCredentials?: (
    accessKeyId: string,
  ) => { secretAccessKey: string; securityToken: string } | undefined;
}

export interface GatewayCredentialOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  temporary?: TemporaryAccessKey;
  authToken?: string;
  issuedToken?: GatewayCredentials['issuedToken'];
  temporaryCredentials?: GatewayCredentials['temporaryCredentials'];
}

/** The given keys, with demo defaults (random tokens) for what is not given. */
export function gatewayCredentials(options: GatewayCredentialOptions = {}): GatewayCredentials {
  return {
    permanent: {
      accessKeyId: options.accessKeyId ?? 'HPUAEMULATORAK000001',
      secretAccessKey: options.secretAccessKey ?? 'EmulatorSecretKey0123456789abcdefghijKLMN',
    },
    temporary: options.temporary ?? {
      accessKeyId: 'HSTAEMULATORTEMP0001',
      secretAccessKey: 'EmulatorTemporarySecret0123456789abcdefgh',
      securityToken: `gQpjbi1ub3J0aC00${randomBytes(48).toString('base64')}`,
    },
    authToken: options.authToken ?? `MIIEmulatorToken-${randomBytes(96).toString('base64url')}`,
    ...(options.issuedToken ? { issuedToken: options.issuedToken } : {}),
    ...(options.temporaryCredentials ? { temporaryCredentials: options.temporaryCredentials } : {}),
  };
}

/** The gateway's verdict. For a token, whether it is project-scoped: the service decides if it needs that. */
export type GatewayVerdict =
  | { ok: true; by: 'access-key'; accessKeyId: string }
  | { ok: true; by: 'token'; scoped: boolean }
  | { ok: false; reason: string };

export interface GatewayClock {
  now: () => number;
  /** Allowed X-Sdk-Date skew (default 15 min, as the gateway). */
  maxSkewMs?: number;
}

export function authenticateRequest(
  req: RecordedRequest,
  credentials: GatewayCredentials,
  clock: GatewayClock,
): GatewayVerdict {
  const refuse = (reason: string): GatewayVerdict => ({ ok: false, reason });
  const token = req.headers['x-auth-token'];
  const authorization = req.headers['authorization'];
  if (typeof token === 'string' && authorization === undefined) {
    if (token === credentials.authToken) return { ok: true, by: 'token', scoped: true };
    const issued = credentials.issuedToken?.(token);
    return issued
      ? { ok: true, by: 'token', scoped: issued.project !== undefined }
      : refuse('decrypt token fail');
  }
  if (typeof authorization !== 'string') return refuse('Authorization not found');
  const match = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([^,\s]+), Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!match) return refuse('verify aksk signature fail, Authorization header is malformed');
  const [, accessKeyId = '', signedList = '', signature = ''] = match;
  const signed = signedList.split(';');
  if (!signed.includes('x-sdk-date')) return refuse('verify aksk signature fail, x-sdk-date is not signed');
  // The project a request addresses must be covered by the signature (docs/specs/swr.md §5: sign it when sent).
  if (req.headers['x-project-id'] !== undefined && !signed.includes('x-project-id')) {
    return refuse('verify aksk signature fail, x-project-id is not signed');
  }
  const date = String(req.headers['x-sdk-date'] ?? '');
  const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!dateMatch) return refuse('verify aksk signature fail, X-Sdk-Date is malformed');
  const [, y, mo, d, h, mi, s] = dateMatch;
  const sentAt = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Math.abs(clock.now() - sentAt) > (clock.maxSkewMs ?? 15 * 60_000)) {
    return refuse('verify aksk signature fail, the request time is more than 15 minutes off the server time');
  }
  let secret: string;
  if (accessKeyId === credentials.permanent.accessKeyId) {
    secret = credentials.permanent.secretAccessKey;
  } else {
    const keys =
      accessKeyId === credentials.temporary.accessKeyId
        ? credentials.temporary
        : credentials.temporaryCredentials?.(accessKeyId);
    if (!keys) return refuse('Get secretKey failed');
    if (req.headers['x-security-token'] !== keys.securityToken) return refuse('verify security token fail');
    secret = keys.secretAccessKey;
  }
  const { pathname, rawQuery } = splitUrl(req.url);
  const expected = gatewaySignature(req, pathname, rawQuery, signed, date, secret);
  return expected === signature
    ? { ok: true, by: 'access-key', accessKeyId }
    : refuse('verify aksk signature fail');
}

/** The gateway's own error body (docs/specs/swr.md §4), e.g. 401 APIGW.0301. */
export function gatewayError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    { error_code: code, error_msg: message, request_id: requestId },
    { 'x-request-id': requestId, ...headers },
  );
}

/** 401 APIGW.0301 for a refused verdict. */
export function refuseUnauthenticated(res: http.ServerResponse, reason: string, requestId: string): void {
  gatewayError(res, 401, 'APIGW.0301', `Incorrect IAM authentication information: ${reason}`, requestId);
}

export function splitUrl(url: string): { pathname: string; rawQuery: string } {
  const question = url.indexOf('?');
  return question < 0
    ? { pathname: url, rawQuery: '' }
    : { pathname: url.slice(0, question), rawQuery: url.slice(question + 1) };
}

export function parseQuery(rawQuery: string): Map<string, string> {
  const query = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    query.set(
      safeDecode(equals < 0 ? part : part.slice(0, equals)),
      safeDecode(equals < 0 ? '' : part.slice(equals + 1)),
    );
  }
  return query;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ---- The gateway's side of SDK-HMAC-SHA256, written independently of any client. ----

function gatewaySignature(
  req: RecordedRequest,
  pathname: string,
  rawQuery: string,
  signed: string[],
  date: string,
  secret: string,
): string {
  const uri = pathname
    .split('/')
    .map((segment) => percentEncode(safeDecode(segment)))
    .join('/');
  const canonicalUri = uri.endsWith('/') ? uri : `${uri}/`;
  const pairs = rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      const name = equals < 0 ? part : part.slice(0, equals);
      const value = equals < 0 ? '' : part.slice(equals + 1);
      return `${percentEncode(safeDecode(name))}=${percentEncode(safeDecode(value))}`;
    })
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let headerBlock = '';
  for (const name of [...signed].sort()) {
    const raw = req.headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    headerBlock += `${name}:${value.trim()}\n`;
  }
  const canonical = [
    req.method,
    canonicalUri,
    pairs.join('&'),
    headerBlock,
    signed.join(';'),
    createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(toSign).digest('hex');
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** RFC 3986, byte by byte (deliberately not encodeURIComponent, which the client uses). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const character = String.fromCharCode(byte);
    out +=
      byte < 0x80 && UNRESERVED.test(character)
        ? character
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
