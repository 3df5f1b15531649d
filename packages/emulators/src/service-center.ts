// A service-center (the registry of a CSE exclusive ServiceComb engine) with security
// authentication on, as docs/specs/cse.md describes it: `POST /v4/token` with its checks in the server's
// order, RS512 JWTs carrying exactly `account`, `roles` and `exp`, the per-`name::ip` lockout
// (token bucket, burst 2, one token per 15 min, 15-minute ban), and `GET /v4/self-perms` verifying
// tokens with the public key. It shares no code with the action: it is what the action is tested
// against, so it must be right on its own.
import { generateKeyPairSync, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { once } from 'node:events';
import { connect, isIP, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  type EmulatorServer,
  type RecordedRequest,
  sendJson,
  startServer,
  type TlsOptions,
  type TransportFault,
} from './server.ts';
import { createTestCa } from './tls.ts';

export interface ServiceCenterAccount {
  password: string;
  roles: string[];
}

/** Which answer a refused login gets: today's, a "half open" engine's, or an old (≤ v2.0) engine's. */
export type ErrorVariant = 'current' | 'half-open' | 'legacy';

export interface ServiceCenterOptions {
  /** Accounts by name. Default: `root` (role admin) with a random password, see `username`/`password`. */
  accounts?: Record<string, ServiceCenterAccount>;
  /**
   * TLS key and certificate (e.g. `createTestCa().issue(['127.0.0.1'])`), or `false` for plain
   * http. Default: HTTPS with a certificate for 127.0.0.1 and localhost from a throwaway CA.
   */
  tls?: TlsOptions | false;
  /** Host name put in `url` (e.g. to match a certificate's name through a proxy). */
  hostname?: string;
  /** Milliseconds since the epoch; inject to step through lockout windows and expiry. */
  now?: () => number;
  /** Lifetime when the request has no `tokenExpirationTime`, in seconds (12 h, as since v2.1). */
  defaultTokenSeconds?: number;
  /** `rbac.enable`; off → every route answers a plain-text 404. */
  rbac?: boolean;
  errorVariant?: ErrorVariant;
  /** A front proxy's rate limit shared by all clients: over it → 429 with Retry-After. */
  rateLimit?: { burst: number; refillPerSecond: number };
  /** The `Server: SERVICECENTER/<version>` header. */
  version?: string;
}

export interface AccountLock {
  key: string;
  status: 'attempted' | 'banned';
  /** Unix seconds. */
  releaseAt: number;
}

export interface ServiceCenterEmulator extends EmulatorServer {
  /** The default account's name and password (the first account when `accounts` is given). */
  readonly username: string;
  readonly password: string;
  /** The throwaway CA when the emulator made its own certificate. */
  readonly ca?: { certPem: string; certPath: string };
  readonly accounts: Map<string, ServiceCenterAccount>;
  errorVariant: ErrorVariant;
  /** PEM of the signing key's public half (service-center keeps it in `rbac.publicKeyFile`). */
  readonly publicKeyPem: string;
  /** Signs a token as a login would, e.g. an expired one for a verification test. */
  issueToken(account: string, expiresAtSeconds: number): string;
  /** What `GET /v4/account-locks` would list. */
  locks(): AccountLock[];
}

export const LOCKOUT = {
  burst: 2,
  refillEveryMs: 15 * 60 * 1000,
  banMs: 15 * 60 * 1000,
  retainHistoryMs: 20 * 60 * 1000,
} as const;

const MAX_LOGIN_BODY = 2 * 1024 * 1024;
const WRONG_CREDENTIALS_MESSAGE = 'User name or password is wrong';

/** Ready-made answers for `emulator.faults`, shaped as the engine and its front layer send them. */
export const serviceCenterFaults = {
  internalError(detail = 'read private key failed'): TransportFault {
    return jsonFault(500, { errorCode: '500003', errorMessage: 'Internal server error', detail });
  },
  /** A 200 whose body is cut short: a proxy or a broken engine. */
  malformedJson(): TransportFault {
    return {
      kind: 'status',
      status: 200,
      body: '{"token":"eyJhbGciOi',
      headers: { server: 'SERVICECENTER/2.2.0' },
    };
  },
  /** Huawei's front-layer attempt limiter; its HTTP status was never recorded, so it is a choice. */
  frontLayerLimit(status = 403): TransportFault {
    return jsonFault(status, { error_code: 'SVCSTG.00300401', error_message: 'exceed times' });
  },
  /** A gateway 502 in plain text. */
  badGateway(): TransportFault {
    return {
      kind: 'status',
      status: 502,
      body: '<html>502 Bad Gateway</html>',
      headers: { 'content-type': 'text/html' },
    };
  },
};

function jsonFault(status: number, body: unknown): TransportFault {
  return {
    kind: 'status',
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json; charset=UTF-8', server: 'SERVICECENTER/2.2.0' },
  };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  lastFailureAt: number;
  bannedUntil?: number;
}

export async function startServiceCenterEmulator(
  options: ServiceCenterOptions = {},
): Promise<ServiceCenterEmulator> {
  const now = options.now ?? Date.now;
  const serverHeader = { server: `SERVICECENTER/${options.version ?? '2.2.0'}` };
  const defaultPassword = `demo-${randomBytes(12).toString('base64url')}`;
  const accounts = new Map<string, ServiceCenterAccount>(
    Object.entries(options.accounts ?? { root: { password: defaultPassword, roles: ['admin'] } }),
  );
  const [username, firstAccount] = [...accounts.entries()][0] ?? ['', { password: '', roles: [] }];
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const buckets = new Map<string, Bucket>();
  const limiter = options.rateLimit ? { tokens: options.rateLimit.burst, updatedAt: now() } : undefined;

  let ca: { certPem: string; certPath: string } | undefined;
  let tls: TlsOptions | undefined;
  if (options.tls === undefined) {
    const testCa = createTestCa('service-center emulator CA');
    ca = { certPem: testCa.certPem, certPath: testCa.certPath };
    tls = testCa.issue(['127.0.0.1', 'localhost']);
  } else if (options.tls !== false) {
    tls = options.tls;
  }

  const state = { errorVariant: options.errorVariant ?? ('current' as ErrorVariant) };

  const fail = (
    res: Parameters<typeof sendJson>[0],
    status: number,
    code: string,
    message: string,
    detail?: string,
  ) =>
    sendJson(
      res,
      status,
      { errorCode: code, errorMessage: message, ...(detail ? { detail } : {}) },
      serverHeader,
    );

  const issueToken = (account: string, expiresAtSeconds: number): string => {
    const header = base64url(JSON.stringify({ alg: 'RS512', typ: 'JWT' }));
    // Go's MapClaims marshals keys in sorted order.
    const roles = accounts.get(account)?.roles ?? [];
    const payload = base64url(JSON.stringify({ account, exp: expiresAtSeconds, roles }));
    const signature = sign('sha512', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  };

  /** The limiter of `blocker.go`: refill, then take a token; none left → ban. */
  const countFailure = (key: string): void => {
    const at = now();
    const bucket = buckets.get(key) ?? { tokens: LOCKOUT.burst, updatedAt: at, lastFailureAt: at };
    bucket.tokens = Math.min(LOCKOUT.burst, bucket.tokens + (at - bucket.updatedAt) / LOCKOUT.refillEveryMs);
    bucket.updatedAt = at;
    bucket.lastFailureAt = at;
    if (bucket.tokens >= 1) bucket.tokens -= 1;
    else bucket.bannedUntil = at + LOCKOUT.banMs;
    buckets.set(key, bucket);
  };
  const isBanned = (key: string): boolean => (buckets.get(key)?.bannedUntil ?? 0) > now();

  const rateLimited = (): number | undefined => {
    if (!limiter || !options.rateLimit) return undefined;
    const at = now();
    const { burst, refillPerSecond } = options.rateLimit;
    limiter.tokens = Math.min(burst, limiter.tokens + ((at - limiter.updatedAt) / 1000) * refillPerSecond);
    limiter.updatedAt = at;
    if (limiter.tokens >= 1) {
      limiter.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - limiter.tokens) / refillPerSecond));
  };

  const wrongCredentials = (res: Parameters<typeof sendJson>[0]): void => {
    if (state.errorVariant === 'half-open') {
      fail(
        res,
        401,
        '401302',
        WRONG_CREDENTIALS_MESSAGE,
        `${WRONG_CREDENTIALS_MESSAGE}, RBAC system is half opening`,
      );
    } else if (state.errorVariant === 'legacy') {
      fail(res, 401, '401002', 'Request unauthorized', WRONG_CREDENTIALS_MESSAGE);
    } else {
      fail(res, 401, '401202', WRONG_CREDENTIALS_MESSAGE);
    }
  };

  const login = (req: RecordedRequest, res: Parameters<typeof sendJson>[0]): void => {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'POST', ...serverHeader });
      res.end('Method Not Allowed');
      return;
    }
    if (req.body.length > MAX_LOGIN_BODY) {
      fail(res, 500, '500003', 'Internal server error', 'http: request body too large');
      return;
    }
    const decoded = decodeAccount(req.body);
    if (!decoded.ok) {
      fail(res, 400, '400001', 'Invalid parameter(s)', decoded.detail);
      return;
    }
    const { name, password, tokenExpirationTime } = decoded.account;
    let lifetimeSeconds = options.defaultTokenSeconds ?? 12 * 60 * 60;
    if (tokenExpirationTime !== '') {
      const ms = goDurationMs(tokenExpirationTime);
      if (ms === undefined || ms < 15 * 60_000 || ms > 24 * 3_600_000) {
        fail(
          res,
          400,
          '400001',
          'Invalid parameter(s)',
          `field 'Account.TokenExpirationTime' invalid value '${tokenExpirationTime}' does not match rule: {Regexp: TokenExpirationTime}`,
        );
        return;
      }
      lifetimeSeconds = ms / 1000;
    }
    const key = `${name}::${clientIp(req)}`;
    if (isBanned(key)) {
      fail(res, 403, '403201', 'Account blocked');
      return;
    }
    const account = accounts.get(name);
    if (name === '' || password === '' || account === undefined || account.password !== password) {
      countFailure(key);
      wrongCredentials(res);
      return;
    }
    const exp = Math.floor((now() + lifetimeSeconds * 1000) / 1000);
    sendJson(res, 200, { token: issueToken(name, exp) }, serverHeader);
  };

  const selfPerms = (req: RecordedRequest, res: Parameters<typeof sendJson>[0]): void => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      fail(res, 401, '401204', 'No authorization header');
      return;
    }
    const parts = header.split(' ');
    if (parts.length !== 2) {
      fail(res, 401, '401201', 'Request unauthorized', 'invalid auth header');
      return;
    }
    const claims = verifyToken(parts[1]!, publicKey);
    if (!claims.ok) {
      fail(res, 401, '401201', 'Request unauthorized', claims.detail);
      return;
    }
    if (Math.floor(now() / 1000) > claims.exp) {
      if (state.errorVariant === 'legacy')
        fail(res, 401, '401002', 'Request unauthorized', 'Token is expired');
      else fail(res, 401, '401205', 'Token is expired');
      return;
    }
    const account = accounts.get(claims.account);
    if (account === undefined) {
      fail(res, 401, '401206', 'The account that owns the token is deleted');
      return;
    }
    const perms = account.roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []);
    sendJson(res, 200, perms.length > 0 ? { perms } : {}, serverHeader);
  };

  const server = await startServer(
    (req, res) => {
      const retryAfter = rateLimited();
      if (retryAfter !== undefined) {
        sendJson(
          res,
          429,
          { errorCode: '429001', errorMessage: 'Too many requests' },
          {
            'retry-after': String(retryAfter),
            ...serverHeader,
          },
        );
        return;
      }
      const path = req.url.split('?')[0];
      if (options.rbac === false || (path !== '/v4/token' && path !== '/v4/self-perms')) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...serverHeader });
        res.end('404 page not found\n');
        return;
      }
      if (path === '/v4/token') login(req, res);
      else if (req.method === 'GET') selfPerms(req, res);
      else {
        res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET', ...serverHeader });
        res.end('Method Not Allowed');
      }
    },
    { ...(tls ? { tls } : {}), ...(options.hostname ? { hostname: options.hostname } : {}) },
  );

  // Switchable while running: an accessor, so the login handler sees the change.
  Object.defineProperty(server, 'errorVariant', {
    enumerable: true,
    get: () => state.errorVariant,
    set: (variant: ErrorVariant) => {
      state.errorVariant = variant;
    },
  });
  return Object.assign(server as EmulatorServer & { errorVariant: ErrorVariant }, {
    username,
    password: firstAccount.password,
    ...(ca ? { ca } : {}),
    accounts,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    issueToken,
    locks(): AccountLock[] {
      const at = now();
      const list: AccountLock[] = [];
      for (const [key, bucket] of buckets) {
        if ((bucket.bannedUntil ?? 0) > at) {
          list.push({ key, status: 'banned', releaseAt: Math.floor(bucket.bannedUntil! / 1000) });
        } else if (at - bucket.lastFailureAt < LOCKOUT.retainHistoryMs) {
          list.push({
            key,
            status: 'attempted',
            releaseAt: Math.floor((bucket.lastFailureAt + LOCKOUT.retainHistoryMs) / 1000),
          });
        }
      }
      return list;
    },
  });
}

