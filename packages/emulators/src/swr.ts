// A loopback Huawei Cloud SWR CreateSecret endpoint (swr.md §2–§5) for tests and the demo.
// It checks requests the way the API gateway does — SDK-HMAC-SHA256 recomputed from the request
// as RECEIVED (its own code, not the action's signer), X-Sdk-Date skew, IAM tokens, security
// tokens — and answers like SWR: credentials in the body, a login command without host, an expiry
// with microseconds. Faults can be queued to test every failure path.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  type EmulatorServer,
  type RecordedRequest,
  sendJson,
  startServer,
  type TlsOptions,
  type TransportFault,
} from './server.ts';

export interface SwrEmulatorOptions {
  /** Permanent access key (a demo default when omitted). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Temporary access key that is only valid together with X-Security-Token. */
  temporary?: { accessKeyId: string; secretAccessKey: string; securityToken: string };
  /** Project-scoped IAM token accepted as X-Auth-Token. */
  authToken?: string;
  /**
   * Further X-Auth-Tokens, looked up with their issuer (e.g. an IAM emulator's unexpired tokens);
   * undefined means unknown or expired. SWR is project-level: a token without a project is refused.
   */
  issuedToken?: (token: string) => { project?: unknown } | undefined;
  /**
   * Further temporary access keys, looked up with their issuer (e.g. an STS emulator's
   * `findCredentials`); each is only valid with its own X-Security-Token.
   */
  temporaryCredentials?: (
    accessKeyId: string,
  ) => { secretAccessKey: string; securityToken: string } | undefined;
  /** Region the emulator pretends to be: the default projectname. */
  region?: string;
  /** Registry host[:port] handed out in `auths` (default swr.<region>.myhuaweicloud.com). */
  registry?: string;
  /** Further registries in the same answer (same credentials). */
  extraRegistries?: string[];
  /** Fixed user/password handed out (e.g. to match a real registry's htpasswd); random otherwise. */
  username?: string;
  password?: string;
  /** X-Swr-Dockerlogin as documented (no host), with the host appended, or absent. */
  loginHeader?: 'without-host' | 'with-host' | 'absent';
  /** Send X-Swr-Expireat (default true). */
  expireAt?: boolean;
  /** Lifetime when duration_seconds is not sent (default 24 h). */
  defaultDurationSeconds?: number;
  /** Allowed X-Sdk-Date skew (default 15 min, as the gateway). */
  maxSkewMs?: number;
  /** Serve HTTPS with this key/certificate (e.g. for a real hostname behind a CONNECT proxy). */
  tls?: TlsOptions;
  /** Token bucket: `burst` requests at once, refilled at `refillPerSecond`; beyond it 429. */
  rateLimit?: { burst: number; refillPerSecond: number };
  /** The gateway's clock (default Date.now). */
  now?: () => number;
}

export interface IssuedLogin {
  registry: string;
  username: string;
  password: string;
  projectName: string;
  expiresAt: string;
}

/** SWR-specific faults, consumed one per request after the transport faults and before the logic. */
export type SwrFault =
  | { kind: 'malformed-json' }
  | { kind: 'hostile-auths'; registry?: string; username?: string; password?: string; header?: string }
  /** `swr`: old and new field names together; `swr-old`: only `errors[]`; `apigw`: the gateway's. */
  | { kind: 'swr-error'; status: number; code: string; message: string; shape?: 'swr' | 'swr-old' | 'apigw' };

export interface SwrEmulator extends EmulatorServer {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly temporary: { accessKeyId: string; secretAccessKey: string; securityToken: string };
  readonly authToken: string;
  readonly region: string;
  /** The first registry host handed out. */
  readonly registry: string;
  /** Every login handed out, in order. */
  readonly issued: IssuedLogin[];
  readonly swrFaults: SwrFault[];
}

const SECRET_PATH = '/v2/manage/utils/secret';
/** authenticate()'s answer for a known token without a project: SWR's own 401, not the gateway's. */
const UNSCOPED_TOKEN = 'unscoped token';

