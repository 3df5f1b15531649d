// The IAM (route A) and STS (route B) clients, driven through core's real HTTP transport against
// the loopback emulators, and through injected transports for answers the emulators do not give.

import { getIDToken } from '@actions/core';
import {
  createHttpTransport,
  type HttpRequest,
  type HttpResponse,
  responseOf,
  type SendOptions,
  type ServiceError,
  setMaskFunction,
  type Transport,
} from '@cloudcreds/core';
import {
  type GithubOidcEmulator,
  githubOidcEnv,
  startGithubOidcEmulator,
} from '@cloudcreds/emulators/github-oidc';
import { type HuaweiIamEmulator, startHuaweiIamEmulator } from '@cloudcreds/emulators/huawei-iam';
import { type HuaweiStsEmulator, startHuaweiStsEmulator } from '@cloudcreds/emulators/huawei-sts';
import { rejectedServiceError } from '@cloudcreds/harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createIamTokenRequest,
  exchangeIdTokenForIamToken,
  readIamTokenAnswer,
} from '../src/federation/iam.ts';
import { fetchIdToken, type IdToken, readClaims } from '../src/federation/id-token.ts';
import {
  assumeAgencyWithOidc,
  createAssumeAgencyRequest,
  readAssumeAgencyAnswer,
  sessionName,
} from '../src/federation/sts.ts';

const ISSUER = 'https://token.actions.githubusercontent.com';
const IAM_AUDIENCE = 'huaweicloud-iam';
const STS_AUDIENCE = 'huaweicloud-sts';
const PROVIDER = 'iam::0a1b2c3d:identity-provider:github';
const AGENCY = 'iam::0a1b2c3d:agency:swr-pusher';

let github: GithubOidcEmulator;
let iam: HuaweiIamEmulator;
let sts: HuaweiStsEmulator;
let masks: string[];
const transport = createHttpTransport({ userAgent: 'federation-test' });
const sendOptions: SendOptions = { transport, maxAttempts: 1, timeoutMs: 5000 };

