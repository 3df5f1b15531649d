// A UCloud API gateway that answers UCDN GetAuthConfig as UCloud documents it
// (https://docs.ucloud.cn/api/ucdn-api/get_auth_config, …/summary/public): HTTP 200 with a
// RetCode, signatures checked with this file's own code (never the action's signer), channel-key
// and STS tokens, X-UCLOUD-REQUEST-UUID on every answer, a token-bucket throttle (RetCode 153) and
// switchable faults. It runs with no options at all (demo key pair and domains).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  type EmulatorServer,
  type RecordedRequest,
  sendJson,
  startServer,
  type TlsOptions,
} from './server.ts';

export interface UcloudKeyPair {
  publicKey: string;
  privateKey: string;
  /** Accounts of a dedicated-cloud channel: requests must carry this `channel-key` header (else 171). */
  channelKey?: string;
  /** Temporary (STS) keys: requests must carry this SecurityToken (else 174). */
  securityToken?: string;
}

export interface UcloudKv {
  Key: string;
  Iv: string;
}
export interface UcloudDomainAuthConfig {
  Domain: string;
  Config: Array<{ Type: string; Keys: UcloudKv[] }>;
}

/** Answers that replace or bend one normal answer (transport faults use the base `faults` queue). */
export type UcloudFault =
  | { kind: 'retCode'; retCode: number; message?: string }
  | { kind: 'retCodeAsString' }
  | { kind: 'malformedJson' }
  | { kind: 'omitAuthConfigs' }
  | { kind: 'omitKeys' };

export interface UcloudEmulatorOptions {
  /** Default: one random demo key pair. */
  keyPairs?: UcloudKeyPair[];
  /** Default: three demo domains with pkey, ksc and typeA configs and random keys. */
  authConfigs?: UcloudDomainAuthConfig[];
  /** Known project ids; an unknown ProjectId gets RetCode 292. Default: any project is known. */
  projects?: string[];
  tls?: TlsOptions;
  /** A token bucket over all requests; an empty bucket answers RetCode 153. */
  rateLimit?: { burst: number; refillPerSecond: number };
}

export interface UcloudEmulator extends EmulatorServer {
  /** The first key pair (the demo pair when none was given). */
  readonly publicKey: string;
  readonly privateKey: string;
  readonly keyPairs: readonly UcloudKeyPair[];
  readonly authConfigs: readonly UcloudDomainAuthConfig[];
  readonly domains: readonly string[];
  /** Every Key and Iv (non-empty) the emulator can hand out: what a leak check looks for. */
  readonly secrets: readonly string[];
  readonly serviceFaults: UcloudFault[];
}

const ACTIONS = new Set(['GetAuthConfig']);

export async function startUcloudEmulator(options: UcloudEmulatorOptions = {}): Promise<UcloudEmulator> {
  const keyPairs = options.keyPairs ?? [{ publicKey: randomKey(48), privateKey: randomKey(30) }];
  const authConfigs = options.authConfigs ?? demoAuthConfigs();
  const serviceFaults: UcloudFault[] = [];
  const bucket = options.rateLimit ? tokenBucket(options.rateLimit) : undefined;

  const server = await startServer(
    (req, res) => {
      const requestId = randomUUID();
      const answer = (body: Record<string, unknown>, asString = false): void => {
        const payload: Record<string, unknown> = { Action: 'GetAuthConfigResponse', ...body };
        const text = asString
          ? JSON.stringify({ ...payload, RetCode: String(payload['RetCode']) })
          : JSON.stringify(payload);
        sendJson(res, 200, text, { 'X-UCLOUD-REQUEST-UUID': requestId });
      };
      const fail = (retCode: number, message: string): void => answer({ RetCode: retCode, Message: message });

      if (bucket && !bucket.take()) return fail(153, 'Request throttled, please retry later');
      const fault = serviceFaults.shift();
      if (fault?.kind === 'retCode')
        return fail(fault.retCode, fault.message ?? `Injected RetCode ${fault.retCode}`);
      if (fault?.kind === 'malformedJson') return sendMalformed(res, requestId);

      const params = paramsOf(req);
      if (params === undefined) return fail(230, 'Request body is neither JSON nor a form');
      const rejection = verify(params, req, keyPairs);
      if (rejection) return fail(rejection.retCode, rejection.message);
      for (const name of ['Region', 'Zone']) {
        if (!params[name]) return fail(230, `Params [${name}] not available`);
      }
      const project = params['ProjectId'];
      if (project !== undefined && options.projects && !options.projects.includes(project)) {
        return fail(292, 'Project not exists');
      }

      const domain = params['Domain'];
      const selected = authConfigs.filter((config) => domain === undefined || config.Domain === domain);
      const shaped =
        fault?.kind === 'omitKeys'
          ? selected.map((config) => ({ ...config, Config: config.Config.map(({ Type }) => ({ Type })) }))
          : selected;
      // The API leaves AuthConfigs out when there is nothing to return.
      const withConfigs = shaped.length > 0 && fault?.kind !== 'omitAuthConfigs';
      answer(
        { RetCode: 0, ...(withConfigs ? { AuthConfigs: shaped } : {}) },
        fault?.kind === 'retCodeAsString',
      );
    },
    options.tls ? { tls: options.tls } : {},
  );

  const first = keyPairs[0];
  if (!first) throw new Error('the UCloud emulator needs at least one key pair');
  return {
    ...server,
    publicKey: first.publicKey,
    privateKey: first.privateKey,
    keyPairs,
    authConfigs,
    domains: authConfigs.map((config) => config.Domain),
    secrets: [
      ...new Set(
        authConfigs.flatMap((config) =>
          config.Config.flatMap((auth) => auth.Keys.flatMap((kv) => [kv.Key, kv.Iv])).filter(Boolean),
        ),
      ),
    ],
    serviceFaults,
  };
}

