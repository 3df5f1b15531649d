// A loopback Huawei Cloud SWR API for tests and the demo: CreateSecret (docs/specs/swr.md §2–§5), the
// Enterprise Edition ShowInstance and CreateInstanceTempCredential (§10) and the "enhanced"
// CreateAuthorizationToken (§11). Every API sits behind the same gateway check (huawei-apig.ts:
// SDK-HMAC-SHA256 recomputed from the request as received, X-Sdk-Date skew, IAM tokens, security
// tokens) and answers like SWR: credentials in the body, a login command without host, expiries
// in the formats SWR uses. Faults can be queued to test every failure path, and permissions can
// be denied the way an IAM5 identity policy does (403 with `encoded_authorization_message`).
//
// Error codes of the Enterprise APIs are not published; the ones marked "emulator" below are ours,
// in SWR's documented body shape. Clients must not rely on them.
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  authenticateRequest,
  type GatewayCredentials,
  gatewayCredentials,
  gatewayError,
  parseQuery,
  refuseUnauthenticated,
  splitUrl,
  type TemporaryAccessKey,
} from './huawei-apig.ts';
import {
  type EmulatorServer,
  type RecordedRequest,
  sendJson,
  startServer,
  type TlsOptions,
  type TransportFault,
} from './server.ts';

/** The APIs this emulator serves. */
export type SwrApi =
  | 'create-secret'
  | 'create-authorization-token'
  | 'show-instance'
  | 'create-temp-credential';

/** The IAM actions each API needs (docs/specs/swr.md §2, §10, §11). */
export const SWR_API_ACTIONS = {
  'create-secret': 'swr::createLoginSecret',
  'create-authorization-token': 'swr::createAuthorizationToken',
  'show-instance': 'swr:instance:get',
  'create-temp-credential': 'swr:instance:createTempCredential',
} as const satisfies Record<SwrApi, string>;

export type SwrAction = (typeof SWR_API_ACTIONS)[SwrApi];

/** ShowInstance's `status` values (docs/specs/swr.md §10); any other string can be set too. */
export type InstanceStatus = 'Initial' | 'Creating' | 'Running' | 'Unavailable' | (string & {});

export interface SwrInstance {
  id: string;
  name: string;
  status: InstanceStatus;
  /** ShowInstance's `access_address`, verbatim (e.g. a real local registry's `127.0.0.1:<port>`). */
  accessAddress: string;
  /** The project the instance belongs to (default: the emulator's `projectId`). */
  projectId: string;
}

/**
 * How temp-credential writes `expire_date` and `created_at` (its format is undocumented, docs/specs/swr.md
 * §10). The first three carry a zone; the others are ambiguous or not RFC 3339 at all.
 */
export const EXPIRE_DATE_STYLES = [
  'rfc3339-utc',
  'rfc3339-millis',
  'rfc3339-offset',
  'no-zone',
  'space-no-zone',
  'epoch-seconds',
  'absent',
] as const;
export type ExpireDateStyle = (typeof EXPIRE_DATE_STYLES)[number];

