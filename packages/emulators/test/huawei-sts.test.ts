// The STS emulator must hand out temporary keys exactly when the provider's JWKS, issuer and client
// ids and the agency's trust policy (oidc:iss/aud/sub, exact or `*`) admit the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubOidcEmulator, startGithubOidcEmulator } from '../src/github-oidc.ts';
import { type HuaweiStsEmulator, STS_OIDC_PATH, startHuaweiStsEmulator } from '../src/huawei-sts.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'huaweicloud-sts';
const PROVIDER = 'iam::0a1b2c3d4e5f:identity-provider:github';
const AGENCY = 'iam::0a1b2c3d4e5f:agency:swr-pusher';
const STRICT_AGENCY = 'iam::0a1b2c3d4e5f:agency:release-only';
const UNTRUSTING_AGENCY = 'iam::0a1b2c3d4e5f:agency:other';
let github: GithubOidcEmulator;
let sts: HuaweiStsEmulator;

beforeAll(async () => {
  github = await startGithubOidcEmulator();
  sts = await startHuaweiStsEmulator({
    providers: [{ urn: PROVIDER, issuer: ISSUER, clientIds: [AUDIENCE], jwksProvider: () => github.jwks() }],
    agencies: [
      {
        urn: AGENCY,
        trustedProviders: [PROVIDER],
        conditions: {
          'oidc:iss': [ISSUER],
          'oidc:aud': [AUDIENCE],
          'oidc:sub': ['repo:octo-org/octo-repo:ref:refs/heads/*'],
        },
        maxSessionDuration: 7200,
      },
      {
        urn: STRICT_AGENCY,
        trustedProviders: [PROVIDER],
        conditions: { 'oidc:sub': ['repo:octo-org/octo-repo:ref:refs/tags/v1'] },
      },
      {
        urn: UNTRUSTING_AGENCY,
        trustedProviders: ['iam::0a1b2c3d4e5f:identity-provider:gitlab'],
        conditions: {},
      },
    ],
  });
});
afterAll(() => Promise.all([github.close(), sts.close()]));

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id_token: github.issueToken(AUDIENCE),
    provider_urn: PROVIDER,
    agency_urn: AGENCY,
    agency_session_name: 'swr-login-10386912345-1',
    ...overrides,
  };
}

