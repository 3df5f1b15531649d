// swr-login's Enterprise Edition, enhanced and several-registry logins end to end, as the runner
// runs them: the BUILT bundle against the SWR (and IAM) emulators, the real docker CLI (through a
// recording shim: the password only ever on stdin) and real local registries whose htpasswd holds
// the Enterprise user_id, the enhanced bearer user and the CreateSecret user. skopeo, reading only
// docker's login, proves the login is usable by other clients and gone after the post step.
import { mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConnectProxy } from '@cloudcreds/emulators/connect-proxy';
import { type HuaweiIamEmulator, startHuaweiIamEmulator } from '@cloudcreds/emulators/huawei-iam';
import { type SwrEmulator, type SwrEmulatorOptions, startSwrEmulator } from '@cloudcreds/emulators/swr';
import { createTestCa } from '@cloudcreds/emulators/tls';
import {
  createDockerShim,
  type DockerShim,
  dockerAuths,
  findLeaks,
  NO_LEAKS,
  type Registry,
  type RunResult,
  requireTools,
  runAction,
  runPostAfter,
  startRegistry,
} from '@cloudcreds/harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const { missing, skip } = requireTools(['docker', 'docker-registry', 'htpasswd', 'skopeo']);

const random = (): string => `${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
/** The Enterprise temporary credential every instance hands out (temp-credential's user_id / auth_token). */
const ENTERPRISE = { userId: 'ee-user-0a1b2c3d', authToken: `ee-${random()}` };
const BEARER = { username: `bearertoken@${random().slice(0, 12)}`, password: `bt-${random()}` };
const SECRET_USER = { username: 'cn-north-4@E2EMULTIREGIONAK001', password: `cs-${random()}` };
const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const INSTANCES = [
  '3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b',
  'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
  'ee-third-instance',
];

const pairOf = (user: string, password: string): string[] => {
  const pair = `${user}:${password}`;
  return [password, pair, Buffer.from(pair).toString('base64')];
};
const LOGIN_SECRETS = [
  ...pairOf(ENTERPRISE.userId, ENTERPRISE.authToken),
  ...pairOf(BEARER.username, BEARER.password),
  ...pairOf(SECRET_USER.username, SECRET_USER.password),
];

it('has docker, docker-registry, htpasswd and skopeo (required when CI=true)', () => {
  if (skip) return;
  expect(missing).toEqual([]);
});

describe.skipIf(skip)('swr-login bundle: Enterprise, enhanced and several registries', () => {
  let registries: Registry[] = [];
  let swr: SwrEmulator;
  let iam: HuaweiIamEmulator | undefined;
  let shim: DockerShim;

  beforeAll(async () => {
    const users = [
      { username: ENTERPRISE.userId, password: ENTERPRISE.authToken },
      { username: BEARER.username, password: BEARER.password },
      { username: SECRET_USER.username, password: SECRET_USER.password },
    ] as [{ username: string; password: string }, ...Array<{ username: string; password: string }>];
    registries = await Promise.all([startRegistry(users), startRegistry(users), startRegistry(users)]);
    await registries[0]?.pushImage('octo/app', 'v1');
  });
  afterAll(async () => {
    await Promise.all(registries.map((registry) => registry.stop()));
  });
  afterEach(async () => {
    await swr?.close();
    await iam?.close();
    iam = undefined;
  });

  const host = (index: number): string => (registries[index] as Registry).host;

  async function setUp(options: SwrEmulatorOptions = {}): Promise<void> {
    swr = await startSwrEmulator({
      projectId: PROJECT_ID,
      instances: INSTANCES.map((id, index) => ({
        id,
        name: `octo-ee-${index + 1}`,
        accessAddress: host(index),
      })),
      tempCredential: ENTERPRISE,
      authorizationToken: BEARER,
      registry: host(0),
      ...options,
    });
    shim = createDockerShim();
  }

  async function startIam(): Promise<HuaweiIamEmulator> {
    iam = await startHuaweiIamEmulator({
      credentials: swr.credentials,
      projects: [{ id: PROJECT_ID, name: 'cn-north-4' }],
    });
    return iam;
  }

  const configDir = (): string => mkdtempSync(join(tmpdir(), 'docker-config-ee-'));
  const basic = (user: string, password: string): string =>
    Buffer.from(`${user}:${password}`).toString('base64');

  const enterprise = (extra: Record<string, string> = {}): Record<string, string> => ({
    region: 'cn-north-4',
    endpoint: swr.url,
    'access-key-id': swr.accessKeyId,
    'access-key-secret': swr.secretAccessKey,
    'instance-id': INSTANCES[0] as string,
    'project-id': PROJECT_ID,
    timeout: '5',
    ...extra,
  });

  function allSecrets(more: string[] = []): string[] {
    return [
      swr.secretAccessKey,
      swr.authToken,
      swr.temporary.secretAccessKey,
      swr.temporary.securityToken,
      ...LOGIN_SECRETS,
      ...more,
    ];
  }

  function run(
    inputs: Record<string, string>,
    more: { debug?: boolean; env?: Record<string, string>; secrets?: string[] } = {},
  ): Promise<RunResult> {
    return runAction({
      action: 'swr-login',
      inputs,
      pathPrefix: [shim.dir],
      killAfterMs: 30_000,
      secrets: allSecrets(more.secrets),
      ...(more.debug ? { debug: true } : {}),
      ...(more.env ? { env: more.env } : {}),
    });
  }

  function expectCleanFailure(result: RunResult): void {
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.outputs).toEqual({});
    expect(result.exported).toEqual({});
    expect(result.stderr).toBe('');
    expect(findLeaks(result, allSecrets())).toEqual(NO_LEAKS);
  }

  /**
   * After main: docker holds each registry's login (password on stdin only), skopeo reading only
   * docker's config is authorised; after post: every login is gone and skopeo is refused again.
   */
  async function loggedInThenOut(
    main: RunResult,
    dir: string,
    expected: Array<{ host: string; user: string; password: string }>,
  ): Promise<void> {
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(shim.calls()).toEqual(
      expected.map((login) => ({
        argv: ['login', '--username', login.user, '--password-stdin', login.host],
        stdin: login.password,
        dockerConfig: dir,
      })),
    );
    for (const login of expected)
      expect(dockerAuths(dir)[login.host]?.auth).toBe(basic(login.user, login.password));
    expect(main.state['registries']).toBe(JSON.stringify(expected.map((login) => login.host)));
    if (expected.some((login) => login.host === host(0))) {
      const listed = await (registries[0] as Registry).skopeoListTags('octo/app', { DOCKER_CONFIG: dir });
      expect(listed.exitCode).toBe(0);
      expect(listed.tags).toEqual(['v1']);
    }
    expect(findLeaks(main, allSecrets())).toEqual(NO_LEAKS);

    const post = await runPostAfter(main, {
      action: 'swr-login',
      pathPrefix: [shim.dir],
      secrets: allSecrets(),
      killAfterMs: 30_000,
    });
    expect(post.exitCode).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(dockerAuths(dir)).toEqual({});
    expect(shim.calls().slice(expected.length)).toEqual(
      expected.map((login) => ({ argv: ['logout', login.host], stdin: '', dockerConfig: dir })),
    );
    for (const call of shim.calls()) expect(call.argv.join(' ')).not.toContain(ENTERPRISE.authToken);
    expect(findLeaks(post, allSecrets())).toEqual(NO_LEAKS);
    if (expected.some((login) => login.host === host(0))) {
      const refused = await (registries[0] as Registry).skopeoListTags('octo/app', { DOCKER_CONFIG: dir });
      expect(refused.exitCode).not.toBe(0);
    }
  }

  const eeLogin = (index: number) => ({
    host: host(index),
    user: ENTERPRISE.userId,
    password: ENTERPRISE.authToken,
  });

  describe('Enterprise Edition', () => {
    it('AK/SK with project-id: ShowInstance → temp-credential → docker login; skopeo authorised until post (debug on)', async () => {
      await setUp();
      const dir = configDir();
      const main = await run(enterprise({ 'docker-config-dir': dir }), { debug: true });
      expect(swr.requests.map((request) => `${request.method} ${request.url.split('?')[0]}`)).toEqual([
        `GET /v2/${PROJECT_ID}/instances/${INSTANCES[0]}`,
        `POST /v2/${PROJECT_ID}/instances/${INSTANCES[0]}/temp-credential`,
      ]);
      const [issued] = swr.tempCredentials;
      expect(main.outputs).toEqual({
        registry: host(0),
        username: ENTERPRISE.userId,
        password: ENTERPRISE.authToken,
        'login-command': `docker login -u ${ENTERPRISE.userId} -p ${ENTERPRISE.authToken} ${host(0)}`,
        'expires-at': issued?.expiresAt,
        'docker-config-dir': dir,
        registries: JSON.stringify([
          {
            registry: host(0),
            username: ENTERPRISE.userId,
            'expires-at': issued?.expiresAt,
            'credential-id': issued?.tokenId,
          },
        ]),
      });
      expect(main.summary).toContain(host(0));
      expect(main.summary).toContain(`credential id ${issued?.tokenId}`);
      expect(main.warnings).toEqual([expect.stringContaining("Input 'endpoint' uses plain http://")]);
      await loggedInThenOut(main, dir, [eeLogin(0)]);
    });

    it('with `registry`: no ShowInstance; the project id comes from IAM (AK/SK + security token, signed)', async () => {
      await setUp({ expireDateStyle: 'no-zone' });
      const lookup = await startIam();
      const dir = configDir();
      const { accessKeyId, secretAccessKey, securityToken } = swr.temporary;
      const main = await run(
        {
          region: 'cn-north-4',
          endpoint: swr.url,
          'iam-endpoint': lookup.url,
          'instance-id': INSTANCES[0] as string,
          registry: host(0),
          'docker-config-dir': dir,
        },
        {
          env: {
            HUAWEI_CLOUD_ACCESS_KEY_ID: accessKeyId,
            HUAWEI_CLOUD_SECRET_ACCESS_KEY: secretAccessKey,
            HUAWEI_CLOUD_SECURITY_TOKEN: securityToken,
          },
        },
      );
      expect(lookup.requests.map((request) => request.url)).toEqual(['/v3/projects?name=cn-north-4']);
      expect(lookup.requests[0]?.headers['x-security-token']).toBe(securityToken);
      expect(swr.requests.map((request) => request.method)).toEqual(['POST']);
      expect(swr.requests[0]?.headers['x-project-id']).toBe(PROJECT_ID);
      // An expire_date without a zone is reported, never guessed into expires-at.
      expect(main.outputs['expires-at']).toBeUndefined();
      expect(JSON.parse(main.outputs['registries'] ?? '[]')[0]['expires-at']).toBeNull();
      expect(main.warnings).toContainEqual(
        expect.stringContaining('SWR sent an expire_date that is not an RFC 3339 time with a zone'),
      );
      await loggedInThenOut(main, dir, [eeLogin(0)]);
    });

    it('IAM token: the project id from /v3/auth/projects, then the login (debug on)', async () => {
      await setUp();
      const lookup = await startIam();
      const dir = configDir();
      const main = await run(
        {
          region: 'cn-north-4',
          endpoint: swr.url,
          'iam-endpoint': lookup.url,
          'auth-token': swr.authToken,
          'instance-id': INSTANCES[0] as string,
          'docker-config-dir': dir,
        },
        { debug: true },
      );
      expect(lookup.requests.map((request) => request.url)).toEqual(['/v3/auth/projects']);
      expect(lookup.requests[0]?.headers['x-auth-token']).toBe(swr.authToken);
      expect(swr.requests.every((request) => request.headers['x-auth-token'] === swr.authToken)).toBe(true);
      await loggedInThenOut(main, dir, [eeLogin(0)]);
    });

    it('three instances: three registries logged in, listed in `registries`, all logged out in post', async () => {
      await setUp();
      const dir = configDir();
      const main = await run(enterprise({ 'instance-id': INSTANCES.join('\n'), 'docker-config-dir': dir }));
      expect(swr.requests).toHaveLength(6);
      const listed = JSON.parse(main.outputs['registries'] ?? '[]') as Array<Record<string, string>>;
      expect(listed.map((entry) => entry['registry'])).toEqual([host(0), host(1), host(2)]);
      expect(listed.map((entry) => entry['credential-id'])).toEqual(
        swr.tempCredentials.map((c) => c.tokenId),
      );
      expect(main.outputs['registry']).toBe(host(0));
      expect(main.outputs['registries']).not.toContain(ENTERPRISE.authToken);
      for (const index of [0, 1, 2]) expect(main.summary).toContain(host(index));
      await loggedInThenOut(main, dir, [eeLogin(0), eeLogin(1), eeLogin(2)]);
    });

    it('an instance that is not Running is a warning, and the login still runs', async () => {
      await setUp();
      (swr.instances[0] as { status: string }).status = 'Creating';
      const dir = configDir();
      const main = await run(enterprise({ 'docker-config-dir': dir }));
      expect(main.warnings).toContainEqual(
        `SWR Enterprise instance octo-ee-1 (${INSTANCES[0]}) is Creating, not Running: the docker login may fail`,
      );
      await loggedInThenOut(main, dir, [eeLogin(0)]);
    });
  });

  describe('enhanced (CreateAuthorizationToken)', () => {
    it('AK/SK: the bearer login reaches the registry and is logged out in post (debug on)', async () => {
      await setUp();
      const dir = configDir();
      const main = await run(
        {
          region: 'cn-north-4',
          endpoint: swr.url,
          'access-key-id': swr.accessKeyId,
          'access-key-secret': swr.secretAccessKey,
          enhanced: 'true',
          'docker-config-dir': dir,
        },
        { debug: true },
      );
      expect(swr.requests.map((request) => request.url)).toEqual(['/v2/manage/utils/authorizationtoken']);
      expect(main.outputs).toMatchObject({
        registry: host(0),
        username: BEARER.username,
        password: BEARER.password,
      });
      expect(JSON.parse(main.outputs['registries'] ?? '[]')).toEqual([
        { registry: host(0), username: BEARER.username, 'expires-at': main.outputs['expires-at'] },
      ]);
      await loggedInThenOut(main, dir, [{ host: host(0), user: BEARER.username, password: BEARER.password }]);
    });
  });

  describe('several regions, each on its own default endpoint (through an HTTPS proxy)', () => {
    it('three regions: three CreateSecret calls, three registries, all logged out in post', async () => {
      const ca = createTestCa();
      const regions = ['cn-north-4', 'cn-east-3', 'ap-southeast-3'];
      const emulators = await Promise.all(
        regions.map((region, index) =>
          startSwrEmulator({
            region,
            tls: ca.issue([`swr-api.${region}.myhuaweicloud.com`]),
            accessKeyId: 'HPUAMULTIREGION00001',
            secretAccessKey: 'multi-region-secret-key',
            registry: host(index),
            username: SECRET_USER.username,
            password: SECRET_USER.password,
          }),
        ),
      );
      const proxy = await startConnectProxy(
        Object.fromEntries(
          regions.map((region, index) => [
            `swr-api.${region}.myhuaweicloud.com:443`,
            emulators[index]?.port as number,
          ]),
        ),
      );
      shim = createDockerShim();
      try {
        const dir = configDir();
        const main = await run(
          {
            region: regions.join(','),
            'access-key-id': 'HPUAMULTIREGION00001',
            'access-key-secret': 'multi-region-secret-key',
            'docker-config-dir': dir,
            timeout: '5',
          },
          {
            env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.certPath },
            secrets: ['multi-region-secret-key'],
          },
        );
        expect(proxy.log.map((entry) => entry.target)).toEqual(
          regions.map((region) => `swr-api.${region}.myhuaweicloud.com:443`),
        );
        for (const [index, emulator] of emulators.entries()) {
          expect(emulator.requests).toHaveLength(1);
          expect(emulator.requests[0]?.url).toContain(`projectname=${regions[index]}`);
        }
        expect(
          JSON.parse(main.outputs['registries'] ?? '[]').map((entry: { registry: string }) => entry.registry),
        ).toEqual([host(0), host(1), host(2)]);
        const user = { user: SECRET_USER.username, password: SECRET_USER.password };
        await loggedInThenOut(
          main,
          dir,
          [0, 1, 2].map((index) => ({ host: host(index), ...user })),
        );
      } finally {
        await proxy.close();
        await Promise.all(emulators.map((emulator) => emulator.close()));
      }
    });
  });

  describe('conflicting inputs fail before any request, in one line', () => {
    it.each([
      [{ enhanced: 'true' }, "Inputs 'instance-id' and 'enhanced: true' exclude each other"],
      [{ 'duration-seconds': '900' }, "Input 'duration-seconds' cannot be used with 'instance-id'"],
      [{ 'project-name': 'cn-north-4_team' }, "Input 'project-name' cannot be used with 'instance-id'"],
      [
        { 'instance-id': `${INSTANCES[0]},${INSTANCES[1]}`, registry: '127.0.0.1:5000' },
        "Input 'registry' names the host of one Enterprise instance",
      ],
      [
        { 'instance-id': '', registry: '127.0.0.1:5000' },
        "Input 'registry' names the host of one Enterprise instance",
      ],
      [
        { 'instance-id': '', enhanced: 'true', 'duration-seconds': '900' },
        "Input 'duration-seconds' cannot be used with 'enhanced: true'",
      ],
      [
        { 'instance-id': '', enhanced: 'true', 'project-name': 'cn-north-4_x' },
        "Input 'project-name' cannot be used with 'enhanced: true'",
      ],
      [{ region: 'cn-north-4,cn-east-3' }, "Input 'endpoint' serves one region"],
      [{ region: 'cn-north-4,cn-east-3', endpoint: '' }, "Input 'instance-id' lists instances of one region"],
      [{ 'instance-id': 'a/../b' }, "Input 'instance-id' must list instance ids"],
      [{ registry: 'https://127.0.0.1:5000' }, "Input 'registry' must be host[:port]"],
    ])('%j', async (inputs, message) => {
      await setUp();
      const main = await run(enterprise(inputs));
      expectCleanFailure(main);
      expect(main.errors[0]?.startsWith(message)).toBe(true);
      expect(swr.requests).toHaveLength(0);
      expect(shim.calls()).toEqual([]);
      expect(main.state).toEqual({});
    });
  });

  describe('errors a user can act on, with step debug off and on', () => {
    for (const debug of [false, true]) {
      it(`403 on ShowInstance: grant swr:instance:get or set registry; the encoded message only in the debug log (debug ${debug})`, async () => {
        await setUp({ deny: ['swr:instance:get'] });
        const main = await run(enterprise(), { debug });
        expectCleanFailure(main);
        expect(swr.requests).toHaveLength(1);
        expect(main.errors[0]).toMatch(
          /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code SVCSTG\.SWR\.4030170: .* grant swr:instance:get, or set 'registry' .* decode-authorization-message/,
        );
        // Only as a debug command, which the runner shows only with step debug on; never in the error line.
        const carrying = main.stdout
          .split('\n')
          .filter((line) => line.includes('encoded_authorization_message ('));
        expect(carrying).toHaveLength(1);
        expect(carrying[0]?.startsWith('::debug::')).toBe(true);
        expect(shim.calls()).toEqual([]);
      });

      it(`404: names instance, project and region (debug ${debug})`, async () => {
        await setUp();
        const main = await run(enterprise({ 'instance-id': 'no-such-instance' }), { debug });
        expectCleanFailure(main);
        expect(main.errors[0]).toContain(
          `SWR found no Enterprise instance no-such-instance in project ${PROJECT_ID} of region cn-north-4: check 'instance-id', 'project-id' and 'region'.`,
        );
        expect(swr.requests).toHaveLength(1);
      });

      it(`403 on temp-credential: grant swr:instance:createTempCredential (debug ${debug})`, async () => {
        await setUp({ deny: ['swr:instance:createTempCredential'] });
        const main = await run(enterprise({ registry: host(0) }), { debug });
        expectCleanFailure(main);
        expect(main.errors[0]).toContain('grant swr:instance:createTempCredential on it.');
        expect(swr.requests).toHaveLength(1);
      });

      it(`IAM refuses the project listing: set project-id (debug ${debug})`, async () => {
        await setUp();
        const lookup = await startIam();
        lookup.denyListProjects = true;
        const main = await run(enterprise({ 'project-id': '', 'iam-endpoint': lookup.url }), { debug });
        expectCleanFailure(main);
        expect(main.errors[0]).toMatch(
          /^IAM \(127\.0\.0\.1:\d+\) answered HTTP 403 .*Set 'project-id' to the id of project cn-north-4/,
        );
        expect(lookup.requests).toHaveLength(1);
        expect(swr.requests).toHaveLength(0);
      });

      it(`enhanced 403 names both permissions (debug ${debug})`, async () => {
        await setUp({ deny: ['swr::createAuthorizationToken'] });
        const main = await run(enterprise({ 'instance-id': '', 'project-id': '', enhanced: 'true' }), {
          debug,
        });
        expectCleanFailure(main);
        expect(main.errors[0]).toContain(
          'grant swr::createAuthorizationToken and sts::createServiceBearerToken',
        );
        expect(swr.requests).toHaveLength(1);
      });

      it(`a refused docker login to an Enterprise host says new instances block public access; earlier logins undone (debug ${debug})`, async () => {
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const closedHost = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
        await new Promise((resolve) => closed.close(resolve));
        await setUp();
        (swr.instances[1] as { accessAddress: string }).accessAddress = closedHost;
        const dir = configDir();
        const main = await run(
          enterprise({
            'instance-id': `${INSTANCES[0]},${INSTANCES[1]}`,
            'docker-config-dir': dir,
            logout: 'false',
          }),
          { debug },
        );
        expectCleanFailure(main);
        expect(main.errors[0]).toMatch(
          new RegExp(
            `^docker login to ${closedHost.replace(/\./g, '\\.')} failed \\(exit code 1\\): .*connection refused.*New SWR Enterprise instances block public access`,
          ),
        );
        expect(shim.calls().map((call) => [call.argv[0], call.argv.at(-1)])).toEqual([
          ['login', host(0)],
          ['login', closedHost],
          ['logout', host(0)],
        ]);
        expect(dockerAuths(dir)).toEqual({});
        expect(main.state['registries']).toBe('[]');
      });
    }
  });
});