beforeAll(async () => {
  github = await startGithubOidcEmulator();
  iam = await startHuaweiIamEmulator({
    jwksProvider: () => github.jwks(),
    identityProviders: [
      {
        id: 'github-actions',
        idpUrl: ISSUER,
        clientId: IAM_AUDIENCE,
        conditions: [{ claim: 'sub', like: ['repo:octo-org/octo-repo:*'] }],
      },
    ],
    projects: [{ id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', name: 'cn-north-4' }],
  });
  sts = await startHuaweiStsEmulator({
    providers: [
      { urn: PROVIDER, issuer: ISSUER, clientIds: [STS_AUDIENCE], jwksProvider: () => github.jwks() },
    ],
    agencies: [
      {
        urn: AGENCY,
        trustedProviders: [PROVIDER],
        conditions: { 'oidc:sub': ['repo:octo-org/octo-repo:ref:refs/heads/main'] },
      },
    ],
  });
});
afterAll(() => Promise.all([github.close(), iam.close(), sts.close()]));
beforeEach(() => {
  masks = [];
  setMaskFunction((value) => masks.push(value));
});
afterEach(() => {
  github.tokenOptions = {};
  setMaskFunction(() => {});
});

/** The ID token as the action will get it: through the real toolkit call against the emulator. */
async function idToken(audience: string): Promise<IdToken> {
  const env = githubOidcEnv(github);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fetchIdToken(
      (aud) => getIDToken(aud),
      {
        requestUrl: env['ACTIONS_ID_TOKEN_REQUEST_URL'],
        requestToken: env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
      },
      audience,
    );
  } finally {
    for (const name of Object.keys(env)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

function scripted(answer: HttpResponse): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const fake: Transport = async (request) => {
    requests.push(request);
    return answer;
  };
  return Object.assign(fake, { requests });
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return responseOf(status, headers, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

describe('route A: IAM CreateTokenWithIdToken', () => {
  const endpoint = (): URL => new URL(iam.url);
  const exchange = (token: IdToken, project: { name: string } | { id: string } = { name: 'cn-north-4' }) =>
    exchangeIdTokenForIamToken(
      { endpoint: endpoint(), identityProvider: 'github-actions', idToken: token, project },
      sendOptions,
    );

  it('builds the documented request', () => {
    const request = createIamTokenRequest({
      endpoint: new URL('https://iam.cn-north-4.myhuaweicloud.com'),
      identityProvider: 'github-actions',
      idToken: 'a.b.c',
      project: { id: 'p1' },
    });
    expect(request).toEqual({
      method: 'POST',
      url: 'https://iam.cn-north-4.myhuaweicloud.com/v3.0/OS-AUTH/id-token/tokens',
      headers: { 'Content-Type': 'application/json;charset=utf8', 'X-Idp-Id': 'github-actions' },
      body: '{"auth":{"id_token":{"id":"a.b.c"},"scope":{"project":{"id":"p1"}}}}',
    });
  });

  it('exchanges a GitHub ID token for a project-scoped IAM token and masks it on arrival', async () => {
    const token = await idToken(IAM_AUDIENCE);
    const result = await exchange(token);
    expect(iam.isIssuedToken(result.token)).toBe(true);
    expect(iam.issued.get(result.token)?.project?.name).toBe('cn-north-4');
    expect(Date.parse(result.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(masks).toContain(token.token);
    expect(masks).toContain(result.token);
    expect(masks.indexOf(token.token)).toBeLessThan(masks.indexOf(result.token));
    const sent = iam.requests.at(-1);
    expect(sent?.headers['x-idp-id']).toBe('github-actions');
  });

  it('scopes by project id too', async () => {
    const result = await exchange(await idToken(IAM_AUDIENCE), { id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' });
    expect(iam.issued.get(result.token)?.project?.id).toBe('f0e1d2c3b4a5968778695a4b3c2d1e0f');
  });

  const refusals: Array<[string, () => Promise<unknown>, number, RegExp]> = [
    [
      'a wrong audience',
      async () => exchange(await idToken('sts.amazonaws.com')),
      401,
      /client_id must equal the token's aud \(sts\.amazonaws\.com\), or set 'audience' to its client_id/,
    ],
    [
      'an expired token',
      async () => {
        github.tokenOptions = { expired: true };
        return exchange(await idToken(IAM_AUDIENCE));
      },
      401,
      /ID token was expired when it arrived \(exp \d{4}-/,
    ],
    [
      'a foreign signature',
      async () => {
        github.tokenOptions = { foreignKey: true };
        return exchange(await idToken(IAM_AUDIENCE));
      },
      401,
      /signing_key .* paste GitHub's current JWKS/,
    ],
    [
      'another issuer',
      async () => {
        github.tokenOptions = { claims: { iss: 'https://gitlab.com' } };
        return exchange(await idToken(IAM_AUDIENCE));
      },
      401,
      /idp_url must be exactly https:\/\/gitlab\.com/,
    ],
    [
      'a subject outside the mapping rule',
      async () => {
        github.tokenOptions = { claims: { sub: 'repo:evil/fork:pull_request' } };
        return exchange(await idToken(IAM_AUDIENCE));
      },
      403,
      /No mapping rule .* admits this workflow \(the token has .*sub repo:evil\/fork:pull_request\)/,
    ],
    [
      'an unknown identity provider',
      async () =>
        exchangeIdTokenForIamToken(
          {
            endpoint: endpoint(),
            identityProvider: 'nope',
            idToken: await idToken(IAM_AUDIENCE),
            project: { name: 'cn-north-4' },
          },
          sendOptions,
        ),
      404,
      /IAM does not know the identity provider 'nope'/,
    ],
    [
      'an unknown project',
      async () => exchange(await idToken(IAM_AUDIENCE), { name: 'la-south-2' }),
      404,
      /'project-name' \/ 'project-id'/,
    ],
  ];

  it.each(refusals)('names the cause of %s', async (_what, run, status, hint) => {
    const error = await rejectedServiceError(run());
    expect(error.failure.status).toBe(status);
    expect(error.failure.code).toMatch(/^IAM\.\d{4}$/);
    expect(error.failure.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(error.message).toMatch(
      /^IAM \(127\.0\.0\.1:\d+\) answered HTTP \d{3} with error code IAM\.\d{4}: "/,
    );
    expect(error.message).toMatch(hint);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  it("reads Keystone's {error:{code,message,title}} shape", async () => {
    iam.errorShape = 'keystone';
    try {
      const error = await rejectedServiceError(exchange(await idToken('wrong')));
      expect(error.failure).toMatchObject({
        status: 401,
        message: expect.stringMatching(/^Unauthorized: The audience/),
      });
      expect(error.failure.code).toBeUndefined();
      expect(error.message).toMatch(/client_id must equal/);
    } finally {
      iam.errorShape = 'iam';
    }
  });

  it('falls back to naming every likely mismatch when the message names none', () => {
    const claims = readClaims(github.issueToken('aud-x')) ?? {};
    const error = (() => {
      try {
        readIamTokenAnswer(reply(401, { error_msg: 'Authentication failed.', error_code: 'IAM.0001' }), {
          host: 'iam.cn-north-4.myhuaweicloud.com',
          identityProvider: 'gh',
          claims,
          now: Date.now(),
        });
      } catch (caught) {
        return caught as ServiceError;
      }
      throw new Error('expected a failure');
    })();
    expect(error.message).toMatch(
      /^IAM \(iam\.cn-north-4\.myhuaweicloud\.com\) answered HTTP 401 with error code IAM\.0001: "Authentication failed\."\. IAM refused the ID token \(the token has iss https:\/\/token\.actions\.githubusercontent\.com, aud aud-x, sub repo:octo-org\/octo-repo:ref:refs\/heads\/main\): check the idp_url .*client_id .*signing_key .*mapping rules .* of the identity provider 'gh'\.$/,
    );
  });

  it.each([
    [
      'a 201 without X-Subject-Token',
      reply(201, { token: { expires_at: '2026-01-01T00:00:00.000000Z' } }),
      /^IAM \(127\.0\.0\.1:9\) answered HTTP 201, but it carries no token in X-Subject-Token\.$/,
    ],
    [
      'a 201 without expires_at',
      reply(201, { token: {} }, { 'x-subject-token': 'MIItoken' }),
      /answered HTTP 201, but its body has no readable token\.expires_at\.$/,
    ],
    [
      'a token with a line break',
      reply(
        201,
        { token: { expires_at: '2026-01-01T00:00:00Z' } },
        { 'x-subject-token': 'MII\r\nX-Evil: 1' },
      ),
      /whitespace or control characters/,
    ],
    [
      'an HTML 502 from a proxy',
      reply(502, '<html>Bad Gateway</html>'),
      /HTTP 502: "<html>Bad Gateway<\/html>"\. .*try again later/,
    ],
  ])('refuses %s', async (_what, answer, message) => {
    const fake = scripted(answer);
    const error = await rejectedServiceError(
      exchangeIdTokenForIamToken(
        {
          endpoint: new URL('http://127.0.0.1:9'),
          identityProvider: 'gh',
          idToken: { token: 'a.b.c', claims: {} },
          project: { name: 'cn-north-4' },
        },
        { transport: fake, maxAttempts: 1, timeoutMs: 1000 },
      ),
    );
    expect(error.message).toMatch(message);
    expect(masks).toEqual([]);
  });

  it('reads the microsecond expiry IAM writes', () => {
    expect(
      readIamTokenAnswer(
        reply(201, { token: { expires_at: '2023-06-28T08:56:33.710000Z' } }, { 'x-subject-token': 'MIIx' }),
        {
          host: 'iam.cn-north-4.myhuaweicloud.com',
          identityProvider: 'gh',
          now: 0,
        },
      ),
    ).toEqual({ token: 'MIIx', expiresAt: '2023-06-28T08:56:33.710Z' });
  });
});

describe('route B: STS AssumeAgencyWithOIDC', () => {
  const name = sessionName('10386912345', '2');
  const assume = (token: IdToken, agencyUrn = AGENCY, providerUrn = PROVIDER) =>
    assumeAgencyWithOidc(
      { endpoint: new URL(sts.url), idToken: token, providerUrn, agencyUrn, sessionName: name },
      sendOptions,
    );

  it('builds the documented, unsigned request with the minimum duration', () => {
    const request = createAssumeAgencyRequest({
      endpoint: new URL('https://sts.cn-north-4.myhuaweicloud.com'),
      idToken: 'a.b.c',
      providerUrn: PROVIDER,
      agencyUrn: AGENCY,
      sessionName: name,
    });
    expect(request.url).toBe('https://sts.cn-north-4.myhuaweicloud.com/v5/agencies/assume-with-oidc');
    expect(request.headers).toEqual({ 'Content-Type': 'application/json;charset=utf8' });
    expect(JSON.parse(request.body ?? '')).toEqual({
      id_token: 'a.b.c',
      provider_urn: PROVIDER,
      agency_urn: AGENCY,
      agency_session_name: 'swr-login-10386912345-2',
      duration_seconds: 900,
    });
  });

  it('returns temporary AK/SK and security token, each masked on arrival', async () => {
    const token = await idToken(STS_AUDIENCE);
    const credentials = await assume(token);
    const issued = sts.findCredentials(credentials.accessKeyId);
    expect(issued).toMatchObject({
      secretAccessKey: credentials.secretAccessKey,
      securityToken: credentials.securityToken,
      sessionName: 'swr-login-10386912345-2',
    });
    const lifetime = Date.parse(credentials.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(890_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    for (const secret of [
      token.token,
      credentials.accessKeyId,
      credentials.secretAccessKey,
      credentials.securityToken,
    ]) {
      expect(masks).toContain(secret);
    }
    expect(sts.requests.at(-1)?.headers['authorization']).toBeUndefined();
  });

  const refusals: Array<[string, () => Promise<unknown>, number, RegExp]> = [
    [
      'a wrong audience',
      async () => assume(await idToken('huaweicloud-iam')),
      400,
      /aud \(huaweicloud-iam\) is not a client id of the OIDC provider/,
    ],
    [
      'an expired token',
      async () => {
        github.tokenOptions = { expired: true };
        return assume(await idToken(STS_AUDIENCE));
      },
      400,
      /ID token was expired when it arrived/,
    ],
    [
      'a foreign signature',
      async () => {
        github.tokenOptions = { foreignKey: true };
        return assume(await idToken(STS_AUDIENCE));
      },
      400,
      /signature does not verify with the OIDC provider's keys/,
    ],
    [
      'another issuer',
      async () => {
        github.tokenOptions = { claims: { iss: 'https://gitlab.com' } };
        return assume(await idToken(STS_AUDIENCE));
      },
      400,
      /provider .* has another URL: it must be exactly https:\/\/gitlab\.com/,
    ],
    [
      'a branch outside oidc:sub',
      async () => {
        github.tokenOptions = { claims: { sub: 'repo:octo-org/octo-repo:ref:refs/heads/dev' } };
        return assume(await idToken(STS_AUDIENCE));
      },
      403,
      /trust policy of 'iam::0a1b2c3d:agency:swr-pusher' does not admit this workflow \(.*sub repo:octo-org\/octo-repo:ref:refs\/heads\/dev\): allow its sub in the oidc:sub condition/,
    ],
    [
      'an unknown provider',
      async () => assume(await idToken(STS_AUDIENCE), AGENCY, `${PROVIDER}x`),
      404,
      /STS does not know 'iam::0a1b2c3d:identity-provider:githubx': check 'provider-urn'/,
    ],
    [
      'an unknown agency',
      async () => assume(await idToken(STS_AUDIENCE), `${AGENCY}x`),
      404,
      /STS does not know 'iam::0a1b2c3d:agency:swr-pusherx': check 'agency-urn'/,
    ],
  ];

  it.each(refusals)('names the cause of %s', async (_what, run, status, hint) => {
    const error = await rejectedServiceError(run());
    expect(error.failure.status).toBe(status);
    expect(error.failure.code).toMatch(/^STS5\.\d{4}$/);
    expect(error.failure.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(error.message).toMatch(
      /^STS \(127\.0\.0\.1:\d+\) answered HTTP \d{3} with error code STS5\.\d{4}: ".*" \(request id [0-9a-f]{32}\)\. /,
    );
    expect(error.message).toMatch(hint);
  });

  it.each([
    [
      'a 200 without credentials',
      reply(200, { assumed_agency: {} }),
      /answered HTTP 200, but its body lacks access_key_id, secret_access_key or security_token in "credentials"\.$/,
    ],
    ['a 200 that is not JSON', reply(200, 'ok'), /answered HTTP 200, but the body is not valid JSON/],
    [
      'credentials without a readable expiration',
      reply(200, {
        credentials: {
          access_key_id: 'AK',
          secret_access_key: 'SK',
          security_token: 'ST',
          expiration: 'soon',
        },
      }),
      /expiration/,
    ],
    [
      'a security token with a line break',
      reply(200, {
        credentials: {
          access_key_id: 'AK',
          secret_access_key: 'SK',
          security_token: 'ST\nX',
          expiration: '2026-01-01T00:00:00Z',
        },
      }),
      /whitespace or control characters/,
    ],
    [
      'a 429',
      reply(429, { error_msg: 'too many requests', error_code: 'STS5.0429' }),
      /HTTP 429 with error code STS5\.0429: "too many requests"\. .*throttling/,
    ],
  ])('refuses %s without masking or returning anything', async (_what, answer, message) => {
    const error = await rejectedServiceError(
      assumeAgencyWithOidc(
        {
          endpoint: new URL('http://127.0.0.1:9'),
          idToken: { token: 'a.b.c', claims: {} },
          providerUrn: PROVIDER,
          agencyUrn: AGENCY,
          sessionName: name,
        },
        { transport: scripted(answer), maxAttempts: 1, timeoutMs: 1000 },
      ),
    );
    expect(error.message).toMatch(message);
    expect(masks).toEqual([]);
  });

  it('reads the credentials of a well-formed answer', () => {
    expect(
      readAssumeAgencyAnswer(
        reply(200, {
          credentials: {
            access_key_id: 'AK',
            secret_access_key: 'SK',
            security_token: 'ST',
            expiration: '2026-01-01T00:15:00.000Z',
          },
        }),
        { host: 'sts.cn-north-4.myhuaweicloud.com', providerUrn: PROVIDER, agencyUrn: AGENCY, now: 0 },
      ),
    ).toEqual({
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      securityToken: 'ST',
      expiresAt: '2026-01-01T00:15:00.000Z',
    });
  });
});
