import { ConfigError, SECRETS_HINT, setMaskFunction } from '@cloudcreds/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { readInputs, resolveCredentials } from '../src/inputs.ts';

const masked: string[] = [];
beforeEach(() => {
  masked.length = 0;
  setMaskFunction((value) => masked.push(value));
});

function read(env: Record<string, string>) {
  return readInputs(env, '/home/runner/work/repo');
}

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const AKSK = { 'INPUT_ACCESS-KEY-ID': 'HPUAEXAMPLEAK0000001', 'INPUT_ACCESS-KEY-SECRET': 'sk-secret-value' };

describe('inputs', () => {
  it('names region first when nothing is given', () => {
    expect(configError(() => read({}))).toBe("Input 'region' is required (or set HUAWEI_CLOUD_REGION).");
  });

  it('reads a minimal AK/SK setup with the documented defaults', () => {
    const settings = read({ INPUT_REGION: 'eu-west-101', ...AKSK });
    expect(settings).toEqual({
      regions: [{ region: 'eu-west-101', endpoint: new URL('https://swr-api.eu-west-101.myhuaweicloud.eu') }],
      api: { kind: 'create-secret' },
      authentication: {
        kind: 'static',
        credentials: {
          kind: 'access-key',
          accessKeyId: 'HPUAEXAMPLEAK0000001',
          secretAccessKey: 'sk-secret-value',
        },
      },
      login: true,
      logout: true,
      maxAttempts: 3,
      timeoutSeconds: 30,
    });
    expect(masked).toEqual(expect.arrayContaining(['HPUAEXAMPLEAK0000001', 'sk-secret-value']));
  });

  it('falls back to the huaweicloud/auth-action environment variables', () => {
    const settings = read({
      HUAWEI_CLOUD_REGION: 'cn-north-4',
      HUAWEI_CLOUD_ACCESS_KEY_ID: 'HSTAEXAMPLETEMP00001',
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: 'temp-secret',
      HUAWEI_CLOUD_SECURITY_TOKEN: 'security-token-value',
      HUAWEI_CLOUD_PROJECT_ID: '0123456789abcdef0123456789abcdef',
    });
    expect(settings.authentication).toEqual({
      kind: 'static',
      credentials: {
        kind: 'access-key',
        accessKeyId: 'HSTAEXAMPLETEMP00001',
        secretAccessKey: 'temp-secret',
        securityToken: 'security-token-value',
      },
    });
    expect(settings.projectId).toBe('0123456789abcdef0123456789abcdef');
    expect(masked).toContain('security-token-value');
  });

  it('reads every optional input', () => {
    const settings = read({
      INPUT_REGION: 'cn-north-4',
      ...AKSK,
      'INPUT_PROJECT-NAME': 'cn-north-4_team',
      INPUT_ENDPOINT: 'http://127.0.0.1:8443',
      'INPUT_DURATION-SECONDS': '900',
      INPUT_LOGIN: 'false',
      'INPUT_DOCKER-CONFIG-DIR': 'relative/docker',
      INPUT_LOGOUT: 'false',
      'INPUT_MAX-ATTEMPTS': '1',
      INPUT_TIMEOUT: '2',
    });
    expect(settings).toMatchObject({
      regions: [{ region: 'cn-north-4', endpoint: new URL('http://127.0.0.1:8443') }],
      api: { kind: 'create-secret', projectName: 'cn-north-4_team', durationSeconds: 900 },
      login: false,
      dockerConfigDir: '/home/runner/work/repo/relative/docker',
      logout: false,
      maxAttempts: 1,
      timeoutSeconds: 2,
    });
  });

  it.each([
    [{ INPUT_REGION: 'cn_north_4' }, "Input 'region' must be a region id"],
    [{ 'INPUT_DURATION-SECONDS': '600' }, "Input 'duration-seconds' must be between 900 and 86400"],
    [{ 'INPUT_DURATION-SECONDS': '86401' }, "Input 'duration-seconds' must be between 900 and 86400"],
    [{ INPUT_LOGIN: 'yes' }, "Input 'login' must be true or false"],
    // Only the post step acts on it, but a typo must fail the main step, before any request.
    [{ INPUT_LOGOUT: 'flase' }, "Input 'logout' must be true or false"],
    [{ 'INPUT_IF-NO-CREDENTIALS': 'never' }, "Input 'if-no-credentials' must be fail or skip"],
    [{ INPUT_ENDPOINT: 'ftp://x' }, "Input 'endpoint' must start with https://"],
    [{ 'INPUT_PROJECT-NAME': '-evil' }, "Input 'project-name' must be a project name"],
  ])('refuses %j', (inputs, message) => {
    expect(configError(() => read({ INPUT_REGION: 'cn-north-4', ...AKSK, ...inputs }))).toContain(message);
  });
});