export async function startSwrEmulator(options: SwrEmulatorOptions = {}): Promise<SwrEmulator> {
  const now = options.now ?? Date.now;
  const region = options.region ?? 'cn-north-4';
  const registry = options.registry ?? `swr.${region}.myhuaweicloud.com`;
  const permanent = {
    accessKeyId: options.accessKeyId ?? 'HPUAEMULATORAK000001',
    secretAccessKey: options.secretAccessKey ?? 'EmulatorSecretKey0123456789abcdefghijKLMN',
  };
  const temporary = options.temporary ?? {
    accessKeyId: 'HSTAEMULATORTEMP0001',
    secretAccessKey: 'EmulatorTemporarySecret0123456789abcdefgh',
    securityToken: `gQpjbi1ub3J0aC00${randomBytes(48).toString('base64')}`,
  };
  const authToken = options.authToken ?? `MIIEmulatorToken-${randomBytes(96).toString('base64url')}`;
  const issued: IssuedLogin[] = [];
  const swrFaults: SwrFault[] = [];
  const bucket = options.rateLimit ? { tokens: options.rateLimit.burst, at: now() } : undefined;

  const handler = (req: RecordedRequest, res: http.ServerResponse): void => {
    const requestId = randomUUID().replace(/-/g, '');
    if (bucket && options.rateLimit) {
      const { burst, refillPerSecond } = options.rateLimit;
      const t = now();
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * refillPerSecond);
      bucket.at = t;
      if (bucket.tokens < 1) {
        const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
        gatewayError(res, 429, 'APIGW.0308', 'The throttling threshold has been reached', requestId, {
          'retry-after': String(wait),
        });
        return;
      }
      bucket.tokens -= 1;
    }
    const fault = swrFaults.shift();
    if (fault?.kind === 'swr-error') {
      if (fault.shape === 'apigw') gatewayError(res, fault.status, fault.code, fault.message, requestId);
      else swrError(res, fault.status, fault.code, fault.message, requestId, fault.shape === 'swr-old');
      return;
    }
    const { pathname, rawQuery } = splitUrl(req.url);
    if (req.method !== 'POST' || pathname !== SECRET_PATH) {
      swrError(res, 404, 'SVCSTG.SWR.4040000', `No such API: ${req.method} ${pathname}`, requestId);
      return;
    }
    const denied = authenticate(req, pathname, rawQuery);
    if (denied === UNSCOPED_TOKEN) {
      swrError(
        res,
        401,
        'SVCSTG.SWR.4010000',
        'Authenticate failed: the token is not scoped to a project',
        requestId,
      );
      return;
    }
    if (denied) {
      gatewayError(res, 401, 'APIGW.0301', `Incorrect IAM authentication information: ${denied}`, requestId);
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '')
      .toLowerCase()
      .replace(/\s/g, '');
    if (contentType !== 'application/json' && contentType !== 'application/json;charset=utf-8') {
      swrError(res, 400, 'SVCSTG.SWR.4000001', 'Content-Type must be application/json', requestId);
      return;
    }
    const query = parseQuery(rawQuery);
    const projectName = query.get('projectname') ?? region;
    if (!/^[a-z][a-z0-9-]*(?:_[A-Za-z0-9-]+)?$/.test(projectName)) {
      swrError(res, 400, 'SVCSTG.SWR.4000001', `Invalid projectname: ${projectName}`, requestId);
      return;
    }
    const durationText = query.get('duration_seconds');
    const duration =
      durationText === undefined ? (options.defaultDurationSeconds ?? 86400) : Number(durationText);
    if (!/^\d+$/.test(durationText ?? '0') || duration < 900 || duration > 86400) {
      swrError(
        res,
        400,
        'SVCSTG.SWR.4000001',
        'duration_seconds must be an integer from 900 to 86400',
        requestId,
      );
      return;
    }
    if (fault?.kind === 'malformed-json') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
      res.end('{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":');
      return;
    }
    const username = options.username ?? `${projectName}@${randomAk()}`;
    const password = options.password ?? randomBytes(32).toString('hex');
    const expiresAt = new Date(now() + duration * 1000).toISOString().replace(/Z$/, '000Z');
    const hosts = [registry, ...(options.extraRegistries ?? [])];
    let answer = { username, password, hosts, header: undefined as string | undefined };
    if (fault?.kind === 'hostile-auths') {
      answer = {
        username: fault.username ?? username,
        password: fault.password ?? password,
        hosts: [fault.registry ?? registry],
        header: fault.header,
      };
    }
    const auths: Record<string, { auth: string }> = {};
    for (const host of answer.hosts) {
      auths[host] = { auth: Buffer.from(`${answer.username}:${answer.password}`).toString('base64') };
      issued.push({
        registry: host,
        username: answer.username,
        password: answer.password,
        projectName,
        expiresAt,
      });
    }
    const headers: Record<string, string> = { 'x-request-id': requestId };
    const style = options.loginHeader ?? 'without-host';
    const loginHeader = answer.header ?? `docker login -u ${answer.username} -p ${answer.password}`;
    // A hostile user with a line break cannot travel in a header at all; the body still carries it.
    if (style !== 'absent' && /^[\t\x20-\x7e]*$/.test(loginHeader)) {
      headers['x-swr-dockerlogin'] =
        style === 'with-host' ? `${loginHeader} ${answer.hosts[0]}` : loginHeader;
    }
    if (options.expireAt ?? true) headers['x-swr-expireat'] = expiresAt;
    sendJson(res, 200, { auths }, headers);
  };

  /** Undefined when the request may pass; otherwise the gateway's reason. */
  const authenticate = (req: RecordedRequest, pathname: string, rawQuery: string): string | undefined => {
    const token = req.headers['x-auth-token'];
    const authorization = req.headers['authorization'];
    if (typeof token === 'string' && authorization === undefined) {
      if (token === authToken) return undefined;
      const issuedToken = options.issuedToken?.(token);
      if (!issuedToken) return 'decrypt token fail';
      return issuedToken.project === undefined ? UNSCOPED_TOKEN : undefined;
    }
    if (typeof authorization !== 'string') return 'Authorization not found';
    const match =
      /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([^,\s]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!match) return 'verify aksk signature fail, Authorization header is malformed';
    const [, accessKeyId = '', signedList = '', signature = ''] = match;
    const signed = signedList.split(';');
    if (!signed.includes('x-sdk-date')) return 'verify aksk signature fail, x-sdk-date is not signed';
    const date = String(req.headers['x-sdk-date'] ?? '');
    const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!dateMatch) return 'verify aksk signature fail, X-Sdk-Date is malformed';
    const [, y, mo, d, h, mi, s] = dateMatch;
    const sentAt = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    if (Math.abs(now() - sentAt) > (options.maxSkewMs ?? 15 * 60_000)) {
      return 'verify aksk signature fail, the request time is more than 15 minutes off the server time';
    }
    let secret: string;
    if (accessKeyId === permanent.accessKeyId) {
      secret = permanent.secretAccessKey;
    } else {
      const keys =
        accessKeyId === temporary.accessKeyId ? temporary : options.temporaryCredentials?.(accessKeyId);
      if (!keys) return 'Get secretKey failed';
      if (req.headers['x-security-token'] !== keys.securityToken) return 'verify security token fail';
      secret = keys.secretAccessKey;
    }
    const expected = gatewaySignature(req, pathname, rawQuery, signed, date, secret);
    return expected === signature ? undefined : 'verify aksk signature fail';
  };

  const server = await startServer(handler, options.tls ? { tls: options.tls } : {});
  return {
    get url() {
      return server.url;
    },
    port: server.port,
    requests: server.requests,
    faults: server.faults,
    close: () => server.close(),
    accessKeyId: permanent.accessKeyId,
    secretAccessKey: permanent.secretAccessKey,
    temporary,
    authToken,
    region,
    registry,
    issued,
    swrFaults,
  };
}