export interface SwrEmulatorOptions {
  /** Permanent access key (a demo default when omitted). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Temporary access key that is only valid together with X-Security-Token. */
  temporary?: TemporaryAccessKey;
  /** Project-scoped IAM token accepted as X-Auth-Token. */
  authToken?: string;
  /**
   * Further X-Auth-Tokens, looked up with their issuer (e.g. an IAM emulator's unexpired tokens);
   * undefined means unknown or expired. SWR is project-level: a token without a project is refused.
   */
  issuedToken?: GatewayCredentials['issuedToken'];
  /**
   * Further temporary access keys, looked up with their issuer (e.g. an STS emulator's
   * `findCredentials`); each is only valid with its own X-Security-Token.
   */
  temporaryCredentials?: GatewayCredentials['temporaryCredentials'];
  /** Region the emulator pretends to be: the default projectname. */
  region?: string;
  /** Registry host[:port] handed out in `auths` (default swr.<region>.myhuaweicloud.com). */
  registry?: string;
  /** Further registries in the same answer (same credentials). */
  extraRegistries?: string[];
  /** Fixed user/password CreateSecret hands out (e.g. to match a real registry's htpasswd); random otherwise. */
  username?: string;
  password?: string;
  /** X-Swr-Dockerlogin as documented (no host), with the host appended, or absent. */
  loginHeader?: 'without-host' | 'with-host' | 'absent';
  /** Send the expiry header (default true). */
  expireAt?: boolean;
  /** Lifetime when duration_seconds is not sent (default 24 h). */
  defaultDurationSeconds?: number;
  /** Fixed user/password CreateAuthorizationToken hands out; `bearertoken@<random>` and random otherwise. */
  authorizationToken?: { username: string; password: string };
  /** The region's project id: the `{project_id}` of the Enterprise APIs (default 32 random hex digits). */
  projectId?: string;
  /** Enterprise Edition instances; `name`, `status` (Running), `accessAddress` and `projectId` have defaults. */
  instances?: Array<Pick<SwrInstance, 'id'> & Partial<SwrInstance>>;
  /** The user_id / auth_token every temp-credential hands out (e.g. to match a registry's htpasswd). */
  tempCredential?: { userId: string; authToken: string };
  /** The format of temp-credential's `expire_date` and `created_at` (default `rfc3339-utc`). */
  expireDateStyle?: ExpireDateStyle;
  /** Actions the caller is denied, answered 403 with `encoded_authorization_message`. */
  deny?: SwrAction[];
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
  /** Which API handed it out. */
  api: 'create-secret' | 'create-authorization-token';
  registry: string;
  username: string;
  password: string;
  /** CreateSecret's projectname; '' for CreateAuthorizationToken, which has none. */
  projectName: string;
  /** The expiry header as sent. */
  expiresAt: string;
}

export interface IssuedTempCredential {
  instanceId: string;
  projectId: string;
  /** The instance's access_address when it was issued. */
  registry: string;
  userId: string;
  authToken: string;
  tokenId: string;
  /** `expire_date` as sent (undefined with the `absent` style). */
  expireDate?: string;
  /** The same instant as ISO-8601 UTC. */
  expiresAt: string;
}

/**
 * SWR-specific faults, consumed one per request after the transport faults and before the logic.
 * With `api`, only a request to that API consumes the fault (e.g. fail temp-credential after a
 * good ShowInstance).
 */
export type SwrFault = { api?: SwrApi } & (
  | { kind: 'malformed-json' }
  | { kind: 'hostile-auths'; registry?: string; username?: string; password?: string; header?: string }
  | { kind: 'hostile-instance'; accessAddress?: string; status?: string; name?: string }
  | { kind: 'hostile-credential'; userId?: string; authToken?: string; tokenId?: string; expireDate?: string }
  /**
   * `swr`: old and new field names together; `swr-old`: only `errors[]`; `apigw`: the gateway's.
   * `encodedAuthorizationMessage` adds that field (SWR shapes only).
   */
  | {
      kind: 'swr-error';
      status: number;
      code: string;
      message: string;
      shape?: 'swr' | 'swr-old' | 'apigw';
      encodedAuthorizationMessage?: boolean;
    }
);

export interface SwrEmulator extends EmulatorServer {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly temporary: TemporaryAccessKey;
  readonly authToken: string;
  /** Everything the gateway accepts, to share with the IAM emulator (`startHuaweiIamEmulator({ credentials })`). */
  readonly credentials: GatewayCredentials;
  readonly region: string;
  readonly projectId: string;
  /** The first registry host handed out by CreateSecret and CreateAuthorizationToken. */
  readonly registry: string;
  /** The Enterprise instances; tests may add, remove or change them between requests. */
  readonly instances: SwrInstance[];
  /** Denied actions; tests may change them between requests. */
  readonly deny: SwrAction[];
  /** Every CreateSecret / CreateAuthorizationToken login handed out, in order. */
  readonly issued: IssuedLogin[];
  /** Every Enterprise temporary credential handed out, in order. */
  readonly tempCredentials: IssuedTempCredential[];
  readonly swrFaults: SwrFault[];
}

