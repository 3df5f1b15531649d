// The IAM emulator must accept exactly the tokens route A's setup would accept: signed by a key of
// the pasted JWKS, from the IdP's idp_url, for its client_id, unexpired, matching the mapping rule.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubOidcEmulator, startGithubOidcEmulator } from '../src/github-oidc.ts';
import {
  type HuaweiIamEmulator,
  type HuaweiIamOptions,
  IAM_TOKEN_PATH,
  startHuaweiIamEmulator,
} from '../src/huawei-iam.ts';
import { type SwrEmulator, startSwrEmulator } from '../src/swr.ts';
import { sdkDate, signLiterally } from './gateway-signature.ts';

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

// ---- Project lookup (docs/specs/swr.md §10): GET /v3/projects?name= (AK/SK) and GET /v3/auth/projects (token) ----

describe('Huawei IAM project lookup emulator', () => {
  const NOW = Date.UTC(2026, 2, 18, 7, 47, 21);
  const PROJECT = { id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', name: 'cn-north-4' };
  let swr: SwrEmulator;
  const lookups: HuaweiIamEmulator[] = [];

  beforeAll(async () => {
    swr = await startSwrEmulator();
  });
  afterAll(() => Promise.all([swr.close(), ...lookups.map((emulator) => emulator.close())]));

  async function lookup(options: Partial<HuaweiIamOptions> = {}): Promise<HuaweiIamEmulator> {
    const emulator = await startHuaweiIamEmulator({
      credentials: swr.credentials,
      projects: [PROJECT, { id: 'f'.repeat(32), name: 'ap-southeast-1' }],
      now: () => NOW,
      ...options,
    });
    lookups.push(emulator);
    return emulator;
  }

  interface Answer {
    status: number;
    body: Record<string, unknown>;
    headers: http.IncomingHttpHeaders;
  }

  function get(emulator: HuaweiIamEmulator, path: string, headers: Record<string, string>): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: emulator.port, method: 'GET', path, headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(text) as Record<string, unknown>,
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** `GET /v3/projects?name=<name>`, signed with the given keys (X-Security-Token signed when given). */
  function listByName(
    emulator: HuaweiIamEmulator,
    name: string,
    keys: { accessKeyId: string; secretAccessKey: string; securityToken?: string } = swr.credentials
      .permanent,
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Host: `127.0.0.1:${emulator.port}`,
    };
    if (keys.securityToken) headers['X-Security-Token'] = keys.securityToken;
    return get(
      emulator,
      `/v3/projects?name=${name}`,
      signLiterally({
        method: 'GET',
        canonicalUri: '/v3/projects/',
        canonicalQuery: `name=${name}`,
        headers,
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        date: sdkDate(NOW),
      }),
    );
  }

  const ids = (answer: Answer): unknown[] =>
    (answer.body['projects'] as Array<{ id: string }>).map((project) => project.id);

  it('lists the project named by the region, AK/SK-signed with the keys SWR accepts', async () => {
    const iam = await lookup();
    const answer = await listByName(iam, 'cn-north-4');
    expect(answer.status).toBe(200);
    expect(answer.body['projects']).toEqual([
      expect.objectContaining({
        id: PROJECT.id,
        name: 'cn-north-4',
        enabled: true,
        domain_id: expect.any(String),
      }),
    ]);
    expect(answer.body['links']).toMatchObject({ self: `${iam.url}/v3/projects?name=cn-north-4` });
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts temporary keys with their security token', async () => {
    const iam = await lookup();
    expect((await listByName(iam, 'cn-north-4', swr.credentials.temporary)).status).toBe(200);
    const { securityToken: _dropped, ...withoutToken } = swr.credentials.temporary;
    expect((await listByName(iam, 'cn-north-4', withoutToken)).status).toBe(401);
  });

  it('lists no project for an unknown name, and several when names repeat', async () => {
    const iam = await lookup({ projects: [PROJECT, { id: 'e'.repeat(32), name: 'cn-north-4' }] });
    expect(ids(await listByName(iam, 'eu-west-101'))).toEqual([]);
    expect(ids(await listByName(iam, 'cn-north-4'))).toEqual([PROJECT.id, 'e'.repeat(32)]);
  });

  it('refuses a wrong signature and unknown keys with the gateway 401', async () => {
    const iam = await lookup();
    const wrong = await listByName(iam, 'cn-north-4', {
      ...swr.credentials.permanent,
      secretAccessKey: 'wrong',
    });
    const unknown = await listByName(iam, 'cn-north-4', { accessKeyId: 'UNKNOWNAK', secretAccessKey: 'x' });
    expect([wrong.status, wrong.body['error_code']]).toEqual([401, 'APIGW.0301']);
    expect(unknown.body['error_msg']).toBe('Incorrect IAM authentication information: Get secretKey failed');
  });

  it('refuses the listing with 403 to least-privilege users, in either error shape; /v3/auth/projects still works', async () => {
    const iam = await lookup({ denyListProjects: true });
    const denied = await listByName(iam, 'cn-north-4');
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      error_code: 'IAM.0110',
      error_msg: expect.stringMatching(/not authorized/),
    });
    iam.errorShape = 'keystone';
    expect((await listByName(iam, 'cn-north-4')).body).toEqual({
      error: { code: 403, message: expect.stringMatching(/not authorized/), title: 'Forbidden' },
    });
    expect((await get(iam, '/v3/auth/projects', { 'X-Auth-Token': swr.authToken })).status).toBe(200);
    iam.denyListProjects = false;
    expect((await listByName(iam, 'cn-north-4')).status).toBe(200);
  });

  it('lists every project of a valid token at /v3/auth/projects; refuses unknown tokens', async () => {
    const iam = await lookup();
    const answer = await get(iam, '/v3/auth/projects', { 'X-Auth-Token': swr.authToken });
    expect(answer.status).toBe(200);
    expect(ids(answer)).toEqual([PROJECT.id, 'f'.repeat(32)]);
    const unknown = await get(iam, '/v3/auth/projects', { 'X-Auth-Token': 'MIInope' });
    expect([unknown.status, unknown.body['error_code']]).toEqual([401, 'APIGW.0301']);
    expect(iam.requests).toHaveLength(2);
  });

  it('accepts its own tokens at /v3/auth/projects, unscoped ones too', async () => {
    const iam = await lookup({
      jwks: github.jwks(),
      identityProviders: [{ id: 'gh', idpUrl: ISSUER, clientId: CLIENT_ID, conditions: [] }],
      now: Date.now,
    });
    const issued = await fetch(`${iam.url}${IAM_TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'x-idp-id': 'gh', 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { id_token: { id: good() } } }),
    });
    const token = issued.headers.get('x-subject-token') ?? '';
    expect(iam.issued.get(token)?.project).toBeUndefined();
    expect((await get(iam, '/v3/auth/projects', { 'X-Auth-Token': token })).status).toBe(200);
  });
});