async function assume(body: unknown): Promise<Reply> {
  const response = await fetch(`${sts.url}${STS_OIDC_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf8' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('Huawei STS AssumeAgencyWithOIDC emulator', () => {
  it('hands out temporary AK/SK and a security token for an admitted token, unsigned', async () => {
    const before = Date.now();
    const reply = await assume(request({ duration_seconds: 900 }));
    expect(reply.status).toBe(200);
    const credentials = reply.body['credentials'] as Record<string, string>;
    expect(credentials['access_key_id']).toMatch(/^[A-Z0-9]{20}$/);
    expect(credentials['secret_access_key']).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(credentials['security_token']?.length).toBeGreaterThan(1000);
    const expiry = Date.parse(credentials['expiration'] ?? '');
    expect(expiry).toBeGreaterThanOrEqual(before + 899_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 901_000);
    expect(reply.body).toMatchObject({
      assumed_agency: {
        urn: 'sts::0a1b2c3d4e5f:assumed-agency:swr-pusher/swr-login-10386912345-1',
        id: expect.stringMatching(/:swr-login-10386912345-1$/),
      },
      audience: AUDIENCE,
      provider: PROVIDER,
      subject_from_id_token: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    });
    expect(sts.findCredentials(credentials['access_key_id'] ?? '')).toMatchObject({
      secretAccessKey: credentials['secret_access_key'],
      securityToken: credentials['security_token'],
      agencyUrn: AGENCY,
      sessionName: 'swr-login-10386912345-1',
    });
  });

  it('defaults duration_seconds to 3600', async () => {
    const reply = await assume(request());
    const expiry = Date.parse((reply.body['credentials'] as Record<string, string>)['expiration'] ?? '');
    expect(expiry - Date.now()).toBeGreaterThan(3590_000);
    expect(expiry - Date.now()).toBeLessThanOrEqual(3600_000);
  });

  it('matches exact trust conditions too', async () => {
    const tagged = github.issueToken(AUDIENCE, {
      claims: { sub: 'repo:octo-org/octo-repo:ref:refs/tags/v1' },
    });
    expect((await assume(request({ id_token: tagged, agency_urn: STRICT_AGENCY }))).status).toBe(200);
    expect((await assume(request({ agency_urn: STRICT_AGENCY }))).status).toBe(403);
  });

  const long = 'x'.repeat(20_001);
  const failures: Array<[string, () => unknown, number, string, RegExp]> = [
    ['a body that is not JSON', () => '{', 400, 'STS5.0001', /not JSON/],
    ['a missing id_token', () => request({ id_token: undefined }), 400, 'STS5.0001', /id_token/],
    ['an id_token of 3 characters', () => request({ id_token: 'abc' }), 400, 'STS5.0001', /id_token/],
    ['an id_token over 20000 characters', () => request({ id_token: long }), 400, 'STS5.0001', /id_token/],
    ['a missing provider_urn', () => request({ provider_urn: '' }), 400, 'STS5.0001', /provider_urn/],
    ['a missing agency_urn', () => request({ agency_urn: undefined }), 400, 'STS5.0001', /agency_urn/],
    [
      'a one-character session name',
      () => request({ agency_session_name: 'a' }),
      400,
      'STS5.0001',
      /session/,
    ],
    [
      'a session name with a space',
      () => request({ agency_session_name: 'a b' }),
      400,
      'STS5.0001',
      /session/,
    ],
    [
      'a session name of 129 characters',
      () => request({ agency_session_name: 'a'.repeat(129) }),
      400,
      'STS5.0001',
      /session/,
    ],
    ['duration_seconds 899', () => request({ duration_seconds: 899 }), 400, 'STS5.0001', /duration/],
    ['duration_seconds 43201', () => request({ duration_seconds: 43_201 }), 400, 'STS5.0001', /duration/],
    ['duration_seconds "900"', () => request({ duration_seconds: '900' }), 400, 'STS5.0001', /duration/],
    [
      'a duration above the agency maximum',
      () => request({ duration_seconds: 7201 }),
      400,
      'STS5.0003',
      /maximum session duration/,
    ],
    ['an unknown provider', () => request({ provider_urn: `${PROVIDER}x` }), 404, 'STS5.0101', /provider/],
    ['an unknown agency', () => request({ agency_urn: `${AGENCY}x` }), 404, 'STS5.0102', /agency/],
    ['a token that is not a JWT', () => request({ id_token: 'abcd' }), 400, 'STS5.0201', /not a JWT/],
    [
      'a token signed by a foreign key',
      () => request({ id_token: github.issueToken(AUDIENCE, { foreignKey: true }) }),
      400,
      'STS5.0202',
      /signature/,
    ],
    [
      'another issuer',
      () => request({ id_token: github.issueToken(AUDIENCE, { claims: { iss: 'https://gitlab.com' } }) }),
      400,
      'STS5.0203',
      /issuer/,
    ],
    ['another audience', () => request({ id_token: github.issueToken('x') }), 400, 'STS5.0204', /audience/],
    [
      'an expired token',
      () => request({ id_token: github.issueToken(AUDIENCE, { expired: true }) }),
      400,
      'STS5.0205',
      /expired/,
    ],
    [
      'an agency that does not trust the provider',
      () => request({ agency_urn: UNTRUSTING_AGENCY }),
      403,
      'STS5.0301',
      /trust/,
    ],
    [
      'a subject outside oidc:sub',
      () =>
        request({
          id_token: github.issueToken(AUDIENCE, { claims: { sub: 'repo:evil/fork:pull_request' } }),
        }),
      403,
      'STS5.0302',
      /oidc:sub/,
    ],
  ];

  it.each(failures)('refuses %s', async (_what, body, status, code, message) => {
    const before = sts.issued.length;
    const reply = await assume(body());
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ error_code: code, error_msg: expect.stringMatching(message) });
    expect(reply.body['request_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.headers.get('x-request-id')).toBe(reply.body['request_id']);
    expect('encoded_authorization_message' in reply.body).toBe(status === 403);
    expect(reply.body).not.toHaveProperty('credentials');
    expect(sts.issued.length).toBe(before);
  });

  it('forgets expired credentials', async () => {
    let now = Date.now();
    const clocked = await startHuaweiStsEmulator({
      providers: [{ urn: PROVIDER, issuer: ISSUER, clientIds: [AUDIENCE], jwks: github.jwks() }],
      agencies: [{ urn: AGENCY, trustedProviders: [PROVIDER], conditions: {} }],
      now: () => now,
    });
    try {
      const response = await fetch(`${clocked.url}${STS_OIDC_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request({ duration_seconds: 900 })),
      });
      const ak = ((await response.json()) as { credentials: { access_key_id: string } }).credentials
        .access_key_id;
      expect(clocked.findCredentials(ak)).toBeDefined();
      now += 901_000;
      expect(clocked.findCredentials(ak)).toBeUndefined();
    } finally {
      await clocked.close();
    }
  });
});