const SECRET_PATH = '/v2/manage/utils/secret';
const AUTHORIZATION_TOKEN_PATH = '/v2/manage/utils/authorizationtoken';
const INSTANCE_PATH = /^\/v2\/([^/]+)\/instances\/([^/]+)$/;
const TEMP_CREDENTIAL_PATH = /^\/v2\/([^/]+)\/instances\/([^/]+)\/temp-credential$/;
const TEMP_CREDENTIAL_LIFETIME_MS = 24 * 3600_000;

interface Route {
  api: SwrApi;
  /** The Enterprise APIs' path parameters, decoded. */
  projectId?: string;
  instanceId?: string;
}

function routeOf(method: string, pathname: string): Route | undefined {
  if (method === 'POST' && pathname === SECRET_PATH) return { api: 'create-secret' };
  if (method === 'POST' && pathname === AUTHORIZATION_TOKEN_PATH)
    return { api: 'create-authorization-token' };
  const temp = TEMP_CREDENTIAL_PATH.exec(pathname);
  if (method === 'POST' && temp) {
    return { api: 'create-temp-credential', projectId: decode(temp[1]), instanceId: decode(temp[2]) };
  }
  const instance = INSTANCE_PATH.exec(pathname);
  if (method === 'GET' && instance) {
    return { api: 'show-instance', projectId: decode(instance[1]), instanceId: decode(instance[2]) };
  }
  return undefined;
}

