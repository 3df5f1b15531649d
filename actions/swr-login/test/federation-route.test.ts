// The pure parts of federation: which route the inputs choose, where IAM and STS live, the session
// name, and the ID token fetch (injected source, no environment).
import { ConfigError, NetworkError, ServiceError, setMaskFunction } from '@cloudcreds/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiUrl,
  defaultIamEndpoint,
  defaultStsEndpoint,
  resolveIamEndpoint,
  resolveStsEndpoint,
} from '../src/federation/endpoints.ts';
import { fetchIdToken, missingPermissionMessage, readClaims } from '../src/federation/id-token.ts';
import { chooseRoute, type RouteInputs } from '../src/federation/route.ts';
import { SESSION_DURATION_SECONDS, sessionName } from '../src/federation/sts.ts';

const A = { identityProvider: 'github-actions' };
const B = { agencyUrn: 'iam::123:agency:swr', providerUrn: 'iam::123:identity-provider:github' };
const AKSK = { accessKeyId: 'HPUAEXAMPLE', secretAccessKey: 'secret' };
const URL_X = new URL('http://127.0.0.1:1');

describe('chooseRoute', () => {
  const chosen: Array<[string, RouteInputs, unknown]> = [
    ['identity-provider → IAM', A, { kind: 'identity-provider', identityProvider: 'github-actions' }],
    [
      'identity-provider + audience + iam-endpoint',
      { ...A, audience: 'huaweicloud', iamEndpoint: URL_X },
      { kind: 'identity-provider', identityProvider: 'github-actions', audience: 'huaweicloud' },
    ],
    ['agency-urn + provider-urn → STS', B, { kind: 'agency', ...B }],
    [
      'agency-urn + provider-urn + audience + sts-endpoint',
      { ...B, audience: 'sts', stsEndpoint: URL_X },
      { kind: 'agency', ...B, audience: 'sts' },
    ],
    ['AK/SK → static', AKSK, { kind: 'static' }],
    ['auth-token → static', { authToken: 'MIItoken' }, { kind: 'static' }],
    ['nothing → static (the credential check names what is missing)', {}, { kind: 'static' }],
    [
      'empty strings count as unset',
      { identityProvider: '', agencyUrn: '', audience: '' },
      { kind: 'static' },
    ],
  ];
  it.each(chosen)('%s', (_what, inputs, route) => {
    expect(chooseRoute(inputs)).toEqual(route);
  });

  const refused: Array<[string, RouteInputs, RegExp]> = [
    [
      'both routes',
      { ...A, ...B },
      /^'identity-provider' .* and 'agency-urn', 'provider-urn' .* are both set/,
    ],
    [
      'route A with AK/SK',
      { ...A, ...AKSK },
      /'identity-provider' .* together with 'access-key-id', 'access-key-secret'/,
    ],
    ['route A with auth-token', { ...A, authToken: 't' }, /together with 'auth-token'/],
    [
      'route B with a security token',
      { ...B, securityToken: 't' },
      /'agency-urn', 'provider-urn' .* 'security-token'/,
    ],
    [
      'agency-urn alone',
      { agencyUrn: B.agencyUrn },
      /needs both 'agency-urn' and 'provider-urn'; 'provider-urn' is missing/,
    ],
    ['provider-urn alone', { providerUrn: B.providerUrn }, /'agency-urn' is missing/],
    [
      'route A with sts-endpoint',
      { ...A, stsEndpoint: URL_X },
      /'sts-endpoint' is set, but 'identity-provider' uses IAM/,
    ],
    [
      'route B with iam-endpoint',
      { ...B, iamEndpoint: URL_X },
      /'iam-endpoint' is set, but 'agency-urn' uses STS/,
    ],
    [
      'audience without federation',
      { ...AKSK, audience: 'x' },
      /^'audience' applies only to OIDC federation/,
    ],
    [
      'endpoints without federation',
      { iamEndpoint: URL_X, stsEndpoint: URL_X },
      /^'iam-endpoint', 'sts-endpoint' apply only to OIDC federation.* remove them$/,
    ],
  ];
  it.each(refused)('refuses %s with one ConfigError naming the inputs', (_what, inputs, message) => {
    expect(() => chooseRoute(inputs)).toThrow(ConfigError);
    expect(() => chooseRoute(inputs)).toThrow(message);
  });

  it('never echoes an input value', () => {
    try {
      chooseRoute({ ...A, secretAccessKey: 'SuperSecretValue123' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('SuperSecretValue123');
    }
  });
});

describe('default endpoints', () => {
  it.each([
    ['cn-north-4', 'https://iam.cn-north-4.myhuaweicloud.com/', 'https://sts.cn-north-4.myhuaweicloud.com/'],
    [
      'ap-southeast-1',
      'https://iam.ap-southeast-1.myhuaweicloud.com/',
      'https://sts.ap-southeast-1.myhuaweicloud.com/',
    ],
    [
      'cn-north-11',
      'https://iam.cn-north-11.myhuaweicloud.com/',
      'https://sts.cn-north-11.myhuaweicloud.com/',
    ],
    ['eu-west-0', 'https://iam.eu-west-0.myhuaweicloud.com/', 'https://sts.eu-west-0.myhuaweicloud.com/'],
    ['eu-west-101', 'https://iam.eu-west-101.myhuaweicloud.eu/', 'https://sts.eu-west-101.myhuaweicloud.eu/'],
  ])('%s', (region, iam, sts) => {
    expect(defaultIamEndpoint(region).href).toBe(iam);
    expect(defaultStsEndpoint(region).href).toBe(sts);
  });

  it('refuses what is not a region id rather than building a host from it', () => {
    expect(() => defaultIamEndpoint('evil.com/x')).toThrow(/not a region id/);
    expect(() => defaultStsEndpoint('')).toThrow(/not a region id/);
  });

  it('lets the iam-endpoint / sts-endpoint overrides win', () => {
    expect(resolveIamEndpoint('cn-north-4', URL_X)).toBe(URL_X);
    expect(resolveStsEndpoint('cn-north-4', URL_X)).toBe(URL_X);
    expect(resolveIamEndpoint('cn-north-4', undefined).host).toBe('iam.cn-north-4.myhuaweicloud.com');
  });

  it('keeps a path prefix of an override', () => {
    expect(apiUrl(new URL('https://gw.example/iam/'), '/v3.0/OS-AUTH/id-token/tokens')).toBe(
      'https://gw.example/iam/v3.0/OS-AUTH/id-token/tokens',
    );
    expect(apiUrl(new URL('http://127.0.0.1:8080'), '/v5/x')).toBe('http://127.0.0.1:8080/v5/x');
  });
});

describe('STS session', () => {
  it.each([
    ['10386912345', '1', 'swr-login-10386912345-1'],
    [undefined, undefined, 'swr-login'],
    ['12', undefined, 'swr-login-12'],
    ['1 2/3', '1', 'swr-login-1_2_3-1'],
    ['9'.repeat(200), '1', `swr-login-${'9'.repeat(118)}`],
  ])('run %s attempt %s → %s', (runId, attempt, name) => {
    const result = sessionName(runId, attempt);
    expect(result).toBe(name);
    expect(result).toMatch(/^[A-Za-z0-9_+=,.@-]{2,128}$/);
  });

  it('asks for the shortest lifetime STS grants', () => {
    expect(SESSION_DURATION_SECONDS).toBe(900);
  });
});

describe('fetchIdToken', () => {
  const variables = { requestUrl: 'http://127.0.0.1:1/idtoken?api-version=2.0', requestToken: 'rt' };
  const jwt = (claims: object): string =>
    `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${'s'.repeat(342)}`;
  let masks: string[];
  beforeEach(() => {
    masks = [];
    setMaskFunction((value) => masks.push(value));
  });
  afterEach(() => setMaskFunction(() => {}));

  it.each([
    [{}, /ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set/],
    [{ requestUrl: 'x' }, /\(ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set\)/],
    [{ requestToken: 'x' }, /\(ACTIONS_ID_TOKEN_REQUEST_URL is not set\)/],
  ])('without %o says which permission line to add, without calling the source', async (given, missing) => {
    let called = false;
    const source = async (): Promise<string> => {
      called = true;
      return '';
    };
    const failure = fetchIdToken(source, given, undefined);
    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(missing);
    await expect(failure).rejects.toThrow(/`permissions:` with `id-token: write`/);
    await expect(failure).rejects.toThrow(/forks never get an ID token/);
    expect(called).toBe(false);
  });

  it('writes the missing-permission message on one line', () => {
    expect(missingPermissionMessage({})).not.toMatch(/[\r\n]/);
  });

  it('passes the audience, masks the token and its segments at once, and reads the claims', async () => {
    const token = jwt({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'a',
      sub: 'repo:o/r:ref:refs/heads/main',
      exp: 1,
    });
    const audiences: Array<string | undefined> = [];
    const result = await fetchIdToken(
      async (audience) => {
        audiences.push(audience);
        expect(masks).toEqual([]);
        return token;
      },
      variables,
      'huaweicloud',
    );
    expect(audiences).toEqual(['huaweicloud']);
    expect(masks).toContain(token);
    expect(masks).toContain(`Bearer ${token}`);
    expect(masks).toContain(token.split('.')[1]);
    expect(masks).toContain(token.split('.')[2]);
    expect(result).toEqual({
      token,
      claims: {
        iss: 'https://token.actions.githubusercontent.com',
        aud: 'a',
        sub: 'repo:o/r:ref:refs/heads/main',
        exp: 1,
      },
    });
  });

  // @actions/core's wording (node_modules/@actions/core/lib/oidc-utils.js, core.js getIDToken).
  const toolkitFailure = (code: string, message: string): Error =>
    new Error(
      `Error message: Failed to get ID Token. \n \n        Error Code : ${code}\n \n        Error Message: ${message}`,
    );

  it('turns an answered toolkit failure into one service error: endpoint, status, message', async () => {
    const failure = fetchIdToken(
      async () => {
        throw toolkitFailure('500', 'Failed request: (500) Internal Server Error');
      },
      variables,
      undefined,
    );
    await expect(failure).rejects.toThrow(ServiceError);
    await expect(failure).rejects.toThrow(
      /^GitHub's OIDC token endpoint \(127\.0\.0\.1:1\) answered HTTP 500: "Failed request: \(500\) Internal Server Error"\. The runner could not issue an ID token: re-run the job/,
    );
  });

  it('says so when the token endpoint gave no answer at all', async () => {
    const failure = fetchIdToken(
      async () => {
        throw toolkitFailure('undefined', 'connect ECONNREFUSED 127.0.0.1:1');
      },
      variables,
      undefined,
    );
    await expect(failure).rejects.toThrow(NetworkError);
    await expect(failure).rejects.toThrow(
      "GitHub's OIDC token endpoint (127.0.0.1:1) did not answer with an ID token (connect ECONNREFUSED 127.0.0.1:1). The runner could not issue",
    );
  });

  it('refuses an answer that is not a JWT, after masking it', async () => {
    await expect(fetchIdToken(async () => 'not-a-jwt-at-all', variables, undefined)).rejects.toThrow(
      /^GitHub's OIDC token endpoint \(127\.0\.0\.1:1\) answered, but what it returned is not a JWT\. /,
    );
    expect(masks).toContain('not-a-jwt-at-all');
    await expect(fetchIdToken(async () => '', variables, undefined)).rejects.toThrow(/not a JWT/);
  });

  it('reads claims leniently (array audiences, missing ones) and keeps them printable', () => {
    expect(readClaims(jwt({ aud: ['a', 'b'] }))).toEqual({ aud: 'a,b' });
    expect(readClaims(jwt({ sub: 'repo:x\n::error::forged ##[warning]' }))).toEqual({
      sub: 'repo:x :\u200b:error:\u200b:forged #\u200b#[warning]',
    });
    expect(readClaims(jwt({}))).toEqual({});
    expect(readClaims('a.b')).toBeUndefined();
    expect(readClaims(`a.${Buffer.from('[1]').toString('base64url')}.c`)).toBeUndefined();
  });
});