/** The parameters of a recorded request (JSON or form body), flattened as the gateway sees them. */
export function paramsOf(req: Pick<RecordedRequest, 'headers' | 'body'>): Record<string, string> | undefined {
  const type = String(req.headers['content-type'] ?? '');
  const text = req.body.toString('utf8');
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    return flattenJson(body as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** JSON bodies may use native types and nesting (the JS SDK does); the gateway signs their flat form. */
function flattenJson(body: Record<string, unknown>): Record<string, string> {
  const flat: Record<string, string> = {};
  const pending: Array<[string, unknown]> = Object.entries(body);
  while (pending.length > 0) {
    const [name, value] = pending.pop() as [string, unknown];
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') {
      const entries = Array.isArray(value)
        ? value.map((item, i) => [String(i), item])
        : Object.entries(value);
      for (const [field, item] of entries) pending.push([`${name}.${field}`, item]);
    } else {
      flat[name] = String(value);
    }
  }
  return flat;
}

function verify(
  params: Record<string, string>,
  req: RecordedRequest,
  keyPairs: readonly UcloudKeyPair[],
): { retCode: number; message: string } | undefined {
  const action = params['Action'];
  if (!action) return { retCode: 160, message: 'Missing Action' };
  if (!ACTIONS.has(action)) return { retCode: 161, message: `Action [${action}] not exists` };
  const pair = keyPairs.find((candidate) => candidate.publicKey === params['PublicKey']);
  if (!pair) return { retCode: 172, message: 'User Not Exists' };
  const sent = params['Signature'];
  if (!sent) return { retCode: 170, message: 'Missing Signature' };
  const channel = req.headers['channel-key'];
  if (pair.channelKey !== undefined && channel !== pair.channelKey) {
    return { retCode: 171, message: 'Signature VerifyAC Error' };
  }
  if (expectedSignature(params, pair.privateKey) !== sent) {
    return { retCode: 171, message: 'Signature VerifyAC Error' };
  }
  if (params['SecurityToken'] !== pair.securityToken) return { retCode: 174, message: 'Token Not Exists' };
  return undefined;
}

function expectedSignature(params: Record<string, string>, privateKey: string): string {
  const pairs = Object.entries(params).filter(([name]) => name !== 'Signature');
  pairs.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const hash = createHash('sha1');
  for (const [name, value] of pairs) hash.update(name).update(value);
  return hash.update(privateKey).digest('hex');
}

function sendMalformed(res: http.ServerResponse, requestId: string): void {
  sendJson(res, 200, '{"Action":"GetAuthConfigResponse","RetCode":0,"AuthConfigs":[{"Dom', {
    'X-UCLOUD-REQUEST-UUID': requestId,
  });
}

function tokenBucket(limit: { burst: number; refillPerSecond: number }): { take(): boolean } {
  let tokens = limit.burst;
  let last = performance.now();
  return {
    take() {
      const now = performance.now();
      tokens = Math.min(limit.burst, tokens + ((now - last) / 1000) * limit.refillPerSecond);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** Random key material in the shape UCloud keys have (base64 with `+` and `/`). */
function randomKey(bytes: number): string {
  return randomBytes(bytes).toString('base64').replace(/=+$/, '');
}

/**
 * A large account: `count` domains `d<i>.example.com`, each shaped like the demo's first domain
 * (pkey: one Key and Iv; ksc: two) with keys of its own — six distinct secrets and about 290 bytes
 * of answer per domain.
 */
export function manyAuthConfigs(count: number): UcloudDomainAuthConfig[] {
  const kv = (): UcloudKv => ({ Key: randomBytes(16).toString('hex'), Iv: randomBytes(8).toString('hex') });
  return Array.from({ length: count }, (_, index) => ({
    Domain: `d${index}.example.com`,
    Config: [
      { Type: 'pkey', Keys: [kv()] },
      { Type: 'ksc', Keys: [kv(), kv()] },
    ],
  }));
}

function demoAuthConfigs(): UcloudDomainAuthConfig[] {
  const kv = (withIv = true): UcloudKv => ({
    Key: randomBytes(16).toString('hex'),
    Iv: withIv ? randomBytes(8).toString('hex') : '',
  });
  return [
    {
      Domain: 'static.example.com',
      Config: [
        { Type: 'pkey', Keys: [kv()] },
        { Type: 'ksc', Keys: [kv(), kv()] },
      ],
    },
    { Domain: 'video.example.com', Config: [{ Type: 'typeA', Keys: [kv(false)] }] },
    {
      Domain: 'img.example.com',
      Config: [
        { Type: 'pkey', Keys: [kv()] },
        { Type: 'typeA', Keys: [kv(false)] },
      ],
    },
  ];
}