const ROLE_PERMISSIONS: Record<string, unknown[]> = {
  admin: [{ resources: [{ type: '*' }], verbs: ['*'] }],
  developer: [
    { resources: [{ type: 'service' }, { type: 'instance' }], verbs: ['*'] },
    { resources: [{ type: 'rule' }, { type: 'config' }], verbs: ['get'] },
  ],
};

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

type DecodedAccount =
  | { ok: true; account: { name: string; password: string; tokenExpirationTime: string } }
  | { ok: false; detail: string };

/** Go's `json.Unmarshal` into `rbac.Account`: keys match case-insensitively, null is a no-op. */
function decodeAccount(body: Buffer): DecodedAccount {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return {
      ok: false,
      detail: body.length === 0 ? 'unexpected end of JSON input' : 'invalid character in JSON input',
    };
  }
  const account = { name: '', password: '', tokenExpirationTime: '' };
  if (value === null) return { ok: true, account };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      detail: `json: cannot unmarshal ${goTypeName(value)} into Go value of type rbac.Account`,
    };
  }
  const fields = { name: 'name', password: 'password', tokenexpirationtime: 'tokenExpirationTime' } as const;
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const target = fields[key.toLowerCase() as keyof typeof fields];
    if (target === undefined || field === null) continue;
    if (typeof field !== 'string') {
      return {
        ok: false,
        detail: `json: cannot unmarshal ${goTypeName(field)} into Go struct field Account.${target} of type string`,
      };
    }
    account[target] = field;
  }
  return { ok: true, account };
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/**
 * Milliseconds of a Go duration (`[-+]?([0-9]*(\.[0-9]*)?unit)+`, or `0`), or undefined. Written
 * independently of the action's parser on purpose: the emulator is the other side's referee.
 */
