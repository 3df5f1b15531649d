// One adapter per action: how to start its emulator, which inputs drive it, which values are
// secret, how to tell its runs apart in the emulator's log, what success publishes, and what
// "nothing left behind" means for it. The case matrix (faults.ts) is written once against this.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedRequest, TlsOptions, TransportFault } from '@cloudcreds/emulators/server';
import { startServiceCenterEmulator } from '@cloudcreds/emulators/service-center';
import { type SwrEmulator, startSwrEmulator } from '@cloudcreds/emulators/swr';
import { paramsOf, startUcloudEmulator, type UcloudEmulator } from '@cloudcreds/emulators/ucloud';
import {
  createDockerShim,
  createWorkspace,
  dockerAuths,
  type Registry,
  type RunResult,
  startRegistry,
  type Workspace,
} from '@cloudcreds/harness';
import { expect } from 'vitest';

export interface StartOptions {
  tls?: TlsOptions;
  rateLimit?: { burst: number; refillPerSecond: number };
}

/** Input overrides; `undefined` removes an input the adapter would set. */
export type InputOverrides = Record<string, string | undefined>;

export interface Target {
  /** The emulator's base URL, as the endpoint input takes it. */
  url: string;
  /** Loopback port of the emulator (for a proxy route). */
  port: number;
  requests: RecordedRequest[];
  /** Transport faults, consumed one per request before the service logic. */
  faults: TransportFault[];
  /** A fresh workspace for this target's run (docker config dir, output file live in it). */
  workspace: Workspace;
  pathPrefix: string[];
  /** The inputs of a run: credentials, the emulator as endpoint, side-effect inputs; then overrides. */
  inputs(overrides?: InputOverrides, run?: number): Record<string, string>;
  /** Values of secret inputs: never in an error line, never visible. */
  secretInputs: string[];
  /** Non-secret inputs no error line has a reason to repeat (key ids). */
  quietInputs: string[];
  /** Every secret the run could have shown: inputs, what the emulator handed out, signatures sent. */
  secrets(result: RunResult): string[];
  /** Which run (see `inputs(…, run)`) sent a request. */
  runOf(request: RecordedRequest): number | undefined;
  expectPublished(result: RunResult): void;
  expectNothingLeftBehind(result: RunResult): void;
  close(): Promise<void>;
}

export interface ServiceErrorCase {
  name: string;
  arrange(target: Target): void;
  error: RegExp;
}

export interface ActionAdapter {
  action: string;
  /** How tests and the report table name this adapter: the action, and its mode where one has several. */
  label: string;
  /** The input that holds the endpoint URL. */
  endpointInput: 'endpoint' | 'base-url';
  /** How the action's error lines name the service it talked to (a regex source). */
  serviceLabel: string;
  /**
   * A run left at the action's real default hostname (or, for cse-token, which has no default, a
   * realistic engine hostname): the proxy route key is `hostname:port`.
   */
  realHost: { hostname: string; port: number; inputs: InputOverrides; httpInputs: InputOverrides };
  start(options?: StartOptions): Promise<Target>;
  /** A success body cut short, as a proxy or a crashed server would deliver it. */
  truncatedBody: string;
  /** What the action adds to the oversized-answer error (a regex source), if anything. */
  oversizedHint?: string;
  serviceErrors: ServiceErrorCase[];
  /** The load test's token bucket (its emulator answers 429, or RetCode 153, beyond it). */
  rateLimit: { burst: number; refillPerSecond: number };
  /** Releases what the adapter shares between targets (swr-login's registry). */
  dispose(): Promise<void>;
}

const withOverrides = (inputs: Record<string, string>, overrides: InputOverrides): Record<string, string> => {
  const merged: Record<string, string | undefined> = { ...inputs, ...overrides };
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
};

const COMMON = { timeout: '5', 'max-attempts': '2' };