describe('Enterprise, enhanced and several registries', () => {
  const ID1 = '3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b';
  const ID2 = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5';

  it('reads several instances (comma and newline), a registry and the IAM endpoint', () => {
    expect(
      read({ INPUT_REGION: 'cn-north-4', ...AKSK, 'INPUT_INSTANCE-ID': `${ID1},\n ${ID2}\n` }).api,
    ).toEqual({
      kind: 'enterprise',
      instanceIds: [ID1, ID2],
    });
    const one = read({
      INPUT_REGION: 'cn-north-4',
      ...AKSK,
      'INPUT_INSTANCE-ID': ID1,
      INPUT_REGISTRY: 'swr-ee.example.com:8443',
      'INPUT_IAM-ENDPOINT': 'http://127.0.0.1:9000',
    });
    expect(one.api).toEqual({ kind: 'enterprise', instanceIds: [ID1], registry: 'swr-ee.example.com:8443' });
    expect(one.iamEndpoint).toEqual(new URL('http://127.0.0.1:9000'));
  });

  it('reads enhanced, and several regions each on its default endpoint', () => {
    const settings = read({
      INPUT_REGION: 'cn-north-4, eu-west-101\nap-southeast-3',
      ...AKSK,
      INPUT_ENHANCED: 'true',
    });
    expect(settings.api).toEqual({ kind: 'enhanced' });
    expect(settings.regions).toEqual([
      { region: 'cn-north-4', endpoint: new URL('https://swr-api.cn-north-4.myhuaweicloud.com') },
      { region: 'eu-west-101', endpoint: new URL('https://swr-api.eu-west-101.myhuaweicloud.eu') },
      { region: 'ap-southeast-3', endpoint: new URL('https://swr-api.ap-southeast-3.myhuaweicloud.com') },
    ]);
  });

  it.each([
    [{ 'INPUT_INSTANCE-ID': 'abc/../def' }, "Input 'instance-id' must list instance ids"],
    [{ 'INPUT_INSTANCE-ID': ' , ' }, "Input 'instance-id' must name at least one instance id"],
    [
      { 'INPUT_INSTANCE-ID': ID1, INPUT_REGISTRY: 'https://swr-ee.example.com' },
      "Input 'registry' must be host[:port]",
    ],
    [{ 'INPUT_INSTANCE-ID': ID1, INPUT_REGISTRY: '-H' }, "Input 'registry' must be host[:port]"],
    [{ INPUT_ENHANCED: 'yes' }, "Input 'enhanced' must be true or false"],
    [{ INPUT_REGION: 'cn-north-4,cn_north_4' }, "Input 'region' must be a region id"],
  ])('refuses %j', (inputs, message) => {
    expect(configError(() => read({ INPUT_REGION: 'cn-north-4', ...AKSK, ...inputs }))).toContain(message);
  });

  it.each([
    [
      { 'INPUT_INSTANCE-ID': ID1, INPUT_ENHANCED: 'true' },
      "Inputs 'instance-id' and 'enhanced: true' exclude each other",
    ],
    [
      { 'INPUT_INSTANCE-ID': ID1, 'INPUT_DURATION-SECONDS': '900' },
      "Input 'duration-seconds' cannot be used with 'instance-id'",
    ],
    [
      { INPUT_ENHANCED: 'true', 'INPUT_DURATION-SECONDS': '900' },
      "Input 'duration-seconds' cannot be used with 'enhanced: true'",
    ],
    [
      { 'INPUT_INSTANCE-ID': ID1, 'INPUT_PROJECT-NAME': 'cn-north-4_x' },
      "Input 'project-name' cannot be used with 'instance-id'",
    ],
    [
      { INPUT_ENHANCED: 'true', 'INPUT_PROJECT-NAME': 'cn-north-4_x' },
      "Input 'project-name' cannot be used with 'enhanced: true'",
    ],
    [{ INPUT_REGISTRY: 'swr-ee.example.com' }, "Input 'registry' names the host of one Enterprise instance"],
    [
      { 'INPUT_INSTANCE-ID': `${ID1},${ID2}`, INPUT_REGISTRY: 'swr-ee.example.com' },
      "Input 'registry' names the host of one Enterprise instance",
    ],
    [{ 'INPUT_INSTANCE-ID': `${ID1},${ID1}` }, "Input 'instance-id' names the same instance twice"],
    [{ INPUT_REGION: 'cn-north-4,cn-north-4' }, "Input 'region' names the same region twice"],
    [
      { INPUT_REGION: 'cn-north-4,cn-east-3', INPUT_ENDPOINT: 'http://127.0.0.1:1' },
      "Input 'endpoint' serves one region",
    ],
    [
      { INPUT_REGION: 'cn-north-4,cn-east-3', 'INPUT_INSTANCE-ID': ID1 },
      "Input 'instance-id' lists instances of one region",
    ],
    [
      { INPUT_REGION: 'cn-north-4,cn-east-3', 'INPUT_PROJECT-NAME': 'cn-north-4_x' },
      "Input 'project-name' names a project of one region",
    ],
    [
      { INPUT_REGION: 'cn-north-4,cn-east-3', HUAWEI_CLOUD_PROJECT_ID: ID2 },
      "Input 'project-id' (or HUAWEI_CLOUD_PROJECT_ID) names a project of one region",
    ],
  ])('refuses the conflict %j in one line', (inputs, message) => {
    const line = configError(() => read({ INPUT_REGION: 'cn-north-4', ...AKSK, ...inputs }));
    expect(line.startsWith(message)).toBe(true);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toContain(ID1);
  });

  it('refuses an IAM token with several regions: it is scoped to one project', () => {
    expect(
      configError(() => read({ INPUT_REGION: 'cn-north-4,cn-east-3', 'INPUT_AUTH-TOKEN': 'MIItoken' })),
    ).toMatch(/^An IAM token \('auth-token' or 'identity-provider'\) is scoped to one region's project/);
    expect(
      configError(() => read({ INPUT_REGION: 'cn-north-4,cn-east-3', 'INPUT_IDENTITY-PROVIDER': 'github' })),
    ).toMatch(/^An IAM token/);
  });
});

describe('credential modes', () => {
  it('accepts AK/SK, AK/SK + security token, and an IAM token', () => {
    expect(resolveCredentials({ accessKeyId: 'AK', secretAccessKey: 'SK' }).kind).toBe('access-key');
    expect(resolveCredentials({ accessKeyId: 'AK', secretAccessKey: 'SK', securityToken: 'T' })).toEqual({
      kind: 'access-key',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      securityToken: 'T',
    });
    expect(resolveCredentials({ authToken: 'TOKEN' })).toEqual({ kind: 'iam-token', token: 'TOKEN' });
  });

  it('says nothing was given, with every way to give it and the fork hint', () => {
    const message = configError(() => resolveCredentials({}));
    expect(message).toContain("'access-key-id' (or HUAWEI_CLOUD_ACCESS_KEY_ID)");
    expect(message).toContain("'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY)");
    expect(message).toContain("'auth-token'");
    expect(message).toContain(
      "OIDC federation with 'identity-provider' (or 'agency-urn' and 'provider-urn')",
    );
    expect(message.endsWith(` ${SECRETS_HINT}`)).toBe(true);
  });

  it.each([
    [
      { accessKeyId: 'AK' },
      "'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY) is missing (given: 'access-key-id')",
    ],
    [
      { secretAccessKey: 'SK' },
      "'access-key-id' (or HUAWEI_CLOUD_ACCESS_KEY_ID) is missing (given: 'access-key-secret')",
    ],
    [
      { securityToken: 'T' },
      "'access-key-id' (or HUAWEI_CLOUD_ACCESS_KEY_ID) and 'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY) are missing (given: 'security-token')",
    ],
    [
      { accessKeyId: 'AK', securityToken: 'T' },
      "'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY) is missing",
    ],
  ])('names what is missing from %j', (inputs, message) => {
    const text = configError(() => resolveCredentials(inputs));
    expect(text).toContain(message);
    expect(text.endsWith(` ${SECRETS_HINT}`)).toBe(true);
    // The error never echoes a credential value.
    for (const value of Object.values(inputs)) expect(text).not.toContain(`${value} `);
  });

  it('refuses two modes at once', () => {
    expect(
      configError(() => resolveCredentials({ accessKeyId: 'AK', secretAccessKey: 'SK', authToken: 'TOKEN' })),
    ).toContain("pass either 'auth-token' or 'access-key-id' + 'access-key-secret', not both");
  });
});

describe('OIDC federation settings', () => {
  const RUNNER = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example/idtoken?api-version=2.0',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-bearer',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '3',
  };

  it('route A: needs no stored credentials, keeps the IAM override and reads the runner variables at the door', () => {
    const settings = read({
      INPUT_REGION: 'cn-north-4',
      'INPUT_IDENTITY-PROVIDER': 'github-actions',
      INPUT_AUDIENCE: 'huaweicloud',
      'INPUT_IAM-ENDPOINT': 'http://127.0.0.1:9000/iam',
      ...RUNNER,
    });
    expect(settings.authentication).toEqual({
      kind: 'federated',
      route: { kind: 'identity-provider', identityProvider: 'github-actions', audience: 'huaweicloud' },
      endpointOverride: new URL('http://127.0.0.1:9000/iam'),
      idTokenRequest: { requestUrl: RUNNER.ACTIONS_ID_TOKEN_REQUEST_URL, requestToken: 'runner-bearer' },
      run: { id: '4242', attempt: '3' },
    });
  });

  it('route B: agency and provider URNs, no audience (GitHub default), nothing from the runner when unset', () => {
    const settings = read({
      INPUT_REGION: 'cn-north-4',
      'INPUT_AGENCY-URN': 'iam::0a1b2c3d:agency:swr-pusher',
      'INPUT_PROVIDER-URN': 'iam::0a1b2c3d:identity-provider:github',
    });
    expect(settings.authentication).toEqual({
      kind: 'federated',
      route: {
        kind: 'agency',
        agencyUrn: 'iam::0a1b2c3d:agency:swr-pusher',
        providerUrn: 'iam::0a1b2c3d:identity-provider:github',
      },
      idTokenRequest: {},
      run: {},
    });
  });

  it.each([
    [
      { 'INPUT_IDENTITY-PROVIDER': 'github-actions', ...AKSK },
      "'identity-provider' (OIDC federation) is set together with 'access-key-id', 'access-key-secret'",
    ],
    [
      { 'INPUT_IDENTITY-PROVIDER': 'github-actions', HUAWEI_CLOUD_SECURITY_TOKEN: 'T' },
      "'identity-provider' (OIDC federation) is set together with 'security-token'",
    ],
    [
      { 'INPUT_IDENTITY-PROVIDER': 'github-actions', 'INPUT_AGENCY-URN': 'iam::1:agency:a' },
      "'identity-provider' (IAM identity provider) and 'agency-urn' (STS agency) are both set",
    ],
    [{ INPUT_AUDIENCE: 'huaweicloud' }, "'audience' applies only to OIDC federation"],
    [
      { 'INPUT_IDENTITY-PROVIDER': 'github actions' },
      "Input 'identity-provider' must be an identity provider id",
    ],
    [{ 'INPUT_AGENCY-URN': 'iam::1:agency:a b' }, "Input 'agency-urn' must be an agency URN"],
    [{ 'INPUT_STS-ENDPOINT': 'ftp://x' }, "Input 'sts-endpoint' must start with https://"],
  ])('refuses %j before anything else, with one ConfigError', (inputs, message) => {
    expect(configError(() => read({ INPUT_REGION: 'cn-north-4', ...inputs }))).toContain(message);
  });
});