export function goDurationMs(text: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1e3,
    m: 6e4,
    h: 3.6e6,
  };
  const body = text.replace(/^[-+]/, '');
  if (body === '0') return 0;
  if (!/^(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/u.test(body)) return undefined;
  let total = 0;
  for (const [, number, unit] of body.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu)) {
    total += Number(number) * units[unit!]!;
  }
  return text.startsWith('-') ? -total : total;
}

/** The address the lockout is keyed by: first global unicast in X-Forwarded-For, X-Real-Ip, the peer. */
export function clientIp(req: Pick<RecordedRequest, 'headers' | 'remoteAddress'>): string {
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((part) => part.trim())
    .find(isGlobalUnicast);
  if (forwarded) return forwarded;
  const real = String(req.headers['x-real-ip'] ?? '').trim();
  if (isIP(real)) return real;
  return req.remoteAddress.replace(/^::ffff:/, '');
}

function isGlobalUnicast(address: string): boolean {
  const version = isIP(address);
  if (version === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return !(a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254));
  }
  if (version === 6) {
    const lower = address.toLowerCase();
    return !(lower === '::' || lower === '::1' || /^fe[89ab]/.test(lower) || lower.startsWith('ff'));
  }
  return false;
}

type VerifiedClaims = { ok: true; account: string; exp: number } | { ok: false; detail: string };

