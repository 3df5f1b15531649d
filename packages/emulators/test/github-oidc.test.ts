// The token endpoint must serve exactly what @actions/core's getIDToken asks for, and its tokens
// must verify against the published JWKS with node:crypto alone (not through the emulators' jwt.ts).
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { getIDToken } from '@actions/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GithubOidcEmulator, githubOidcEnv, startGithubOidcEmulator } from '../src/github-oidc.ts';

let github: GithubOidcEmulator;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

beforeAll(async () => {
  github = await startGithubOidcEmulator({ now: () => NOW });
});
afterAll(() => github.close());
afterEach(() => {
  github.tokenOptions = {};
});

function parts(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, claims };
}

/** An independent RS256 check: the JWK named by kid, node:crypto's verify. */
function verifiesWith(token: string, keys: JsonWebKey[]): boolean {
  const [head, body, signature] = token.split('.') as [string, string, string];
  const { kid } = JSON.parse(Buffer.from(head, 'base64url').toString()) as { kid: string };
  const jwk = keys.find((key) => key.kid === kid);
  if (!jwk) return false;
  return verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
}

async function fetchJwks(): Promise<JsonWebKey[]> {
  const response = await fetch(github.jwksUrl);
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: JsonWebKey[] }).keys;
}

/** Runs the real toolkit call with the env a job with `id-token: write` gets. */
async function toolkitToken(audience?: string): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, githubOidcEnv(github));
  try {
    return await getIDToken(audience);
  } finally {
    for (const name of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

describe('GitHub OIDC token emulator', () => {
  it("serves @actions/core getIDToken: the request URL, '&audience=' and the bearer request token", async () => {
    const before = github.requests.length;
    const token = await toolkitToken('huaweicloud:sts');
    const request = github.requests[before];
    expect(request?.method).toBe('GET');
    expect(request?.url).toMatch(/\/idtoken\?api-version=2\.0&audience=huaweicloud%3Asts$/);
    expect(request?.headers.authorization).toBe(`Bearer ${github.requestToken}`);
    expect(parts(token).claims['aud']).toBe('huaweicloud:sts');
  });

  it("issues RS256 JWTs with a kid and GitHub's claims", async () => {
    const { header, claims } = parts(await toolkitToken('sts.example'));
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(typeof header['kid']).toBe('string');
    const iat = Math.floor(NOW / 1000);
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.example',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      repository: 'octo-org/octo-repo',
      repository_owner: 'octo-org',
      repository_id: '74',
      ref: 'refs/heads/main',
      sha: github.run.sha,
      workflow: 'release',
      job_workflow_ref: 'octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main',
      run_id: github.run.runId,
      run_attempt: '1',
      actor: 'octocat',
      event_name: 'push',
      iat,
      exp: iat + 300,
    });
    expect(claims['nbf']).toBeLessThanOrEqual(iat);
    expect(claims['jti']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses https://github.com/<owner> as the audience when none is asked for, as GitHub does', async () => {
    const before = github.requests.length;
    const token = await toolkitToken();
    expect(github.requests[before]?.url).not.toContain('audience');
    expect(parts(token).claims['aud']).toBe('https://github.com/octo-org');
  });

  it('signs tokens that verify against the published JWKS', async () => {
    const keys = await fetchJwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    expect(verifiesWith(await toolkitToken('a'), keys)).toBe(true);
  });

  it('can sign with a foreign key under the published kid, which the JWKS rejects', async () => {
    github.tokenOptions = { foreignKey: true };
    const token = await toolkitToken('a');
    expect(parts(token).header['kid']).toBe((await fetchJwks())[0]?.kid);
    expect(verifiesWith(token, await fetchJwks())).toBe(false);
  });

  it('can issue an expired token', async () => {
    github.tokenOptions = { expired: true };
    const { claims } = parts(await toolkitToken('a'));
    expect(claims['exp']).toBeLessThan(Math.floor(NOW / 1000));
  });

  it('can issue another subject or repository, or drop a claim', async () => {
    github.tokenOptions = {
      claims: { sub: 'repo:evil/fork:pull_request', repository: 'evil/fork', sha: undefined },
    };
    const { claims } = parts(await toolkitToken('a'));
    expect(claims).toMatchObject({ sub: 'repo:evil/fork:pull_request', repository: 'evil/fork' });
    expect(claims).not.toHaveProperty('sha');
  });

  it("uses GitHub's sub forms for environments and pull requests", async () => {
    const env = await startGithubOidcEmulator({ run: { environment: 'production' } });
    const pr = await startGithubOidcEmulator({ run: { eventName: 'pull_request' } });
    try {
      expect(parts(env.issueToken()).claims['sub']).toBe('repo:octo-org/octo-repo:environment:production');
      expect(parts(pr.issueToken()).claims['sub']).toBe('repo:octo-org/octo-repo:pull_request');
    } finally {
      await Promise.all([env.close(), pr.close()]);
    }
  });

  it('refuses a wrong request token with 401, which getIDToken reports', async () => {
    const response = await fetch(`${github.requestUrl}&audience=a`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(response.status).toBe(401);
    const saved = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = github.requestUrl;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'wrong';
    try {
      await expect(getIDToken('a')).rejects.toThrow(/401/);
    } finally {
      delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
      if (saved === undefined) delete process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
      else process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = saved;
    }
  });

  it('records every token it hands out over HTTP', async () => {
    const before = github.issued.length;
    const token = await toolkitToken('recorded');
    expect(github.issued.slice(before)).toEqual([expect.objectContaining({ audience: 'recorded', token })]);
  });

  it('binds loopback only', () => {
    expect(new URL(github.url).hostname).toBe('127.0.0.1');
  });
});
