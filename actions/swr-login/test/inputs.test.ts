import { ConfigError, setMaskFunction } from '@cloudcreds/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { readLogoutSetting, readSettings, resolveCredentials } from '../src/inputs.ts';

const masked: string[] = [];
beforeEach(() => {
  masked.length = 0;
  setMaskFunction((value) => masked.push(value));
});

function read(env: Record<string, string>) {
  return readSettings(env, '/home/runner/work/repo');
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
    expect(configError(() => read({}))).toBe("Input 'region' is required (or set HUAWEI_CLOUD_REGION)");
  });

  it('reads a minimal AK/SK setup with the documented defaults', () => {
    const settings = read({ INPUT_REGION: 'eu-west-101', ...AKSK });
    expect(settings).toEqual({
      region: 'eu-west-101',
      authentication: {
        kind: 'static',
        credentials: {
          kind: 'access-key',
          accessKeyId: 'HPUAEXAMPLEAK0000001',
          secretAccessKey: 'sk-secret-value',
        },
      },
      projectName: 'eu-west-101',
      endpoint: new URL('https://swr-api.eu-west-101.myhuaweicloud.eu'),
      login: true,
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
      'INPUT_MAX-ATTEMPTS': '1',
      INPUT_TIMEOUT: '2',
    });
    expect(settings).toMatchObject({
      projectName: 'cn-north-4_team',
      endpoint: new URL('http://127.0.0.1:8443'),
      durationSeconds: 900,
      login: false,
      dockerConfigDir: '/home/runner/work/repo/relative/docker',
      maxAttempts: 1,
      timeoutSeconds: 2,
    });
  });

  it.each([
    [{ INPUT_REGION: 'cn_north_4' }, "Input 'region' must be a region id"],
    [{ 'INPUT_DURATION-SECONDS': '600' }, "Input 'duration-seconds' must be between 900 and 86400"],
    [{ 'INPUT_DURATION-SECONDS': '86401' }, "Input 'duration-seconds' must be between 900 and 86400"],
    [{ INPUT_LOGIN: 'yes' }, "Input 'login' must be true or false"],
    [{ INPUT_ENDPOINT: 'ftp://x' }, "Input 'endpoint' must start with https://"],
    [{ 'INPUT_PROJECT-NAME': '-evil' }, "Input 'project-name' must be a project name"],
  ])('refuses %j', (inputs, message) => {
    expect(configError(() => read({ INPUT_REGION: 'cn-north-4', ...AKSK, ...inputs }))).toContain(message);
  });

  it('reads logout for the post step (default true)', () => {
    expect(readLogoutSetting({})).toBe(true);
    expect(readLogoutSetting({ INPUT_LOGOUT: 'false' })).toBe(false);
  });
});

describe('credential modes', () => {
  const FORK = 'GitHub does not pass secrets to it';

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
    expect(message).toContain(FORK);
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
      "'access-key-id' (or HUAWEI_CLOUD_ACCESS_KEY_ID) and 'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY) is missing (given: 'security-token')",
    ],
    [
      { accessKeyId: 'AK', securityToken: 'T' },
      "'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY) is missing",
    ],
  ])('names what is missing from %j', (inputs, message) => {
    const text = configError(() => resolveCredentials(inputs));
    expect(text).toContain(message);
    expect(text).toContain(FORK);
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