/** As the buildin auth plugin: RS512 only, signature first, then the claims. */
function verifyToken(token: string, publicKey: KeyObject): VerifiedClaims {
  const segments = token.split('.');
  if (segments.length !== 3) return { ok: false, detail: 'token contains an invalid number of segments' };
  const [header, payload, signature] = segments as [string, string, string];
  let alg: unknown;
  let claims: Record<string, unknown>;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, detail: 'invalid character looking for beginning of value' };
  }
  if (alg !== 'RS512') return { ok: false, detail: `signing method ${String(alg)} is invalid` };
  const valid = verify(
    'sha512',
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) return { ok: false, detail: 'crypto/rsa: verification error' };
  const exp = claims['exp'];
  if (typeof claims['account'] !== 'string' || typeof exp !== 'number') {
    return { ok: false, detail: 'invalid claims' };
  }
  return { ok: true, account: claims['account'], exp };
}

export interface BlackHoleNode {
  /** `http://127.0.0.1:<port>`: connecting to it never completes. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

// The listener lives in a worker whose event loop is blocked, so it never calls accept(): the
// kernel completes handshakes only until the listen backlog is full, and then drops every SYN.
const NEVER_ACCEPTS = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(workerData, 0, 0);
  server.close();
});
`;
const FULL_BACKLOG_PROBE_MS = 300;
/** Linux queues backlog + 1 connections; far more means the listener is accepting after all. */
const MAX_FILLERS = 16;

/**
 * An engine node that has gone silent the way a firewall that drops packets makes it look: its
 * address takes no connection at all, so a client's connect only ends at its own deadline, and
 * no byte of a request can ever reach it (unlike a `hang` fault, where the request was sent).
 */
export async function startBlackHoleNode(): Promise<BlackHoleNode> {
  const released = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(NEVER_ACCEPTS, { eval: true, workerData: released });
  const [port] = (await once(worker, 'message')) as [number];
  // Fill the backlog: open connections until one is not accepted within the probe time.
  const fillers: Socket[] = [];
  for (;;) {
    if (fillers.length === MAX_FILLERS) {
      throw new Error(`the black hole took ${MAX_FILLERS} connections: its listener is accepting`);
    }
    const filler = connect(port, '127.0.0.1');
    filler.on('error', () => {});
    fillers.push(filler);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), FULL_BACKLOG_PROBE_MS);
      filler.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      Atomics.store(released, 0, 1);
      Atomics.notify(released, 0);
      for (const filler of fillers) filler.destroy();
      await worker.terminate();
    },
  };
}