/** Transport faults for the base `faults` queue, shaped as SWR's gateway sends them. */
export const swrTransportFaults = {
  serverError: (status = 503): TransportFault => ({
    kind: 'status',
    status,
    body: JSON.stringify({ error_code: 'SVCSTG.SWR.5000000', error_msg: 'Service unavailable' }),
  }),
  throttled: (retryAfterSeconds = 1): TransportFault => ({
    kind: 'status',
    status: 429,
    body: JSON.stringify({
      error_code: 'APIGW.0308',
      error_msg: 'The throttling threshold has been reached',
    }),
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  reset: (): TransportFault => ({ kind: 'reset' }),
  hang: (): TransportFault => ({ kind: 'hang' }),
  oversized: (bytes = 4 * 1024 * 1024): TransportFault => ({ kind: 'oversized', bytes }),
};

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

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function splitUrl(url: string): { pathname: string; rawQuery: string } {
  const question = url.indexOf('?');
  return question < 0
    ? { pathname: url, rawQuery: '' }
    : { pathname: url.slice(0, question), rawQuery: url.slice(question + 1) };
}

function parseQuery(rawQuery: string): Map<string, string> {
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

function randomAk(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('');
}

function gatewayError(
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
    {
      'x-request-id': requestId,
      ...headers,
    },
  );
}

/** SWR's service error body: the old and the new field names together (swr.md §4). */
function swrError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  oldNamesOnly = false,
): void {
  const errors = [{ errorCode: code, errorMessage: message, detail: '' }];
  const body = oldNamesOnly
    ? { errors }
    : { errors, error_code: code, error_msg: message, details: [{ error_code: code, error_msg: '' }] };
  sendJson(res, status, body, { 'x-request-id': requestId });
}