export async function startSwrEmulator(options: SwrEmulatorOptions = {}): Promise<SwrEmulator> {
  const now = options.now ?? Date.now;
  const region = options.region ?? 'cn-north-4';
  const registry = options.registry ?? `swr.${region}.myhuaweicloud.com`;
  const credentials = gatewayCredentials(options);
  const projectId = options.projectId ?? randomBytes(16).toString('hex');
  const instances: SwrInstance[] = (options.instances ?? []).map((instance) => {
    const name = instance.name ?? `instance-${instance.id.slice(0, 8)}`;
    return {
      id: instance.id,
      name,
      status: instance.status ?? 'Running',
      // A made-up default: Huawei does not document the shape of an instance's host.
      accessAddress: instance.accessAddress ?? `${name}.swr-ee.${region}.myhuaweicloud.com`,
      projectId: instance.projectId ?? projectId,
    };
  });
  const deny: SwrAction[] = [...(options.deny ?? [])];
  const issued: IssuedLogin[] = [];
  const tempCredentials: IssuedTempCredential[] = [];
  const swrFaults: SwrFault[] = [];
  const bucket = options.rateLimit ? { tokens: options.rateLimit.burst, at: now() } : undefined;

  /** The first queued fault this request may consume, removed from the queue. */
  const takeFault = (route: Route | undefined): SwrFault | undefined => {
    const index = swrFaults.findIndex((fault) => fault.api === undefined || fault.api === route?.api);
    return index < 0 ? undefined : swrFaults.splice(index, 1)[0];
  };

  const throttled = (res: http.ServerResponse, requestId: string): boolean => {
    if (!bucket || !options.rateLimit) return false;
    const { burst, refillPerSecond } = options.rateLimit;
    const t = now();
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * refillPerSecond);
    bucket.at = t;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return false;
    }
    const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
    gatewayError(res, 429, 'APIGW.0308', 'The throttling threshold has been reached', requestId, {
      'retry-after': String(wait),
    });
    return true;
  };

  const handler = (req: RecordedRequest, res: http.ServerResponse): void => {
    const requestId = randomUUID().replace(/-/g, '');
    if (throttled(res, requestId)) return;
    const { pathname, rawQuery } = splitUrl(req.url);
    const route = routeOf(req.method, pathname);
    const fault = takeFault(route);
    if (fault?.kind === 'swr-error') {
      if (fault.shape === 'apigw') gatewayError(res, fault.status, fault.code, fault.message, requestId);
      else
        swrError(res, fault.status, fault.code, fault.message, requestId, {
          oldNamesOnly: fault.shape === 'swr-old',
          encodedAuthorizationMessage: fault.encodedAuthorizationMessage ?? false,
        });
      return;
    }
    if (!route) {
      swrError(res, 404, 'SVCSTG.SWR.4040000', `No such API: ${req.method} ${pathname}`, requestId);
      return;
    }
    const verdict = authenticateRequest(req, credentials, { now, maxSkewMs: options.maxSkewMs });
    if (!verdict.ok) {
      refuseUnauthenticated(res, verdict.reason, requestId);
      return;
    }
    if (verdict.by === 'token' && !verdict.scoped) {
      swrError(
        res,
        401,
        'SVCSTG.SWR.4010000',
        'Authenticate failed: the token is not scoped to a project',
        requestId,
      );
      return;
    }
    if (req.method === 'POST' && !isJsonContentType(req.headers['content-type'])) {
      swrError(res, 400, 'SVCSTG.SWR.4000001', 'Content-Type must be application/json', requestId);
      return;
    }
    const context: Answer = { req, res, requestId, rawQuery, fault };
    if (route.projectId !== undefined && route.instanceId !== undefined) {
      enterprise(context, route, route.projectId, route.instanceId);
      return;
    }
    if (deny.includes(SWR_API_ACTIONS[route.api])) {
      denied(context, route.api);
      return;
    }
    if (route.api === 'create-secret') createSecret(context);
    else createAuthorizationToken(context);
  };

  interface Answer {
    req: RecordedRequest;
    res: http.ServerResponse;
    requestId: string;
    rawQuery: string;
    fault: SwrFault | undefined;
  }

  const denied = ({ res, requestId }: Answer, api: SwrApi): void =>
    swrError(
      res,
      403,
      'SVCSTG.SWR.4030170',
      `Insufficient permissions: the identity policy does not allow ${SWR_API_ACTIONS[api]}`,
      requestId,
      { encodedAuthorizationMessage: true },
    );

  const createSecret = (answer: Answer): void => {
    const { res, requestId } = answer;
    const query = parseQuery(answer.rawQuery);
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
    const expiresAt = new Date(now() + duration * 1000).toISOString().replace(/Z$/, '000Z');
    sendAuths(answer, {
      api: 'create-secret',
      username: options.username ?? `${projectName}@${randomAk()}`,
      password: options.password ?? randomBytes(32).toString('hex'),
      projectName,
      expiresAt,
      // As documented: X-Swr-Expireat (docs/specs/swr.md §3).
      expiryHeader: 'X-Swr-Expireat',
    });
  };

  const createAuthorizationToken = (answer: Answer): void => {
    if (answer.rawQuery !== '') {
      // Emulator strictness: the API has no query parameters (docs/specs/swr.md §11), so a client sending
      // CreateSecret's projectname or duration_seconds here is confused.
      swrError(
        answer.res,
        400,
        'SVCSTG.SWR.4000001',
        'CreateAuthorizationToken takes no query parameters',
        answer.requestId,
      );
      return;
    }
    sendAuths(answer, {
      api: 'create-authorization-token',
      username: options.authorizationToken?.username ?? `bearertoken@${randomAk()}`,
      password: options.authorizationToken?.password ?? randomBytes(32).toString('hex'),
      projectName: '',
      // CreateAuthorizationToken's documented example: milliseconds, Z (docs/specs/swr.md §11).
      expiresAt: new Date(now() + 86400_000).toISOString(),
      // Spelled in lower case by this API (docs/specs/swr.md §11): clients must read headers case-insensitively.
      expiryHeader: 'x-swr-expireat',
    });
  };

  const sendAuths = (
    { res, requestId, fault }: Answer,
    login: Omit<IssuedLogin, 'registry'> & { expiryHeader: string },
  ): void => {
    if (fault?.kind === 'malformed-json') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
      res.end('{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":');
      return;
    }
    let answer = {
      username: login.username,
      password: login.password,
      hosts: [registry, ...(options.extraRegistries ?? [])],
      header: undefined as string | undefined,
    };
    if (fault?.kind === 'hostile-auths') {
      answer = {
        username: fault.username ?? login.username,
        password: fault.password ?? login.password,
        hosts: [fault.registry ?? registry],
        header: fault.header,
      };
    }
    const auths: Record<string, { auth: string }> = {};
    for (const host of answer.hosts) {
      auths[host] = { auth: Buffer.from(`${answer.username}:${answer.password}`).toString('base64') };
      issued.push({
        api: login.api,
        registry: host,
        username: answer.username,
        password: answer.password,
        projectName: login.projectName,
        expiresAt: login.expiresAt,
      });
    }
    const headers: Record<string, string> = { 'x-request-id': requestId };
    const style = options.loginHeader ?? 'without-host';
    const loginHeader = answer.header ?? `docker login -u ${answer.username} -p ${answer.password}`;
    // A hostile user with a line break cannot travel in a header at all; the body still carries it.
    if (style !== 'absent' && /^[\t\x20-\x7e]*$/.test(loginHeader)) {
      headers['X-Swr-Dockerlogin'] =
        style === 'with-host' ? `${loginHeader} ${answer.hosts[0]}` : loginHeader;
    }
    if (options.expireAt ?? true) headers[login.expiryHeader] = login.expiresAt;
    sendJson(res, 200, { auths }, headers);
  };

  const enterprise = (answer: Answer, route: Route, pathProject: string, instanceId: string): void => {
    const { req, res, requestId } = answer;
    const headerProject = req.headers['x-project-id'];
    if (headerProject !== undefined && headerProject !== pathProject) {
      // Emulator strictness: the signed X-Project-Id and the path must name the same project.
      swrError(
        res,
        400,
        'SVCSTG.SWR.4000001',
        'X-Project-Id does not match the project in the path',
        requestId,
      );
      return;
    }
    const ofProject = instances.filter((instance) => instance.projectId === pathProject);
    if (pathProject !== projectId && ofProject.length === 0) {
      swrError(res, 404, 'SVCSTG.SWR.4040002', `Project ${pathProject} not found`, requestId); // emulator
      return;
    }
    if (deny.includes(SWR_API_ACTIONS[route.api])) {
      denied(answer, route.api);
      return;
    }
    const instance = ofProject.find((candidate) => candidate.id === instanceId);
    if (!instance) {
      swrError(res, 404, 'SVCSTG.SWR.4040001', `Instance ${instanceId} not found`, requestId); // emulator
      return;
    }
    if (answer.fault?.kind === 'malformed-json') {
      res.writeHead(route.api === 'show-instance' ? 200 : 201, {
        'content-type': 'application/json',
        'x-request-id': requestId,
      });
      res.end(`{"id":"${instance.id}","auth_token":`);
      return;
    }
    if (route.api === 'show-instance') showInstance(answer, instance);
    else createTempCredential(answer, instance);
  };

  const showInstance = ({ res, requestId, fault }: Answer, instance: SwrInstance): void => {
    const hostile = fault?.kind === 'hostile-instance' ? fault : undefined;
    sendJson(
      res,
      200,
      {
        id: instance.id,
        name: hostile?.name ?? instance.name,
        status: hostile?.status ?? instance.status,
        access_address: hostile?.accessAddress ?? instance.accessAddress,
        project_id: instance.projectId,
        spec: 'swr.ee.professional',
        version: 'v2.10.1',
        charge_mode: 'postPaid',
        enterprise_project_id: '0',
        vpc_id: randomUUID(),
        subnet_id: randomUUID(),
        created_at: new Date(now() - 30 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      { 'x-request-id': requestId },
    );
  };

  const createTempCredential = ({ res, requestId, fault }: Answer, instance: SwrInstance): void => {
    const style = options.expireDateStyle ?? 'rfc3339-utc';
    // Whole seconds, so that every style names the same instant as `expiresAt` records.
    const expiresAt = Math.floor((now() + TEMP_CREDENTIAL_LIFETIME_MS) / 1000) * 1000;
    const hostile = fault?.kind === 'hostile-credential' ? fault : undefined;
    const credential = {
      userId: hostile?.userId ?? options.tempCredential?.userId ?? randomBytes(16).toString('hex'),
      authToken: hostile?.authToken ?? options.tempCredential?.authToken ?? randomBytes(32).toString('hex'),
      tokenId: hostile?.tokenId ?? randomUUID(),
      expireDate: hostile?.expireDate ?? formatExpireDate(expiresAt, style),
    };
    const createdAt = formatExpireDate(now(), style);
    tempCredentials.push({
      instanceId: instance.id,
      projectId: instance.projectId,
      registry: instance.accessAddress,
      userId: credential.userId,
      authToken: credential.authToken,
      tokenId: credential.tokenId,
      ...(credential.expireDate !== undefined ? { expireDate: credential.expireDate } : {}),
      expiresAt: new Date(expiresAt).toISOString(),
    });
    sendJson(
      res,
      201,
      {
        auth_token: credential.authToken,
        ...(createdAt !== undefined ? { created_at: createdAt } : {}),
        ...(credential.expireDate !== undefined ? { expire_date: credential.expireDate } : {}),
        token_id: credential.tokenId,
        user_id: credential.userId,
      },
      { 'x-request-id': requestId },
    );
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
    accessKeyId: credentials.permanent.accessKeyId,
    secretAccessKey: credentials.permanent.secretAccessKey,
    temporary: credentials.temporary,
    authToken: credentials.authToken,
    credentials,
    region,
    projectId,
    registry,
    instances,
    deny,
    issued,
    tempCredentials,
    swrFaults,
  };
}

/** An instant written in one of temp-credential's styles; undefined for `absent`. */
export function formatExpireDate(epochMs: number, style: ExpireDateStyle): string | undefined {
  const utc = new Date(epochMs).toISOString();
  const seconds = utc.replace(/\.\d{3}Z$/, '');
  switch (style) {
    case 'rfc3339-utc':
      return `${seconds}Z`;
    case 'rfc3339-millis':
      return utc;
    case 'rfc3339-offset': {
      // China Standard Time, as a console in cn-north-4 would show it.
      const local = new Date(epochMs + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '');
      return `${local}+08:00`;
    }
    case 'no-zone':
      return seconds;
    case 'space-no-zone':
      return seconds.replace('T', ' ');
    case 'epoch-seconds':
      return String(Math.floor(epochMs / 1000));
    case 'absent':
      return undefined;
  }
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

function isJsonContentType(header: string | string[] | undefined): boolean {
  const contentType = String(header ?? '')
    .toLowerCase()
    .replace(/\s/g, '');
  return contentType === 'application/json' || contentType === 'application/json;charset=utf-8';
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}

function randomAk(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * SWR's service error body: the old and the new field names together (docs/specs/swr.md §4), and for
 * permission refusals the opaque `encoded_authorization_message` of IAM5 policies (§10).
 */
function swrError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  extras: { oldNamesOnly?: boolean; encodedAuthorizationMessage?: boolean } = {},
): void {
  const errors = [{ errorCode: code, errorMessage: message, detail: '' }];
  const body: Record<string, unknown> = extras.oldNamesOnly
    ? { errors }
    : { errors, error_code: code, error_msg: message, details: [{ error_code: code, error_msg: '' }] };
  if (extras.encodedAuthorizationMessage) {
    body['encoded_authorization_message'] = `EAM${randomBytes(384).toString('base64')}`;
  }
  sendJson(res, status, body, { 'x-request-id': requestId });
}