// The emulators' own service faults (SWR's error shapes, UCloud's RetCodes), by target.
const swrEmulators = new WeakMap<Target, SwrEmulator>();
const ucloudEmulators = new WeakMap<Target, UcloudEmulator>();

function swrFault(target: Target, status: number, code: string, message: string, shape: SwrShape): void {
  swrEmulators.get(target)?.swrFaults.push({ kind: 'swr-error', status, code, message, shape });
}
type SwrShape = 'swr' | 'swr-old' | 'apigw';

// ---------------------------------------------------------------- swr-login

/**
 * A real registry that accepts one login, started on first use: a successful run really logs docker
 * in, so "no login left behind" is real too.
 */
function sharedRegistry(
  username: string,
  password: string,
): {
  get(): Promise<Registry>;
  dispose(): Promise<void>;
} {
  let registry: Promise<Registry> | undefined;
  return {
    get: () => {
      registry ??= startRegistry({ username, password });
      return registry;
    },
    async dispose() {
      await (await registry)?.stop();
      registry = undefined;
    },
  };
}

/** What sets one swr-login mode apart: the login its API hands out, and how a run asks for it. */
interface SwrLoginMode {
  registry: ReturnType<typeof sharedRegistry>;
  username: string;
  password: string;
  emulator(host: string): Parameters<typeof startSwrEmulator>[0];
  /** The mode's own inputs, with run n's distinguishing value where `run` is given. */
  inputs(host: string, run: number | undefined): Record<string, string>;
  runOf(request: RecordedRequest): number | undefined;
}

async function startSwrLogin(mode: SwrLoginMode, options: StartOptions): Promise<Target> {
  const { username, password } = mode;
  const pair = `${username}:${password}`;
  const basic = Buffer.from(pair).toString('base64');
  const { host } = await mode.registry.get();
  const emulator = await startSwrEmulator({ ...mode.emulator(host), ...options });
  const workspace = createWorkspace();
  // Under RUNNER_TEMP, as the README recommends (a directory in the workspace earns a warning).
  const dockerConfig = join(workspace.runnerTemp, 'docker-config');
  const shim = createDockerShim();
  const target: Target = {
    url: emulator.url,
    port: emulator.port,
    requests: emulator.requests,
    faults: emulator.faults,
    workspace,
    pathPrefix: [shim.dir],
    inputs: (overrides = {}, run) =>
      withOverrides(
        {
          region: 'cn-north-4',
          endpoint: emulator.url,
          'access-key-id': emulator.accessKeyId,
          'access-key-secret': emulator.secretAccessKey,
          'docker-config-dir': dockerConfig,
          ...mode.inputs(host, run),
          ...COMMON,
        },
        overrides,
      ),
    secretInputs: [emulator.secretAccessKey],
    quietInputs: [emulator.accessKeyId],
    secrets: () => [
      emulator.secretAccessKey,
      password,
      pair,
      basic,
      `docker login -u ${username} -p ${password}`,
      `docker login -u ${username} -p ${password} ${host}`,
      ...emulator.requests.flatMap((request) => {
        const signature = /Signature=([0-9a-f]{64})/.exec(String(request.headers.authorization ?? ''));
        return signature?.[1] ? [signature[1]] : [];
      }),
    ],
    runOf: mode.runOf,
    expectPublished(result) {
      expect(result.outputs).toMatchObject({ registry: host, username, password });
      if (result.outputs['docker-config-dir'] !== undefined) {
        expect(result.exported).toEqual({ DOCKER_CONFIG: dockerConfig });
        expect(dockerAuths(dockerConfig)[host]?.auth).toBe(basic);
        expect(shim.calls().map((call) => call.argv)).toEqual([
          ['login', '--username', username, '--password-stdin', host],
        ]);
      }
    },
    expectNothingLeftBehind(result) {
      expect(result.outputs).toEqual({});
      expect(result.exported).toEqual({});
      expect(result.state).toEqual({});
      expect(result.summary).toBe('');
      expect(shim.calls()).toEqual([]);
      expect(dockerAuths(dockerConfig)).toEqual({});
    },
    close: () => emulator.close(),
  };
  swrEmulators.set(target, emulator);
  return target;
}

