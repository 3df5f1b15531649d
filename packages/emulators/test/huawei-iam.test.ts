// The IAM emulator must accept exactly the tokens route A's setup would accept: signed by a key of
// the pasted JWKS, from the IdP's idp_url, for its client_id, unexpired, matching the mapping rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubOidcEmulator, startGithubOidcEmulator } from '../src/github-oidc.ts';
import { type HuaweiIamEmulator, IAM_TOKEN_PATH, startHuaweiIamEmulator } from '../src/huawei-iam.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const CLIENT_ID = 'huaweicloud-iam';
let github: GithubOidcEmulator;
let iam: HuaweiIamEmulator;

beforeAll(async () => {
  github = await startGithubOidcEmulator();
  iam = await startHuaweiIamEmulator({
    jwks: github.jwks(),
    identityProviders: [
      {
        id: 'github-actions',
        idpUrl: ISSUER,
        clientId: CLIENT_ID,
        conditions: [
          { claim: 'repository', anyOf: ['octo-org/octo-repo'] },
          { claim: 'sub', like: ['repo:octo-org/octo-repo:ref:refs/heads/*'] },
        ],
      },
    ],
    projects: [{ id: '0123456789abcdef0123456789abcdef', name: 'cn-north-4' }],
  });
});
afterAll(() => Promise.all([github.close(), iam.close()]));

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function exchange(
  idToken: string,
  options: { idp?: string | null; scope?: unknown; rawBody?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf8' };
  if (options.idp !== null) headers['x-idp-id'] = options.idp ?? 'github-actions';
  const scope = 'scope' in options ? options.scope : { project: { name: 'cn-north-4' } };
  const body =
    options.rawBody ?? JSON.stringify({ auth: { id_token: { id: idToken }, ...(scope ? { scope } : {}) } });
  const response = await fetch(`${iam.url}${IAM_TOKEN_PATH}`, { method: 'POST', headers, body });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const good = (): string => github.issueToken(CLIENT_ID);

describe('Huawei IAM CreateTokenWithIdToken emulator', () => {
  it('answers 201 with an opaque token in X-Subject-Token and the token body', async () => {
    const reply = await exchange(good());
    expect(reply.status).toBe(201);
    const token = reply.headers.get('x-subject-token') ?? '';
    expect(token).toMatch(/^MII[A-Za-z0-9+/=]{2000,}$/);
    const body = reply.body['token'] as Record<string, unknown>;
    expect(body['methods']).toEqual(['mapped']);
    expect(body['expires_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(body['issued_at']).toMatch(/\.\d{6}Z$/);
    expect(body['project']).toMatchObject({ id: '0123456789abcdef0123456789abcdef', name: 'cn-north-4' });
    expect(body['user']).toMatchObject({ 'OS-FEDERATION': { identity_provider: { id: 'github-actions' } } });
    expect(Array.isArray(body['roles'])).toBe(true);
    expect(iam.isIssuedToken(token)).toBe(true);
    expect(iam.issued.get(token)).toMatchObject({
      identityProvider: 'github-actions',
      project: { name: 'cn-north-4' },
      subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    });
    expect(iam.isIssuedToken(`${token}x`)).toBe(false);
  });

  it('scopes by project id as well as by name', async () => {
    const reply = await exchange(good(), { scope: { project: { id: '0123456789abcdef0123456789abcdef' } } });
    expect(reply.status).toBe(201);
  });

  it('issues an unscoped token without scope, as documented, and records it as unscoped', async () => {
    const reply = await exchange(good(), { scope: undefined });
    expect(reply.status).toBe(201);
    const token = reply.headers.get('x-subject-token') ?? '';
    expect((reply.body['token'] as Record<string, unknown>)['project']).toBeUndefined();
    expect(iam.issued.get(token)?.project).toBeUndefined();
  });

  const failures: Array<[string, () => Promise<Reply>, number, string, RegExp]> = [
    ['no X-Idp-Id', () => exchange(good(), { idp: null }), 400, 'IAM.0007', /X-Idp-Id/],
    ['an unknown IdP', () => exchange(good(), { idp: 'nope' }), 404, 'IAM.0101', /identity provider/],
    ['a body that is not JSON', () => exchange(good(), { rawBody: '{' }), 400, 'IAM.0011', /body/],
    ['a scope without project', () => exchange(good(), { scope: { project: {} } }), 400, 'IAM.0011', /body/],
    ['a token that is not a JWT', () => exchange('abc.def'), 400, 'IAM.0102', /JWT/],
    [
      'a token signed by a foreign key',
      () => exchange(github.issueToken(CLIENT_ID, { foreignKey: true })),
      401,
      'IAM.0103',
      /signature/,
    ],
    [
      'another issuer',
      () => exchange(github.issueToken(CLIENT_ID, { claims: { iss: 'https://evil.example' } })),
      401,
      'IAM.0104',
      /issuer/,
    ],
    ['another audience', () => exchange(github.issueToken('sts.amazonaws.com')), 401, 'IAM.0105', /audience/],
    [
      'an expired token',
      () => exchange(github.issueToken(CLIENT_ID, { expired: true })),
      401,
      'IAM.0106',
      /expired/,
    ],
    [
      'a token not yet valid',
      () => exchange(github.issueToken(CLIENT_ID, { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })),
      401,
      'IAM.0107',
      /nbf/,
    ],
    [
      'a subject outside the mapping rule',
      () =>
        exchange(github.issueToken(CLIENT_ID, { claims: { sub: 'repo:octo-org/octo-repo:pull_request' } })),
      403,
      'IAM.0108',
      /mapping rule/,
    ],
    [
      'another repository',
      () => exchange(github.issueToken(CLIENT_ID, { claims: { repository: 'evil/fork' } })),
      403,
      'IAM.0108',
      /mapping rule/,
    ],
    [
      'an unknown project',
      () => exchange(good(), { scope: { project: { name: 'ap-southeast-1' } } }),
      404,
      'IAM.0109',
      /project/,
    ],
  ];

  it.each(failures)('refuses %s', async (_what, run, status, code, message) => {
    const issuedBefore = iam.issued.size;
    const reply = await run();
    expect(reply.status).toBe(status);
    expect(reply.body).toEqual({ error_code: code, error_msg: expect.stringMatching(message) });
    expect(reply.headers.get('x-subject-token')).toBeNull();
    expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(iam.issued.size).toBe(issuedBefore);
  });

  it("answers in Keystone's {error:{code,message,title}} shape when asked to", async () => {
    iam.errorShape = 'keystone';
    try {
      const reply = await exchange(github.issueToken('wrong-audience'));
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        error: { code: 401, message: expect.stringMatching(/audience/), title: 'Unauthorized' },
      });
    } finally {
      iam.errorShape = 'iam';
    }
  });

  it('reads the JWKS at each request when given a provider, so key rotation can be tested', async () => {
    let keys = { keys: [] as JsonWebKey[] };
    const rotating = await startHuaweiIamEmulator({
      jwksProvider: () => keys,
      identityProviders: [{ id: 'gh', idpUrl: ISSUER, clientId: CLIENT_ID, conditions: [] }],
    });
    try {
      const post = (): Promise<Response> =>
        fetch(`${rotating.url}${IAM_TOKEN_PATH}`, {
          method: 'POST',
          headers: { 'x-idp-id': 'gh', 'content-type': 'application/json' },
          body: JSON.stringify({
            auth: { id_token: { id: good() }, scope: { project: { name: rotating.projects[0]?.name } } },
          }),
        });
      expect((await post()).status).toBe(401);
      keys = github.jwks();
      expect((await post()).status).toBe(201);
    } finally {
      await rotating.close();
    }
  });

  it('forgets expired tokens', async () => {
    let now = Date.now();
    const short = await startHuaweiIamEmulator({
      jwks: github.jwks(),
      identityProviders: [{ id: 'gh', idpUrl: ISSUER, clientId: CLIENT_ID, conditions: [] }],
      tokenLifetimeSeconds: 60,
      now: () => now,
    });
    try {
      const response = await fetch(`${short.url}${IAM_TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'x-idp-id': 'gh', 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: { id_token: { id: good() }, scope: { project: { name: 'cn-north-4' } } },
        }),
      });
      const token = response.headers.get('x-subject-token') ?? '';
      expect(short.isIssuedToken(token)).toBe(true);
      now += 61_000;
      expect(short.isIssuedToken(token)).toBe(false);
    } finally {
      await short.close();
    }
  });
});
