// swr-login with OIDC federation, end to end on the BUILT bundle: the runner's ID-token endpoint
// (GitHub OIDC emulator, reached through @actions/core's getIDToken), IAM CreateTokenWithIdToken
// (route A) or STS AssumeAgencyWithOIDC (route B), each verifying the JWT against the GitHub
// emulator's JWKS, then SWR, which accepts only what IAM or STS actually issued. Route A goes all
// the way to a real docker login against a local registry and a post-step logout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GithubOidcEmulator,
  githubOidcEnv,
  startGithubOidcEmulator,
} from '@cloudcreds/emulators/github-oidc';
import { type HuaweiIamEmulator, startHuaweiIamEmulator } from '@cloudcreds/emulators/huawei-iam';
import { type HuaweiStsEmulator, startHuaweiStsEmulator } from '@cloudcreds/emulators/huawei-sts';
import { type SwrEmulator, startSwrEmulator } from '@cloudcreds/emulators/swr';
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
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const { missing, skip } = requireTools(['docker', 'docker-registry', 'htpasswd']);

const ISSUER = 'https://token.actions.githubusercontent.com';
const IDP = 'github-actions';
const IAM_AUDIENCE = 'huaweicloud-iam';
const STS_AUDIENCE = 'huaweicloud-sts';
const PROVIDER_URN = 'iam::0a1b2c3d4e5f:identity-provider:github';
const AGENCY_URN = 'iam::0a1b2c3d4e5f:agency:swr-pusher';
const PROJECT = { id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', name: 'cn-north-4' };
const MAIN_BRANCH = 'repo:octo-org/octo-repo:ref:refs/heads/main';
const INSTANCE = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';

const USERNAME = 'cn-north-4@E2EOIDCTEMPORARYAK001';
const PASSWORD = `oidc-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
const PAIR = `${USERNAME}:${PASSWORD}`;
const BASIC = Buffer.from(PAIR).toString('base64');

let github: GithubOidcEmulator;
let iam: HuaweiIamEmulator;
let sts: HuaweiStsEmulator;
let swr: SwrEmulator;
let shim: DockerShim;
let registry: Registry | undefined;

beforeAll(async () => {
  github = await startGithubOidcEmulator();
  if (!skip) registry = await startRegistry({ username: USERNAME, password: PASSWORD });
});
afterAll(async () => {
  await github?.close();
  await registry?.stop();
});

beforeEach(async () => {
  github.tokenOptions = {};
  iam = await startHuaweiIamEmulator({
    jwksProvider: () => github.jwks(),
    identityProviders: [
      {
        id: IDP,
        idpUrl: ISSUER,
        clientId: IAM_AUDIENCE,
        conditions: [{ claim: 'sub', anyOf: [MAIN_BRANCH] }],
      },
    ],
    projects: [PROJECT],
  });
  sts = await startHuaweiStsEmulator({
    providers: [
      { urn: PROVIDER_URN, issuer: ISSUER, clientIds: [STS_AUDIENCE], jwksProvider: () => github.jwks() },
    ],
    agencies: [
      {
        urn: AGENCY_URN,
        trustedProviders: [PROVIDER_URN],
        conditions: { 'oidc:aud': [STS_AUDIENCE], 'oidc:sub': ['repo:octo-org/octo-repo:ref:refs/heads/*'] },
      },
    ],
  });
  swr = await startSwrEmulator({
    ...(registry ? { registry: registry.host } : {}),
    username: USERNAME,
    password: PASSWORD,
    // SWR accepts exactly what IAM and STS issued: unexpired, project-scoped tokens; STS keys with their security token.
    issuedToken: (token) => (iam.isIssuedToken(token) ? iam.issued.get(token) : undefined),
    temporaryCredentials: (accessKeyId) => sts.findCredentials(accessKeyId),
    // An Enterprise instance whose registry is the same local one, with the same htpasswd user.
    projectId: PROJECT.id,
    instances: [{ id: INSTANCE, ...(registry ? { accessAddress: registry.host } : {}) }],
    tempCredential: { userId: USERNAME, authToken: PASSWORD },
  });
  shim = createDockerShim();
});
afterEach(async () => {
  await Promise.all([iam.close(), sts.close(), swr.close()]);
});

const routeA = (extra: Record<string, string> = {}): Record<string, string> => ({
  region: 'cn-north-4',
  endpoint: swr.url,
  'identity-provider': IDP,
  audience: IAM_AUDIENCE,
  'iam-endpoint': iam.url,
  timeout: '5',
  ...extra,
});

const routeB = (extra: Record<string, string> = {}): Record<string, string> => ({
  region: 'cn-north-4',
  endpoint: swr.url,
  'agency-urn': AGENCY_URN,
  'provider-urn': PROVIDER_URN,
  audience: STS_AUDIENCE,
  'sts-endpoint': sts.url,
  timeout: '5',
  ...extra,
});

function run(
  inputs: Record<string, string>,
  more: { debug?: boolean; env?: Record<string, string>; withoutIdTokenPermission?: boolean } = {},
): Promise<RunResult> {
  return runAction({
    action: 'swr-login',
    inputs,
    pathPrefix: [shim.dir],
    killAfterMs: 30_000,
    env: {
      ...(more.withoutIdTokenPermission ? {} : githubOidcEnv(github)),
      GITHUB_RUN_ID: '10386912345',
      GITHUB_RUN_ATTEMPT: '2',
      ...more.env,
    },
    ...(more.debug ? { debug: true } : {}),
  });
}

/** The last ID token the runner endpoint issued, and the parts of it that identify it. */
function lastIdToken(): string[] {
  const token = github.issued.at(-1)?.token;
  if (!token) throw new Error('no ID token was issued');
  const [, payload = '', signature = ''] = token.split('.');
  return [token, payload, signature];
}

const loginSecrets = (): string[] => [PASSWORD, PAIR, BASIC];

function expectCleanFailure(result: RunResult): void {
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.outputs).toEqual({});
  expect(result.exported).toEqual({});
  expect(result.state).toEqual({});
  expect(result.stderr).toBe('');
  expect(shim.calls()).toEqual([]);
  expect(swr.requests).toHaveLength(0);
}

it('has docker, docker-registry and htpasswd (required when CI=true)', () => {
  if (skip) return;
  expect(missing).toEqual([]);
});

describe.skipIf(skip)('route A (IAM identity provider), through docker login to a real registry', () => {
  it('exchanges the ID token for a project-scoped IAM token, logs docker in and out, and leaks nothing with debug on', async () => {
    const host = registry?.host as string;
    const dir = mkdtempSync(join(tmpdir(), 'docker-config-oidc-'));
    const main = await run(routeA({ 'docker-config-dir': dir }), { debug: true });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);

    // One ID token for the requested audience, one IAM exchange, one CreateSecret with that token.
    expect(github.issued.map((issued) => issued.audience)).toContain(IAM_AUDIENCE);
    expect(github.issued.at(-1)?.audience).toBe(IAM_AUDIENCE);
    expect(iam.requests).toHaveLength(1);
    expect(iam.requests[0]?.headers['x-idp-id']).toBe(IDP);
    const [iamToken, ...others] = [...iam.issued.values()];
    expect(others).toEqual([]);
    expect(iamToken?.project).toEqual(PROJECT); // scoped to the project SWR is asked for (the region's)
    expect(swr.requests).toHaveLength(1);
    expect(swr.requests[0]?.headers['x-auth-token']).toBe(iamToken?.token);
    expect(swr.requests[0]?.url).toContain('projectname=cn-north-4');

    expect(main.outputs).toMatchObject({ registry: host, username: USERNAME, password: PASSWORD });
    expect(main.exported).toEqual({ DOCKER_CONFIG: dir });
    expect(dockerAuths(dir)[host]?.auth).toBe(BASIC);
    expect(shim.calls()).toEqual([
      {
        argv: ['login', '--username', USERNAME, '--password-stdin', host],
        stdin: PASSWORD,
        dockerConfig: dir,
      },
    ]);
    expect(main.summary).toContain(`OIDC → IAM identity provider ${IDP}`);
    expect(main.log.text).toContain(`through identity provider ${IDP}`);
    expect(main.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Input 'endpoint' uses plain http://"),
        expect.stringContaining("Input 'iam-endpoint' uses plain http://"),
      ]),
    );

    const secrets = [
      ...lastIdToken(),
      iamToken?.token as string,
      ...loginSecrets(),
      main.outputs['login-command'] ?? '',
    ];
    expect(findLeaks(main, secrets)).toEqual(NO_LEAKS);
    // Registered on arrival, even though nothing here prints them: the ID token with its identifying segments, the IAM token.
    for (const secret of [...lastIdToken(), iamToken?.token as string])
      expect(main.log.masks).toContain(secret);

    const post = await runPostAfter(main, {
      action: 'swr-login',
      pathPrefix: [shim.dir],
      killAfterMs: 30_000,
    });
    expect(post.exitCode).toBe(0);
    expect(dockerAuths(dir)[host]).toBeUndefined();
    expect(shim.calls().slice(1)).toEqual([{ argv: ['logout', host], stdin: '', dockerConfig: dir }]);
    expect(findLeaks(post, secrets)).toEqual(NO_LEAKS);
  });
});

describe.skipIf(skip)(
  'SWR Enterprise Edition with OIDC federation, through docker login to a real registry',
  () => {
    async function loginAndLogout(main: RunResult, dir: string, secrets: string[]): Promise<void> {
      const host = registry?.host as string;
      expect(main.errors).toEqual([]);
      expect(main.exitCode).toBe(0);
      expect(main.outputs).toMatchObject({ registry: host, username: USERNAME, password: PASSWORD });
      expect(JSON.parse(main.outputs['registries'] ?? '[]')).toEqual([
        {
          registry: host,
          username: USERNAME,
          'expires-at': swr.tempCredentials[0]?.expiresAt,
          'credential-id': swr.tempCredentials[0]?.tokenId,
        },
      ]);
      expect(shim.calls()).toEqual([
        {
          argv: ['login', '--username', USERNAME, '--password-stdin', host],
          stdin: PASSWORD,
          dockerConfig: dir,
        },
      ]);
      expect(dockerAuths(dir)[host]?.auth).toBe(BASIC);
      expect(findLeaks(main, secrets)).toEqual(NO_LEAKS);
      const post = await runPostAfter(main, {
        action: 'swr-login',
        pathPrefix: [shim.dir],
        killAfterMs: 30_000,
      });
      expect(post.exitCode).toBe(0);
      expect(dockerAuths(dir)[host]).toBeUndefined();
      expect(shim.calls().slice(1)).toEqual([{ argv: ['logout', host], stdin: '', dockerConfig: dir }]);
      expect(findLeaks(post, secrets)).toEqual(NO_LEAKS);
    }

    it('route A: the IAM token looks the project id up at /v3/auth/projects, then the instance login (debug on)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'docker-config-oidc-ee-'));
      const main = await run(routeA({ 'instance-id': INSTANCE, 'docker-config-dir': dir }), { debug: true });
      const [iamToken] = [...iam.issued.values()];
      expect(iam.requests.map((request) => request.url)).toEqual([
        '/v3.0/OS-AUTH/id-token/tokens',
        '/v3/auth/projects',
      ]);
      expect(swr.requests.map((request) => request.headers['x-auth-token'])).toEqual([
        iamToken?.token,
        iamToken?.token,
      ]);
      expect(swr.requests[1]?.url).toBe(`/v2/${PROJECT.id}/instances/${INSTANCE}/temp-credential`);
      await loginAndLogout(main, dir, [...lastIdToken(), iamToken?.token as string, ...loginSecrets()]);
    });

    it('route B: STS keys sign ShowInstance and temp-credential (debug on)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'docker-config-oidc-ee-'));
      const main = await run(
        routeB({ 'instance-id': INSTANCE, 'project-id': PROJECT.id, 'docker-config-dir': dir }),
        {
          debug: true,
        },
      );
      expect(swr.requests).toHaveLength(2);
      expect(swr.requests.every((request) => typeof request.headers['x-security-token'] === 'string')).toBe(
        true,
      );
      const keys = sts.issued[0];
      await loginAndLogout(main, dir, [
        ...lastIdToken(),
        ...(keys ? [keys.secretAccessKey, keys.securityToken] : []),
        ...loginSecrets(),
      ]);
    });
  },
);

describe('route A (IAM identity provider)', () => {
  it('scopes the IAM token by project-id when it is set, and sends it as X-Project-Id', async () => {
    const main = await run(routeA({ 'project-id': PROJECT.id, login: 'false' }));
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(JSON.parse(iam.requests[0]?.body.toString() ?? '{}').auth.scope).toEqual({
      project: { id: PROJECT.id },
    });
    expect(swr.requests[0]?.headers['x-project-id']).toBe(PROJECT.id);
  });

  it('retries an IAM 503 under max-attempts, then succeeds', async () => {
    iam.faults.push({ kind: 'status', status: 503, body: '{"error_msg":"busy","error_code":"IAM.0000"}' });
    const main = await run(routeA({ login: 'false', 'max-attempts': '2' }));
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(iam.requests).toHaveLength(2);
    expect(swr.requests).toHaveLength(1);
  });

  it.each([
    [
      'a wrong audience',
      () => ({ inputs: routeA({ audience: 'https://github.com/octo-org' }) }),
      /^IAM \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code IAM\.0105: "The audience \(aud\) of the id token does not match the client_id of the identity provider\." \(request id [0-9a-f]{32}\)\. The identity provider 'github-actions' expects another audience: its client_id must equal the token's aud \(https:\/\/github\.com\/octo-org\), or set 'audience' to its client_id\.$/,
    ],
    [
      'an expired token',
      () => {
        github.tokenOptions = { expired: true };
        return { inputs: routeA() };
      },
      /^IAM \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code IAM\.0106: "The id token has expired\." .*The ID token was expired when it arrived \(exp .*Z, runner clock .*Z\): check the runner clock/,
    ],
    [
      'a subject no mapping rule admits',
      () => {
        github.tokenOptions = { claims: { sub: 'repo:octo-org/octo-repo:pull_request' } };
        return { inputs: routeA() };
      },
      /^IAM \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code IAM\.0108: .*No mapping rule of the identity provider 'github-actions' admits this workflow \(the token has .*sub repo:octo-org\/octo-repo:pull_request\): allow its sub or repository in the rule\.$/,
    ],
    [
      'a token signed by a key the IdP does not hold (GitHub rotated its keys)',
      () => {
        github.tokenOptions = { foreignKey: true };
        return { inputs: routeA() };
      },
      /^IAM \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code IAM\.0103: .*does not verify with the signing_key of the identity provider 'github-actions': paste GitHub's current JWKS \(https:\/\/token\.actions\.githubusercontent\.com\/\.well-known\/jwks\) into it again; GitHub rotates its keys\.$/,
    ],
  ])(
    'refuses %s: one IAM request, no SWR request, one error with the hint',
    async (_what, arrange, error) => {
      const { inputs } = arrange();
      const main = await run(inputs);
      expectCleanFailure(main);
      expect(main.errors[0]).toMatch(error);
      expect(iam.requests).toHaveLength(1);
      expect(iam.issued.size).toBe(0);
      expect(findLeaks(main, lastIdToken())).toEqual(NO_LEAKS);
    },
  );
});

describe('route B (STS agency)', () => {
  it('gets 900 s keys for a named session, signs CreateSecret with them, and leaks nothing with debug on', async () => {
    const main = await run(routeB({ login: 'false' }), { debug: true });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);

    expect(github.issued.at(-1)?.audience).toBe(STS_AUDIENCE);
    expect(sts.requests).toHaveLength(1);
    expect(JSON.parse(sts.requests[0]?.body.toString() ?? '{}')).toMatchObject({
      provider_urn: PROVIDER_URN,
      agency_urn: AGENCY_URN,
      agency_session_name: 'swr-login-10386912345-2',
      duration_seconds: 900,
    });
    const [keys, ...others] = sts.issued;
    expect(others).toEqual([]);
    if (!keys) throw new Error('STS issued nothing');
    expect(swr.requests).toHaveLength(1);
    expect(swr.requests[0]?.headers['authorization']).toMatch(
      new RegExp(
        `^SDK-HMAC-SHA256 Access=${keys.accessKeyId}, SignedHeaders=content-type;host;x-sdk-date;x-security-token, `,
      ),
    );
    expect(swr.requests[0]?.headers['x-security-token']).toBe(keys.securityToken);
    expect(main.outputs).toMatchObject({ username: USERNAME, password: PASSWORD });
    expect(main.exported).toEqual({});
    expect(shim.calls()).toEqual([]);
    expect(main.summary).toContain(`OIDC → STS agency ${AGENCY_URN} (session swr-login-10386912345-2)`);
    expect(main.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining("Input 'sts-endpoint' uses plain http://")]),
    );

    const secrets = [
      ...lastIdToken(),
      keys.accessKeyId,
      keys.secretAccessKey,
      keys.securityToken,
      ...loginSecrets(),
      main.outputs['login-command'] ?? '',
    ];
    expect(findLeaks(main, secrets)).toEqual(NO_LEAKS);
    for (const secret of [keys.accessKeyId, keys.secretAccessKey, keys.securityToken]) {
      expect(main.log.masks).toContain(secret);
    }
  });

  it.each([
    [
      'a wrong audience',
      () => routeB({ audience: IAM_AUDIENCE }),
      /^STS \(127\.0\.0\.1:\d+\) answered HTTP 400 with error code STS5\.0204: ".*" \(request id [0-9a-f]{32}\)\. The token's aud \(huaweicloud-iam\) is not a client id of the OIDC provider: add it there, or set 'audience' to one of its client ids\.$/,
    ],
    [
      'an expired token',
      () => {
        github.tokenOptions = { expired: true };
        return routeB();
      },
      /^STS \(127\.0\.0\.1:\d+\) answered HTTP 400 with error code STS5\.0205: "expired id token.*The ID token was expired when it arrived/,
    ],
    [
      'a subject the trust policy does not admit',
      () => {
        github.tokenOptions = { claims: { sub: 'repo:evil-org/fork:ref:refs/heads/main' } };
        return routeB();
      },
      /^STS \(127\.0\.0\.1:\d+\) answered HTTP 403 with error code STS5\.0302: .*oidc:sub.*The trust policy of 'iam::0a1b2c3d4e5f:agency:swr-pusher' does not admit this workflow \(the token has .*sub repo:evil-org\/fork:ref:refs\/heads\/main\): allow its sub in the oidc:sub condition/,
    ],
    [
      'a token signed by a foreign key',
      () => {
        github.tokenOptions = { foreignKey: true };
        return routeB();
      },
      /^STS \(127\.0\.0\.1:\d+\) answered HTTP 400 with error code STS5\.0202: .*The token's signature does not verify with the OIDC provider's keys/,
    ],
  ])('refuses %s: one STS request, no SWR request, one error with the hint', async (_what, inputs, error) => {
    const main = await run(inputs());
    expectCleanFailure(main);
    expect(main.errors[0]).toMatch(error);
    expect(sts.requests).toHaveLength(1);
    expect(sts.issued).toHaveLength(0);
    expect(findLeaks(main, lastIdToken())).toEqual(NO_LEAKS);
  });
});

describe('refused before any request', () => {
  function expectNoRequests(): void {
    expect(github.requests.filter((request) => !request.url.startsWith('/.well-known'))).toHaveLength(
      requestsBefore,
    );
    expect(iam.requests).toHaveLength(0);
    expect(sts.requests).toHaveLength(0);
  }
  let requestsBefore = 0;
  beforeEach(() => {
    requestsBefore = github.requests.length;
  });

  it.each([
    ['route A', routeA],
    ['route B', routeB],
  ])('%s without `id-token: write`: says which permissions line to add', async (_route, inputs) => {
    const main = await run(inputs(), { withoutIdTokenPermission: true });
    expectCleanFailure(main);
    expectNoRequests();
    expect(main.errors[0]).toBe(
      'GitHub offers no ID token to this job (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set): ' +
        'add `permissions:` with `id-token: write` to the job or workflow (list `contents: read` there too if a step checks out code, since declared permissions replace the defaults). ' +
        "Pull requests from forks never get an ID token, so OIDC federation ('identity-provider', 'agency-urn') cannot run for them.",
    );
  });

  it.each([
    [
      'identity-provider with access-key-id',
      () => routeA({ 'access-key-id': 'HPUAEXAMPLEAK0000001' }),
      {},
      "'identity-provider' (OIDC federation) is set together with 'access-key-id' (inputs or HUAWEI_CLOUD_* variables): federation replaces stored credentials, so remove one of them.",
    ],
    [
      'identity-provider with HUAWEI_CLOUD_SECRET_ACCESS_KEY in the environment',
      () => routeA(),
      { HUAWEI_CLOUD_SECRET_ACCESS_KEY: 'left-over-secret' },
      "'identity-provider' (OIDC federation) is set together with 'access-key-secret' (inputs or HUAWEI_CLOUD_* variables): federation replaces stored credentials, so remove one of them.",
    ],
    [
      'identity-provider with agency-urn',
      () => routeA({ 'agency-urn': AGENCY_URN }),
      {},
      "'identity-provider' (IAM identity provider) and 'agency-urn' (STS agency) are both set: use one way of federation.",
    ],
    [
      'agency-urn without provider-urn',
      () => routeB({ 'provider-urn': '' }),
      {},
      "STS federation needs both 'agency-urn' and 'provider-urn'; 'provider-urn' is missing.",
    ],
  ])('%s: one ConfigError naming them', async (_what, inputs, env, error) => {
    const main = await run(inputs(), { env });
    expectCleanFailure(main);
    expectNoRequests();
    expect(main.errors).toEqual([error]);
    expect(main.log.text).not.toContain('left-over-secret');
  });
});