/** What every swr-login mode shares as an adapter. */
const SWR_LOGIN = {
  action: 'swr-login',
  endpointInput: 'endpoint',
  serviceLabel: String.raw`SWR \(127\.0\.0\.1:\d+\)`,
  rateLimit: { burst: 2, refillPerSecond: 2 },
} as const;

/** The API gateway refusing the request's signature, which every swr-login mode can meet. */
const signatureRefused = (target: Target): void =>
  swrFault(
    target,
    401,
    'APIGW.0301',
    'Incorrect IAM authentication information: verify aksk signature fail',
    'apigw',
  );

/** An identity policy's refusal, with the encoded_authorization_message that explains it. */
const refusedByPolicy = (target: Target): void =>
  void swrEmulators.get(target)?.swrFaults.push({
    kind: 'swr-error',
    status: 403,
    code: 'SVCSTG.SWR.4030170',
    message: 'Insufficient permissions',
    encodedAuthorizationMessage: true,
  });

const SWR_USER = 'cn-north-4@HOSTILETEMPORARYAK0001';
const SWR_PASSWORD = `hostile-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
const SWR_BASIC = Buffer.from(`${SWR_USER}:${SWR_PASSWORD}`).toString('base64');

const swrRegistry = sharedRegistry(SWR_USER, SWR_PASSWORD);

export const swrLogin: ActionAdapter = {
  ...SWR_LOGIN,
  label: 'swr-login',
  realHost: {
    hostname: 'swr-api.cn-north-4.myhuaweicloud.com',
    port: 443,
    // No endpoint input: derived from the region, as in production.
    inputs: { endpoint: undefined },
    httpInputs: { endpoint: 'http://swr-api.cn-north-4.myhuaweicloud.com' },
  },
  truncatedBody: `{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":"${SWR_BASIC.slice(0, 12)}`,
  start: (options = {}) =>
    startSwrLogin(
      {
        registry: swrRegistry,
        username: SWR_USER,
        password: SWR_PASSWORD,
        emulator: (host) => ({ registry: host, username: SWR_USER, password: SWR_PASSWORD }),
        inputs: (_host, run): Record<string, string> =>
          run === undefined ? {} : { 'project-name': `cn-north-4_run${run}` },
        runOf: (request) => {
          const match = /[?&]projectname=cn-north-4_run(\d+)(?:&|$)/.exec(request.url);
          return match ? Number(match[1]) : undefined;
        },
      },
      options,
    ),
  serviceErrors: [
    {
      name: 'SWR error, new and old fields (403)',
      arrange: (target) => swrFault(target, 403, 'SVCSTG.SWR.4030170', 'Insufficient permissions', 'swr'),
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code SVCSTG\.SWR\.4030170: "Insufficient permissions" \(request id [0-9a-f]{32}\)\. The credentials lack permission/,
    },
    {
      name: 'SWR error, old errors[] only (400)',
      arrange: (target) => swrFault(target, 400, 'SVCSTG.SWR.4000001', 'Invalid projectname', 'swr-old'),
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 400 with error code SVCSTG\.SWR\.4000001: "Invalid projectname" \(request id [0-9a-f]{32}\)\.$/,
    },
    {
      name: 'API gateway error (401 APIGW.0301)',
      arrange: signatureRefused,
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code APIGW\.0301: "Incorrect IAM authentication information: verify aksk signature fail" \(request id [0-9a-f]{32}\)\. The signature or credentials were rejected/,
    },
    {
      name: 'non-JSON error body (404 text)',
      arrange: (target) => target.faults.push(textFault(404, '404 page not found\n')),
      error: /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 404: "404 page not found"\.$/,
    },
  ],
  dispose: swrRegistry.dispose,
};

// ------------------------------------------------- swr-login, SWR Enterprise Edition

// The Enterprise temporary credential (temp-credential's user_id / auth_token), in the same registry.
const EE_USER = 'ee-hostile-user';
const EE_TOKEN = `ee-hostile-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
const EE_PROJECT = '0123456789abcdef0123456789abcdef';
const EE_INSTANCE = 'ee-hostile-instance';

const eeRegistry = sharedRegistry(EE_USER, EE_TOKEN);

/**
 * swr-login in Enterprise mode with `registry` set: one request per run (temp-credential, no
 * ShowInstance), so every case of the matrix lands on the new API. Run n asks for instance
 * `ee-run<n>`, which tells the load test's runs apart.
 */
export const swrLoginEnterprise: ActionAdapter = {
  ...SWR_LOGIN,
  label: 'swr-login (Enterprise)',
  realHost: swrLogin.realHost,
  truncatedBody: `{"user_id":"${EE_USER}","auth_token":"${EE_TOKEN.slice(0, 12)}`,
  start: (options = {}) =>
    startSwrLogin(
      {
        registry: eeRegistry,
        username: EE_USER,
        password: EE_TOKEN,
        emulator: (host) => ({
          projectId: EE_PROJECT,
          instances: [EE_INSTANCE, ...Array.from({ length: LOAD_RUNS }, (_, run) => `ee-run${run}`)].map(
            (id) => ({ id, accessAddress: host }),
          ),
          tempCredential: { userId: EE_USER, authToken: EE_TOKEN },
        }),
        inputs: (host, run) => ({
          'instance-id': run === undefined ? EE_INSTANCE : `ee-run${run}`,
          'project-id': EE_PROJECT,
          registry: host,
        }),
        runOf: (request) => {
          const match = /\/instances\/ee-run(\d+)\/temp-credential$/.exec(request.url);
          return match ? Number(match[1]) : undefined;
        },
      },
      options,
    ),
  serviceErrors: [
    {
      name: 'temp-credential refused by an identity policy (403, encoded_authorization_message)',
      arrange: refusedByPolicy,
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code SVCSTG\.SWR\.4030170: "Insufficient permissions" \(request id [0-9a-f]{32}\)\. The credentials may not create a temporary credential for instance ee-hostile-instance: grant swr:instance:createTempCredential on it\. The answer carries an encoded_authorization_message .*decode-authorization-message \(DecodeAuthorizationMessage\)\.$/,
    },
    {
      name: 'unknown instance (404)',
      arrange: (target) => swrFault(target, 404, 'SVCSTG.SWR.4040001', 'Instance not found', 'swr'),
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 404 with error code SVCSTG\.SWR\.4040001: "Instance not found" \(request id [0-9a-f]{32}\)\. SWR found no Enterprise instance ee-hostile-instance in project 0123456789abcdef0123456789abcdef of region cn-north-4/,
    },
    {
      name: 'API gateway error (401 APIGW.0301)',
      arrange: signatureRefused,
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code APIGW\.0301: .*The signature or credentials were rejected/,
    },
    {
      name: 'a user_id that would smuggle an option (201)',
      arrange: (target) =>
        swrEmulators.get(target)?.swrFaults.push({ kind: 'hostile-credential', userId: '--password=x' }),
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 201 \(request id [0-9a-f]{32}\), but the credential's user_id starts with '-'/,
    },
  ],
  dispose: eeRegistry.dispose,
};

// ------------------------------------------------- swr-login, enhanced (CreateAuthorizationToken)

const BEARER_USER = 'bearertoken@HOSTILEBEARER0001';
const BEARER_PASSWORD = `bearer-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
const BEARER_BASIC = Buffer.from(`${BEARER_USER}:${BEARER_PASSWORD}`).toString('base64');
/** Run n sends X-Project-Id `<n in hex, padded>`: the API takes no query to tell runs apart by. */
const runProject = (run: number): string => run.toString(16).padStart(32, '0');

const bearerRegistry = sharedRegistry(BEARER_USER, BEARER_PASSWORD);

/** swr-login with `enhanced: true`: one CreateAuthorizationToken per run. */
export const swrLoginEnhanced: ActionAdapter = {
  ...SWR_LOGIN,
  label: 'swr-login (enhanced)',
  realHost: swrLogin.realHost,
  truncatedBody: `{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":"${BEARER_BASIC.slice(0, 12)}`,
  start: (options = {}) =>
    startSwrLogin(
      {
        registry: bearerRegistry,
        username: BEARER_USER,
        password: BEARER_PASSWORD,
        emulator: (host) => ({
          registry: host,
          authorizationToken: { username: BEARER_USER, password: BEARER_PASSWORD },
        }),
        inputs: (_host, run) => ({
          enhanced: 'true',
          ...(run === undefined ? {} : { 'project-id': runProject(run) }),
        }),
        runOf: (request) => {
          const project = request.headers['x-project-id'];
          return typeof project === 'string' && /^[0-9a-f]{32}$/.test(project)
            ? Number.parseInt(project, 16)
            : undefined;
        },
      },
      options,
    ),
  serviceErrors: [
    {
      name: 'refused by an identity policy (403, encoded_authorization_message)',
      arrange: refusedByPolicy,
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code SVCSTG\.SWR\.4030170: "Insufficient permissions" \(request id [0-9a-f]{32}\)\. CreateAuthorizationToken serves principals of the new IAM plane .*grant swr::createAuthorizationToken and sts::createServiceBearerToken.* The answer carries an encoded_authorization_message/,
    },
    {
      name: 'API gateway error (401 APIGW.0301)',
      arrange: signatureRefused,
      error:
        /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code APIGW\.0301: .*The signature or credentials were rejected.*sts::createServiceBearerToken/,
    },
  ],
  dispose: bearerRegistry.dispose,
};

// ---------------------------------------------------------------- cse-token

const CSE_USER = 'ci-hostile';
const CSE_PASSWORD = `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
/** Runs of the load test; cse-token's emulator has an account for each. */
export const LOAD_RUNS = 20;

export const cseToken: ActionAdapter = {
  action: 'cse-token',
  label: 'cse-token',
  endpointInput: 'endpoint',
  serviceLabel: String.raw`service-center \(127\.0\.0\.1:\d+\)`,
  realHost: {
    hostname: 'cse-engine.cn-north-4.internal',
    port: 30100,
    inputs: { endpoint: 'https://cse-engine.cn-north-4.internal:30100' },
    httpInputs: { endpoint: 'http://cse-engine.cn-north-4.internal:30100' },
  },
  truncatedBody: '{"token":"eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.eyJhY2NvdW50Ijoi',
  async start(options = {}) {
    const accounts = Object.fromEntries([
      [CSE_USER, { password: CSE_PASSWORD, roles: ['developer'] }],
      ...Array.from({ length: LOAD_RUNS }, (_, run) => [
        `ci-run-${run}`,
        { password: CSE_PASSWORD, roles: ['developer'] },
      ]),
    ]);
    const emulator = await startServiceCenterEmulator({
      accounts,
      tls: options.tls ?? false,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    });
    const workspace = createWorkspace();
    return {
      url: emulator.url,
      port: emulator.port,
      requests: emulator.requests,
      faults: emulator.faults,
      workspace,
      pathPrefix: [],
      inputs: (overrides = {}, run) =>
        withOverrides(
          {
            endpoint: emulator.url,
            username: run === undefined ? CSE_USER : `ci-run-${run}`,
            password: CSE_PASSWORD,
            ...COMMON,
          },
          overrides,
        ),
      secretInputs: [CSE_PASSWORD],
      quietInputs: [],
      secrets: (result) => {
        const token = result.outputs['token'];
        return [CSE_PASSWORD, ...(token ? [token, `Bearer ${token}`] : [])];
      },
      runOf: (request) => {
        const match = /"name":"ci-run-(\d+)"/.exec(request.body.toString());
        return match ? Number(match[1]) : undefined;
      },
      expectPublished(result) {
        const token = result.outputs['token'] ?? '';
        expect(token.split('.')).toHaveLength(3);
        expect(result.outputs['authorization']).toBe(`Bearer ${token}`);
        expect(result.exported['CSE_TOKEN']).toBe(token);
      },
      expectNothingLeftBehind(result) {
        expect(result.outputs).toEqual({});
        expect(result.exported).toEqual({});
        expect(result.state).toEqual({});
        expect(result.summary).toBe('');
      },
      close: () => emulator.close(),
    };
  },
  serviceErrors: [
    {
      name: 'errorCode as a string (401 401202)',
      arrange: (target) =>
        target.faults.push(
          jsonFault(401, { errorCode: '401202', errorMessage: 'User name or password is wrong' }),
        ),
      error:
        /^service-center \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code 401202: "User name or password is wrong"\. The account name or password is wrong/,
    },
    {
      name: 'errorCode as a number (400 400001)',
      arrange: (target) =>
        target.faults.push(
          jsonFault(400, {
            errorCode: 400001,
            errorMessage: 'Invalid parameter(s)',
            detail: 'unexpected end of JSON input',
          }),
        ),
      error:
        /^service-center \(127\.0\.0\.1:\d+\) answered HTTP 400 with error code 400001: "Invalid parameter\(s\) \(unexpected end of JSON input\)"\. The server refused a parameter/,
    },
    {
      name: 'front layer error_code/error_message (403)',
      arrange: (target) =>
        target.faults.push(jsonFault(403, { error_code: 'SVCSTG.00300401', error_message: 'exceed times' })),
      error:
        /^service-center \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code SVCSTG\.00300401: "exceed times"\. The engine limits login attempts/,
    },
    {
      name: 'plain-text 404 (RBAC off)',
      arrange: (target) => target.faults.push(textFault(404, '404 page not found\n')),
      error:
        /^service-center \(127\.0\.0\.1:\d+\) answered HTTP 404: "404 page not found"\. There is no \/v4\/token here/,
    },
  ],
  rateLimit: { burst: 2, refillPerSecond: 2 },
  dispose: async () => {},
};

// ---------------------------------------------------------------- ucloud-authconfig

const OUTPUT_FILE = join('out', 'ucdn.json');

export const ucloudAuthconfig: ActionAdapter = {
  action: 'ucloud-authconfig',
  label: 'ucloud-authconfig',
  endpointInput: 'base-url',
  serviceLabel: String.raw`UCloud \(127\.0\.0\.1:\d+\)`,
  oversizedHint: String.raw` The answer for all domains is too large: name the domains the workflow needs in 'domain' \(one request each\)\.`,
  realHost: {
    hostname: 'api.ucloud.cn',
    port: 443,
    // No base-url input: the default https://api.ucloud.cn.
    inputs: { 'base-url': undefined },
    httpInputs: { 'base-url': 'http://api.ucloud.cn' },
  },
  truncatedBody: '{"Action":"GetAuthConfigResponse","RetCode":0,"AuthConfigs":[{"Domain":"static.exa',
  async start(options = {}) {
    const emulator = await startUcloudEmulator(options);
    const workspace = createWorkspace();
    const file = join(workspace.root, OUTPUT_FILE);
    const target: Target = {
      url: emulator.url,
      port: emulator.port,
      requests: emulator.requests,
      faults: emulator.faults,
      workspace,
      pathPrefix: [],
      inputs: (overrides = {}, run) =>
        withOverrides(
          {
            'public-key': emulator.publicKey,
            'private-key': emulator.privateKey,
            region: 'cn-bj2',
            zone: 'cn-bj2-04',
            'base-url': emulator.url,
            'output-file': OUTPUT_FILE,
            ...(run === undefined ? {} : { 'project-id': `org-run${run}` }),
            ...COMMON,
          },
          overrides,
        ),
      secretInputs: [emulator.privateKey],
      quietInputs: [emulator.publicKey],
      secrets: () => [
        emulator.privateKey,
        ...emulator.secrets,
        ...emulator.requests.flatMap((request) => paramsOf(request)?.['Signature'] ?? []),
      ],
      runOf: (request) => {
        const match = /^org-run(\d+)$/.exec(paramsOf(request)?.['ProjectId'] ?? '');
        return match ? Number(match[1]) : undefined;
      },
      expectPublished(result) {
        expect(JSON.parse(result.outputs['auth-configs'] ?? '')).toEqual(emulator.authConfigs);
        if (result.outputs['file'] !== undefined) {
          expect(result.outputs['file']).toBe(file);
          expect(readFileSync(file, 'utf8')).toBe(result.outputs['auth-configs']);
          expect(statSync(file).mode & 0o777).toBe(0o600);
        }
      },
      expectNothingLeftBehind(result) {
        expect(result.outputs).toEqual({});
        expect(result.exported).toEqual({});
        expect(result.state).toEqual({});
        expect(result.summary).toBe('');
        // Neither the file nor a temporary sibling of it.
        const dir = join(workspace.root, 'out');
        expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
      },
      close: () => emulator.close(),
    };
    ucloudEmulators.set(target, emulator);
    return target;
  },
  serviceErrors: [
    {
      name: 'RetCode as a number (171)',
      arrange: (target) =>
        ucloudEmulators
          .get(target)
          ?.serviceFaults.push({ kind: 'retCode', retCode: 171, message: 'Signature VerifyAC Error' }),
      error:
        /^UCloud \(127\.0\.0\.1:\d+\) answered with RetCode 171: "Signature VerifyAC Error" \(request id [0-9a-f-]{36}\)\. Check that 'private-key' belongs to 'public-key'/,
    },
    {
      name: 'RetCode as a string ("172")',
      arrange: (target) =>
        target.faults.push(
          ucloudAnswer({ Action: 'GetAuthConfigResponse', RetCode: '172', Message: 'User Not Exists' }),
        ),
      error:
        /^UCloud \(127\.0\.0\.1:\d+\) answered with RetCode 172: "User Not Exists" \(request id 6f1c0e52-3b8d-4d7a-9c41-2e5a7b9d0f13\)\. The 'public-key' is not known/,
    },
    {
      name: 'HTTP 403 from the gateway (HTML)',
      arrange: (target) =>
        target.faults.push({
          kind: 'status',
          status: 403,
          body: '<html><body><h1>403 Forbidden</h1></body></html>',
          headers: { 'content-type': 'text/html' },
        }),
      error:
        /^UCloud \(127\.0\.0\.1:\d+\) answered HTTP 403, but the body is not valid JSON \(text\/html, 48 bytes\)\.$/,
    },
  ],
  rateLimit: { burst: 2, refillPerSecond: 2 },
  dispose: async () => {},
};

export const ADAPTERS = [swrLogin, swrLoginEnterprise, swrLoginEnhanced, cseToken, ucloudAuthconfig];

export function jsonFault(status: number, body: unknown): TransportFault {
  return {
    kind: 'status',
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json; charset=UTF-8' },
  };
}

export function textFault(status: number, body: string): TransportFault {
  return { kind: 'status', status, body, headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

function ucloudAnswer(body: Record<string, unknown>): TransportFault {
  return {
    kind: 'status',
    status: 200,
    body: JSON.stringify(body),
    headers: { 'x-ucloud-request-uuid': '6f1c0e52-3b8d-4d7a-9c41-2e5a7b9d0f13' },
  };
}
