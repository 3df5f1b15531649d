// The emulator must accept what Huawei's own signers produce and refuse anything else. Known-good
// requests come from the official vectors in test/fixtures/vectors (SDK output), not from the action's signer.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EXPIRE_DATE_STYLES,
  type ExpireDateStyle,
  formatExpireDate,
  type SwrEmulator,
  type SwrEmulatorOptions,
  startSwrEmulator,
  swrTransportFaults,
} from '../src/swr.ts';
import { sdkDate, signLiterally } from './gateway-signature.ts';

interface Vector {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  date: string;
  ak: string;
  sk: string;
  expected: { authorization: string };
}

const vectors = (
  JSON.parse(
    readFileSync(new URL('../../../test/fixtures/vectors/huawei-apig.json', import.meta.url), 'utf8'),
  ) as { vectors: Vector[] }
).vectors;
const secretVectors = vectors.filter((vector) => new URL(vector.url).pathname === '/v2/manage/utils/secret');

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Header names as sent (the spelling, which `headers` folds to lower case). */
  headerNames: string[];
  text: string;
  json: Record<string, unknown>;
}

/** Sends raw: path, query and headers exactly as given (Host included), to the loopback port. */
function post(
  emulator: SwrEmulator,
  pathAndQuery: string,
  headers: Record<string, string>,
  body = '',
): Promise<Reply> {
  return exchange(emulator, 'POST', pathAndQuery, headers, body);
}

function exchange(
  emulator: SwrEmulator,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  headers: Record<string, string>,
  body = '',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: emulator.port, method, path: pathAndQuery, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = {};
          }
          const headerNames = res.rawHeaders.filter((_value, index) => index % 2 === 0);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, headerNames, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function sdkDateMs(date: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m) throw new Error(date);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const running: SwrEmulator[] = [];
async function start(options: SwrEmulatorOptions = {}): Promise<SwrEmulator> {
  const emulator = await startSwrEmulator(options);
  running.push(emulator);
  return emulator;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

function forVector(vector: Vector, skewMs = 0): Promise<SwrEmulator> {
  const token = vector.headers['X-Security-Token'];
  const keys = { accessKeyId: vector.ak, secretAccessKey: vector.sk };
  return start({
    now: () => sdkDateMs(vector.date) + skewMs,
    ...(token ? { temporary: { ...keys, securityToken: token } } : keys),
  });
}

function sendVector(
  emulator: SwrEmulator,
  vector: Vector,
  authorization = vector.expected.authorization,
): Promise<Reply> {
  const url = new URL(vector.url);
  return post(
    emulator,
    `${url.pathname}${url.search}`,
    { ...vector.headers, Authorization: authorization },
    vector.body,
  );
}

describe('SWR emulator: signature verification', () => {
  it('has CreateSecret vectors', () => {
    expect(secretVectors.map((vector) => vector.id)).toEqual(
      expect.arrayContaining(['V1', 'V1b', 'V1c', 'V4', 'V5', 'V7']),
    );
  });

  it.each(secretVectors.map((vector) => [vector.id, vector] as const))(
    'accepts the official signer output of vector %s (Host as received)',
    async (_id, vector) => {
      const emulator = await forVector(vector);
      const reply = await sendVector(emulator, vector);
      expect(reply.status).not.toBe(401);
      if (vector.id === 'V2') {
        // Signature fine, but "cn north/4+…" is no project name.
        expect(reply.status).toBe(400);
      } else {
        expect(reply.status, reply.text).toBe(vector.headers['Content-Type'] ? 200 : 400);
      }
    },
  );

  it('refuses a changed signature, a changed query, a changed Host and an unknown AK with 401 APIGW.0301', async () => {
    const vector = secretVectors.find((v) => v.id === 'V1') as Vector;
    const emulator = await forVector(vector);
    const flipped = vector.expected.authorization.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const replies = [
      await sendVector(emulator, vector, flipped),
      await post(emulator, '/v2/manage/utils/secret?projectname=cn-north-1', {
        ...vector.headers,
        Authorization: vector.expected.authorization,
      }),
      await post(emulator, '/v2/manage/utils/secret?projectname=cn-north-4', {
        ...vector.headers,
        Host: 'evil.example.com',
        Authorization: vector.expected.authorization,
      }),
      await sendVector(
        emulator,
        vector,
        vector.expected.authorization.replace(vector.ak, 'UNKNOWNAK00000000000'),
      ),
    ];
    for (const reply of replies) {
      expect(reply.status).toBe(401);
      expect(reply.json['error_code']).toBe('APIGW.0301');
      expect(String(reply.json['error_msg'])).toMatch(/^Incorrect IAM authentication information: /);
      expect(reply.json['request_id']).toMatch(/^[0-9a-f]{32}$/);
      expect(reply.headers['x-request-id']).toBe(reply.json['request_id']);
    }
    expect(emulator.issued).toEqual([]);
  });

  it('refuses an X-Sdk-Date more than 15 minutes off, and accepts 14 minutes', async () => {
    const vector = secretVectors.find((v) => v.id === 'V1') as Vector;
    const late = await sendVector(await forVector(vector, 16 * 60_000), vector);
    expect(late.status).toBe(401);
    expect(String(late.json['error_msg'])).toContain('15 minutes');
    expect((await sendVector(await forVector(vector, -14 * 60_000), vector)).status).toBe(200);
  });

  it('refuses a temporary AK without its security token', async () => {
    const vector = secretVectors.find((v) => v.id === 'V7') as Vector;
    const emulator = await forVector(vector);
    const { 'X-Security-Token': _dropped, ...headers } = vector.headers;
    const url = new URL(vector.url);
    const reply = await post(emulator, `${url.pathname}${url.search}`, {
      ...headers,
      Authorization: vector.expected.authorization,
    });
    expect(reply.status).toBe(401);
  });

  it('refuses a SignedHeaders list without x-sdk-date', async () => {
    const vector = secretVectors.find((v) => v.id === 'V1') as Vector;
    const emulator = await forVector(vector);
    const reply = await sendVector(
      emulator,
      vector,
      vector.expected.authorization.replace(
        'SignedHeaders=content-type;host;x-sdk-date',
        'SignedHeaders=content-type;host',
      ),
    );
    expect(reply.status).toBe(401);
    expect(String(reply.json['error_msg'])).toContain('x-sdk-date is not signed');
  });
});

describe('SWR emulator: answers', () => {
  it('answers as docs/specs/swr.md §3: auths with base64(project@AK:password), a login header without host, expiry with microseconds', async () => {
    const emulator = await start({ now: () => Date.UTC(2025, 10, 1, 11, 18, 44, 382) });
    const reply = await post(
      emulator,
      '/v2/manage/utils/secret?projectname=cn-north-4&duration_seconds=3600',
      {
        'Content-Type': 'application/json',
        'X-Auth-Token': emulator.authToken,
      },
    );
    expect(reply.status).toBe(200);
    const auths = reply.json['auths'] as Record<string, { auth: string }>;
    expect(Object.keys(auths)).toEqual(['swr.cn-north-4.myhuaweicloud.com']);
    const [user, password] = Buffer.from(auths['swr.cn-north-4.myhuaweicloud.com']?.auth ?? '', 'base64')
      .toString()
      .split(':');
    expect(user).toMatch(/^cn-north-4@[A-Z0-9]{20}$/);
    expect(reply.headers['x-swr-dockerlogin']).toBe(`docker login -u ${user} -p ${password}`);
    expect(reply.headers['x-swr-expireat']).toBe('2025-11-01T12:18:44.382000Z');
    expect(emulator.issued).toEqual([
      {
        api: 'create-secret',
        registry: emulator.registry,
        username: user,
        password,
        projectName: 'cn-north-4',
        expiresAt: '2025-11-01T12:18:44.382000Z',
      },
    ]);
  });

  it('hands out a chosen registry, user and password; can append the host or omit the headers', async () => {
    const emulator = await start({
      registry: '127.0.0.1:5000',
      username: 'cn-north-4@FIXED',
      password: 'fixed-password',
      loginHeader: 'with-host',
      expireAt: false,
    });
    const reply = await post(emulator, '/v2/manage/utils/secret?projectname=cn-north-4', {
      'Content-Type': 'application/json;charset=utf-8',
      'X-Auth-Token': emulator.authToken,
    });
    expect(reply.json).toEqual({
      auths: {
        '127.0.0.1:5000': { auth: Buffer.from('cn-north-4@FIXED:fixed-password').toString('base64') },
      },
    });
    expect(reply.headers['x-swr-dockerlogin']).toBe(
      'docker login -u cn-north-4@FIXED -p fixed-password 127.0.0.1:5000',
    );
    expect(reply.headers['x-swr-expireat']).toBeUndefined();
  });

  it.each([
    ['duration_seconds=899', 'duration_seconds'],
    ['duration_seconds=86401', 'duration_seconds'],
    ['duration_seconds=1h', 'duration_seconds'],
    ['projectname=Bad%20Name', 'projectname'],
  ])('refuses %s with 400 and an SWR error body', async (query, what) => {
    const emulator = await start();
    const reply = await post(emulator, `/v2/manage/utils/secret?${query}`, {
      'Content-Type': 'application/json',
      'X-Auth-Token': emulator.authToken,
    });
    expect(reply.status).toBe(400);
    expect(reply.json['error_code']).toBe('SVCSTG.SWR.4000001');
    expect((reply.json['errors'] as Array<{ errorMessage: string }>)[0]?.errorMessage).toContain(what);
  });

  it('refuses a wrong IAM token and a missing Content-Type', async () => {
    const emulator = await start();
    const badToken = await post(emulator, '/v2/manage/utils/secret', {
      'Content-Type': 'application/json',
      'X-Auth-Token': 'nope',
    });
    expect(badToken.status).toBe(401);
    expect(badToken.json['error_msg']).toBe('Incorrect IAM authentication information: decrypt token fail');
    expect(
      (await post(emulator, '/v2/manage/utils/secret', { 'X-Auth-Token': emulator.authToken })).status,
    ).toBe(400);
  });

  it('throttles beyond its rate limit with 429 and Retry-After', async () => {
    const emulator = await start({ rateLimit: { burst: 2, refillPerSecond: 0.5 } });
    const headers = { 'Content-Type': 'application/json', 'X-Auth-Token': emulator.authToken };
    const statuses = [];
    let retryAfter: string | string[] | undefined;
    for (let i = 0; i < 3; i++) {
      const reply = await post(emulator, '/v2/manage/utils/secret', headers);
      statuses.push(reply.status);
      retryAfter = reply.headers['retry-after'];
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(retryAfter).toBe('2');
  });
});

describe('SWR emulator: faults', () => {
  const headers = (emulator: SwrEmulator) => ({
    'Content-Type': 'application/json',
    'X-Auth-Token': emulator.authToken,
  });

  it('serves queued transport faults (5xx, 429 + Retry-After) once each, then answers normally', async () => {
    const emulator = await start();
    emulator.faults.push(swrTransportFaults.serverError(503), swrTransportFaults.throttled(3));
    const first = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    const second = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    const third = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    expect([first.status, second.status, third.status]).toEqual([503, 429, 200]);
    expect(second.headers['retry-after']).toBe('3');
  });

  it('resets the connection', async () => {
    const emulator = await start();
    emulator.faults.push(swrTransportFaults.reset());
    await expect(post(emulator, '/v2/manage/utils/secret', headers(emulator))).rejects.toThrow();
  });

  it('answers SWR errors in both shapes and gateway errors', async () => {
    const emulator = await start();
    emulator.swrFaults.push(
      { kind: 'swr-error', status: 403, code: 'SVCSTG.SWR.4030170', message: 'Insufficient permissions' },
      {
        kind: 'swr-error',
        status: 500,
        code: 'SVCSTG.SWR.5000001',
        message: 'Internal error',
        shape: 'swr-old',
      },
      { kind: 'swr-error', status: 403, code: 'APIGW.0306', message: 'API access denied', shape: 'apigw' },
    );
    const swr = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    expect(swr.status).toBe(403);
    expect(swr.json).toMatchObject({
      error_code: 'SVCSTG.SWR.4030170',
      errors: [{ errorCode: 'SVCSTG.SWR.4030170' }],
    });
    const old = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    expect(old.json).toEqual({
      errors: [{ errorCode: 'SVCSTG.SWR.5000001', errorMessage: 'Internal error', detail: '' }],
    });
    const gateway = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    expect(gateway.json).toMatchObject({ error_code: 'APIGW.0306', request_id: expect.any(String) });
  });

  it('sends malformed JSON and hostile auths on demand', async () => {
    const emulator = await start();
    emulator.swrFaults.push(
      { kind: 'malformed-json' },
      { kind: 'hostile-auths', registry: '-H evil' },
      {
        kind: 'hostile-auths',
        username: 'evil\nuser',
      },
    );
    const malformed = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    expect(() => JSON.parse(malformed.text)).toThrow();
    const hostileHost = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    expect(Object.keys(hostileHost.json['auths'] as object)).toEqual(['-H evil']);
    const hostileUser = await post(emulator, '/v2/manage/utils/secret', headers(emulator));
    const auth = Object.values(hostileUser.json['auths'] as Record<string, { auth: string }>)[0]?.auth ?? '';
    expect(Buffer.from(auth, 'base64').toString()).toMatch(/^evil\nuser:/);
    // A line break cannot travel in a header, so only the body carries it.
    expect(hostileUser.headers['x-swr-dockerlogin']).toBeUndefined();
  });

  it('works with no options at all (demo defaults)', async () => {
    const emulator = await start();
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.accessKeyId).toBeTruthy();
    expect(emulator.secretAccessKey).toBeTruthy();
    expect(emulator.temporary.securityToken).toBeTruthy();
    expect(emulator.registry).toBe('swr.cn-north-4.myhuaweicloud.com');
  });
});

describe('SWR emulator: federated credentials', () => {
  it('accepts temporary keys its lookup knows, only with their security token and a valid signature', async () => {
    const vector = secretVectors.find((v) => v.id === 'V7') as Vector;
    const securityToken = vector.headers['X-Security-Token'] as string;
    const lookups: string[] = [];
    const lookup = (keys: { secretAccessKey: string; securityToken: string } | undefined) =>
      start({
        now: () => sdkDateMs(vector.date),
        temporaryCredentials: (accessKeyId) => {
          lookups.push(accessKeyId);
          return accessKeyId === vector.ak ? keys : undefined;
        },
      });

    const known = await lookup({ secretAccessKey: vector.sk, securityToken });
    expect((await sendVector(known, vector)).status).toBe(200);
    expect(lookups).toEqual([vector.ak]);

    const otherToken = await lookup({ secretAccessKey: vector.sk, securityToken: `${securityToken}x` });
    const tokenReply = await sendVector(otherToken, vector);
    expect(tokenReply.status).toBe(401);
    expect(tokenReply.json['error_msg']).toBe(
      'Incorrect IAM authentication information: verify security token fail',
    );

    const otherSecret = await lookup({ secretAccessKey: `${vector.sk}x`, securityToken });
    const secretReply = await sendVector(otherSecret, vector);
    expect(secretReply.status).toBe(401);
    expect(secretReply.json['error_msg']).toBe(
      'Incorrect IAM authentication information: verify aksk signature fail',
    );

    const unknown = await lookup(undefined);
    const unknownReply = await sendVector(unknown, vector);
    expect(unknownReply.status).toBe(401);
    expect(unknownReply.json['error_msg']).toBe(
      'Incorrect IAM authentication information: Get secretKey failed',
    );
  });

  it('accepts project-scoped tokens its lookup knows, refuses unscoped ones with SWR 401 and unknown ones', async () => {
    const tokens = new Map<string, { project?: unknown }>([
      ['scoped-token', { project: { id: 'p1', name: 'cn-north-4' } }],
      ['unscoped-token', {}],
    ]);
    const emulator = await start({ issuedToken: (token) => tokens.get(token) });
    const send = (token: string) =>
      post(emulator, '/v2/manage/utils/secret?projectname=cn-north-4', {
        'Content-Type': 'application/json',
        'X-Auth-Token': token,
      });

    const scoped = await send('scoped-token');
    expect(scoped.status).toBe(200);
    expect(Object.keys(scoped.json['auths'] as object)).toEqual([emulator.registry]);

    const unscoped = await send('unscoped-token');
    expect(unscoped.status).toBe(401);
    expect(unscoped.json['error_code']).toBe('SVCSTG.SWR.4010000');
    expect(unscoped.json['error_msg']).toContain('not scoped to a project');

    const unknown = await send('unknown-token');
    expect(unknown.status).toBe(401);
    expect(unknown.json['error_code']).toBe('APIGW.0301');
    expect((await send(emulator.authToken)).status).toBe(200);
    expect(emulator.issued).toHaveLength(2);
  });
});

// ---- Enterprise Edition (docs/specs/swr.md §10) and CreateAuthorizationToken (§11) ----

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const INSTANCE = '5c3ab4d1-2f7e-4a8b-9c0d-1e2f3a4b5c6d';
const NOW = Date.UTC(2026, 2, 18, 7, 47, 21);

function enterprise(options: SwrEmulatorOptions = {}): Promise<SwrEmulator> {
  return start({
    now: () => NOW,
    projectId: PROJECT,
    instances: [{ id: INSTANCE, name: 'octo-ee', accessAddress: '127.0.0.1:5000' }],
    ...options,
  });
}

/** An AK/SK-signed Enterprise request, X-Project-Id signed, canonical URI ending in '/'. */
function signedEnterprise(
  emulator: SwrEmulator,
  method: 'GET' | 'POST',
  path: string,
  overrides: { canonicalUri?: string; headers?: Record<string, string>; projectId?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Host: `127.0.0.1:${emulator.port}`,
    ...overrides.headers,
  };
  if (overrides.projectId !== null) headers['X-Project-Id'] = overrides.projectId ?? PROJECT;
  const signed = signLiterally({
    method,
    canonicalUri: overrides.canonicalUri ?? `${path}/`,
    headers,
    accessKeyId: emulator.accessKeyId,
    secretAccessKey: emulator.secretAccessKey,
    date: sdkDate(NOW),
  });
  return exchange(emulator, method, path, signed);
}

const instancePath = (project = PROJECT, instance = INSTANCE): string =>
  `/v2/${project}/instances/${instance}`;
const tempCredentialPath = (project = PROJECT, instance = INSTANCE): string =>
  `${instancePath(project, instance)}/temp-credential`;

describe('SWR emulator: ShowInstance', () => {
  it('answers 200 with id, name, status, access_address and project_id, AK/SK-signed as CreateSecret', async () => {
    const emulator = await enterprise();
    const reply = await signedEnterprise(emulator, 'GET', instancePath());
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toMatchObject({
      id: INSTANCE,
      name: 'octo-ee',
      status: 'Running',
      access_address: '127.0.0.1:5000',
      project_id: PROJECT,
    });
    expect(emulator.requests).toHaveLength(1);
  });

  it.each(['Initial', 'Creating', 'Running', 'Unavailable'])(
    'reports status %s as configured',
    async (status) => {
      const emulator = await enterprise({ instances: [{ id: INSTANCE, status }] });
      expect((await signedEnterprise(emulator, 'GET', instancePath())).json['status']).toBe(status);
    },
  );

  it('serves instances added, changed or removed after start, with defaults for what is not given', async () => {
    const emulator = await enterprise({ instances: [] });
    expect((await signedEnterprise(emulator, 'GET', instancePath())).status).toBe(404);
    emulator.instances.push({
      id: INSTANCE,
      name: 'late',
      status: 'Creating',
      accessAddress: 'https://late.example.com',
      projectId: PROJECT,
    });
    expect((await signedEnterprise(emulator, 'GET', instancePath())).json).toMatchObject({
      status: 'Creating',
      access_address: 'https://late.example.com',
    });
    const defaults = await enterprise({ instances: [{ id: INSTANCE }] });
    expect(defaults.instances[0]).toEqual({
      id: INSTANCE,
      name: 'instance-5c3ab4d1',
      status: 'Running',
      accessAddress: 'instance-5c3ab4d1.swr-ee.cn-north-4.myhuaweicloud.com',
      projectId: PROJECT,
    });
  });

  it('refuses a canonical URI without the trailing slash, an unsigned X-Project-Id and a wrong key with 401', async () => {
    const emulator = await enterprise();
    const noSlash = await signedEnterprise(emulator, 'GET', instancePath(), { canonicalUri: instancePath() });
    // Signed without X-Project-Id, sent with it.
    const unsignedProject = await exchange(emulator, 'GET', instancePath(), {
      ...signLiterally({
        method: 'GET',
        canonicalUri: `${instancePath()}/`,
        headers: { 'Content-Type': 'application/json', Host: `127.0.0.1:${emulator.port}` },
        accessKeyId: emulator.accessKeyId,
        secretAccessKey: emulator.secretAccessKey,
        date: sdkDate(NOW),
      }),
      'X-Project-Id': PROJECT,
    });
    for (const reply of [noSlash, unsignedProject]) {
      expect(reply.status).toBe(401);
      expect(reply.json['error_code']).toBe('APIGW.0301');
    }
    expect(noSlash.json['error_msg']).toBe(
      'Incorrect IAM authentication information: verify aksk signature fail',
    );
    expect(unsignedProject.json['error_msg']).toContain('x-project-id is not signed');
  });

  it('accepts a request without X-Project-Id, and refuses one naming another project than the path', async () => {
    const emulator = await enterprise();
    expect((await signedEnterprise(emulator, 'GET', instancePath(), { projectId: null })).status).toBe(200);
    const other = await signedEnterprise(emulator, 'GET', instancePath(), { projectId: 'f'.repeat(32) });
    expect(other.status).toBe(400);
    expect(other.json['error_msg']).toContain('X-Project-Id');
  });

  it('answers 404 for an unknown instance or project, in the SWR error shape with a request id', async () => {
    const emulator = await enterprise();
    const instance = await signedEnterprise(emulator, 'GET', instancePath(PROJECT, 'nope'));
    const project = await signedEnterprise(emulator, 'GET', instancePath('f'.repeat(32)), {
      projectId: 'f'.repeat(32),
    });
    expect([instance.status, project.status]).toEqual([404, 404]);
    expect(instance.json).toMatchObject({
      error_code: 'SVCSTG.SWR.4040001',
      error_msg: 'Instance nope not found',
    });
    expect(project.json['error_msg']).toBe(`Project ${'f'.repeat(32)} not found`);
    expect(instance.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('denies swr:instance:get with 403 and an encoded_authorization_message, and allows it again', async () => {
    const emulator = await enterprise({ deny: ['swr:instance:get'] });
    const denied = await signedEnterprise(emulator, 'GET', instancePath());
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({
      error_code: 'SVCSTG.SWR.4030170',
      errors: [{ errorCode: 'SVCSTG.SWR.4030170' }],
    });
    expect(String(denied.json['error_msg'])).toContain('swr:instance:get');
    expect(denied.json['encoded_authorization_message']).toMatch(/^EAM[A-Za-z0-9+/=]{500,}$/);
    // Denying one action leaves the others alone.
    expect((await signedEnterprise(emulator, 'POST', tempCredentialPath())).status).toBe(201);
    emulator.deny.length = 0;
    expect((await signedEnterprise(emulator, 'GET', instancePath())).status).toBe(200);
  });
});

describe('SWR emulator: temp-credential', () => {
  it('answers 201 with auth_token, created_at, expire_date (24 h), token_id and user_id, and records it', async () => {
    const emulator = await enterprise({
      tempCredential: { userId: 'ee-user-0001', authToken: 'ee-token-0001' },
    });
    const reply = await signedEnterprise(emulator, 'POST', tempCredentialPath());
    expect(reply.status, reply.text).toBe(201);
    expect(reply.json).toEqual({
      auth_token: 'ee-token-0001',
      created_at: '2026-03-18T07:47:21Z',
      expire_date: '2026-03-19T07:47:21Z',
      token_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: 'ee-user-0001',
    });
    expect(emulator.tempCredentials).toEqual([
      {
        instanceId: INSTANCE,
        projectId: PROJECT,
        registry: '127.0.0.1:5000',
        userId: 'ee-user-0001',
        authToken: 'ee-token-0001',
        tokenId: reply.json['token_id'],
        expireDate: '2026-03-19T07:47:21Z',
        expiresAt: '2026-03-19T07:47:21.000Z',
      },
    ]);
    expect(emulator.issued).toEqual([]);
  });

  it('hands out a fresh random user and token each time when none is configured', async () => {
    const emulator = await enterprise();
    const first = await signedEnterprise(emulator, 'POST', tempCredentialPath());
    const second = await signedEnterprise(emulator, 'POST', tempCredentialPath());
    expect(first.json['user_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(first.json['auth_token']).not.toBe(second.json['auth_token']);
  });

  const expected: Record<ExpireDateStyle, string | undefined> = {
    'rfc3339-utc': '2026-03-19T07:47:21Z',
    'rfc3339-millis': '2026-03-19T07:47:21.000Z',
    'rfc3339-offset': '2026-03-19T15:47:21+08:00',
    'no-zone': '2026-03-19T07:47:21',
    'space-no-zone': '2026-03-19 07:47:21',
    'epoch-seconds': String(NOW / 1000 + 86400),
    absent: undefined,
  };
  it.each(EXPIRE_DATE_STYLES.map((style) => [style, expected[style]] as const))(
    'writes expire_date in the %s style as %s',
    async (style, value) => {
      const emulator = await enterprise({ expireDateStyle: style });
      const reply = await signedEnterprise(emulator, 'POST', tempCredentialPath());
      expect(reply.status).toBe(201);
      expect(reply.json['expire_date']).toBe(value);
      expect('expire_date' in reply.json).toBe(value !== undefined);
      expect(formatExpireDate(NOW + 86400_000, style)).toBe(value);
    },
  );

  it('accepts a project-scoped token; refuses unscoped and unknown tokens and a missing Content-Type', async () => {
    const emulator = await enterprise({ issuedToken: (token) => (token === 'unscoped' ? {} : undefined) });
    const send = (headers: Record<string, string>) =>
      exchange(emulator, 'POST', tempCredentialPath(), headers);
    const json = { 'Content-Type': 'application/json' };
    expect((await send({ ...json, 'X-Auth-Token': emulator.authToken })).status).toBe(201);
    const unscoped = await send({ ...json, 'X-Auth-Token': 'unscoped' });
    expect([unscoped.status, unscoped.json['error_code']]).toEqual([401, 'SVCSTG.SWR.4010000']);
    const unknown = await send({ ...json, 'X-Auth-Token': 'unknown' });
    expect([unknown.status, unknown.json['error_code']]).toEqual([401, 'APIGW.0301']);
    expect((await send({ 'X-Auth-Token': emulator.authToken })).status).toBe(400);
    expect(emulator.tempCredentials).toHaveLength(1);
  });

  it('accepts temporary keys with their security token (signed)', async () => {
    const emulator = await enterprise();
    const { accessKeyId, secretAccessKey, securityToken } = emulator.temporary;
    const path = tempCredentialPath();
    const headers = signLiterally({
      method: 'POST',
      canonicalUri: `${path}/`,
      headers: {
        'Content-Type': 'application/json',
        Host: `127.0.0.1:${emulator.port}`,
        'X-Project-Id': PROJECT,
        'X-Security-Token': securityToken,
      },
      accessKeyId,
      secretAccessKey,
      date: sdkDate(NOW),
    });
    expect((await exchange(emulator, 'POST', path, headers)).status).toBe(201);
  });

  it('denies swr:instance:createTempCredential with 403 and an encoded_authorization_message', async () => {
    const emulator = await enterprise({ deny: ['swr:instance:createTempCredential'] });
    const reply = await signedEnterprise(emulator, 'POST', tempCredentialPath());
    expect(reply.status).toBe(403);
    expect(reply.json['encoded_authorization_message']).toEqual(expect.any(String));
    expect(emulator.tempCredentials).toEqual([]);
  });
});

describe('SWR emulator: CreateAuthorizationToken', () => {
  const path = '/v2/manage/utils/authorizationtoken';
  const tokenHeaders = (emulator: SwrEmulator) => ({
    'Content-Type': 'application/json',
    'X-Auth-Token': emulator.authToken,
  });

  it('answers like CreateSecret with a bearertoken@ user and a lower-case x-swr-expireat', async () => {
    const emulator = await start({ now: () => Date.UTC(2024, 11, 25, 11, 22, 50, 769) });
    const reply = await post(emulator, path, tokenHeaders(emulator));
    expect(reply.status).toBe(200);
    const auth = (reply.json['auths'] as Record<string, { auth: string }>)[emulator.registry]?.auth ?? '';
    const [user, password] = Buffer.from(auth, 'base64').toString().split(':');
    expect(user).toMatch(/^bearertoken@[A-Z0-9]{20}$/);
    expect(reply.headers['x-swr-dockerlogin']).toBe(`docker login -u ${user} -p ${password}`);
    expect(reply.headerNames).toContain('x-swr-expireat');
    expect(reply.headerNames).not.toContain('X-Swr-Expireat');
    expect(reply.headers['x-swr-expireat']).toBe('2024-12-26T11:22:50.769Z');
    expect(emulator.issued).toEqual([
      {
        api: 'create-authorization-token',
        registry: emulator.registry,
        username: user,
        password,
        projectName: '',
        expiresAt: '2024-12-26T11:22:50.769Z',
      },
    ]);
    // CreateSecret spells its headers as documented.
    const secret = await post(emulator, '/v2/manage/utils/secret', tokenHeaders(emulator));
    expect(secret.headerNames).toEqual(expect.arrayContaining(['X-Swr-Expireat', 'X-Swr-Dockerlogin']));
  });

  it('hands out a configured user and password, AK/SK-signed like CreateSecret', async () => {
    const emulator = await start({
      now: () => NOW,
      authorizationToken: { username: 'bearertoken@FIXED', password: 'fixed-bearer' },
    });
    const headers = signLiterally({
      method: 'POST',
      canonicalUri: `${path}/`,
      headers: { 'Content-Type': 'application/json', Host: `127.0.0.1:${emulator.port}` },
      accessKeyId: emulator.accessKeyId,
      secretAccessKey: emulator.secretAccessKey,
      date: sdkDate(NOW),
    });
    const reply = await post(emulator, path, headers);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toEqual({
      auths: {
        [emulator.registry]: { auth: Buffer.from('bearertoken@FIXED:fixed-bearer').toString('base64') },
      },
    });
    const tampered = await post(emulator, path, { ...headers, 'X-Sdk-Date': sdkDate(NOW + 1000) });
    expect(tampered.status).toBe(401);
  });

  it('refuses query parameters (it has no projectname or duration_seconds)', async () => {
    const emulator = await start();
    const reply = await post(emulator, `${path}?projectname=cn-north-4`, tokenHeaders(emulator));
    expect(reply.status).toBe(400);
    expect(emulator.issued).toEqual([]);
  });

  it('denies swr::createAuthorizationToken with 403 and an encoded_authorization_message', async () => {
    const emulator = await start({ deny: ['swr::createAuthorizationToken'] });
    const reply = await post(emulator, path, tokenHeaders(emulator));
    expect(reply.status).toBe(403);
    expect(reply.json['encoded_authorization_message']).toEqual(expect.any(String));
    expect((await post(emulator, '/v2/manage/utils/secret', tokenHeaders(emulator))).status).toBe(200);
  });
});

describe('SWR emulator: faults on the new APIs', () => {
  const tokenHeaders = (emulator: SwrEmulator) => ({
    'Content-Type': 'application/json',
    'X-Auth-Token': emulator.authToken,
  });

  it('consumes a fault aimed at one API only on a request to that API', async () => {
    const emulator = await enterprise();
    emulator.swrFaults.push({
      api: 'create-temp-credential',
      kind: 'swr-error',
      status: 404,
      code: 'SVCSTG.SWR.4040001',
      message: 'Instance not found',
      encodedAuthorizationMessage: true,
    });
    const show = await exchange(emulator, 'GET', instancePath(), tokenHeaders(emulator));
    expect(show.status).toBe(200);
    const temp = await exchange(emulator, 'POST', tempCredentialPath(), tokenHeaders(emulator));
    expect(temp.status).toBe(404);
    expect(temp.json['encoded_authorization_message']).toEqual(expect.any(String));
    expect(emulator.swrFaults).toEqual([]);
  });

  it('answers a 401 with an encoded_authorization_message on demand', async () => {
    const emulator = await enterprise();
    emulator.swrFaults.push({
      kind: 'swr-error',
      status: 401,
      code: 'SVCSTG.SWR.4010000',
      message: 'Authenticate failed',
      encodedAuthorizationMessage: true,
    });
    const reply = await exchange(emulator, 'GET', instancePath(), tokenHeaders(emulator));
    expect(reply.status).toBe(401);
    expect(reply.json['encoded_authorization_message']).toEqual(expect.any(String));
  });

  it('sends hostile instances and credentials, and malformed JSON', async () => {
    const emulator = await enterprise();
    emulator.swrFaults.push(
      {
        api: 'show-instance',
        kind: 'hostile-instance',
        accessAddress: '-H evil\nhost',
        status: '::error::x',
      },
      {
        api: 'create-temp-credential',
        kind: 'hostile-credential',
        userId: '--password=x',
        authToken: 'a\nb',
      },
      { api: 'create-temp-credential', kind: 'malformed-json' },
    );
    const show = await exchange(emulator, 'GET', instancePath(), tokenHeaders(emulator));
    expect(show.json).toMatchObject({ access_address: '-H evil\nhost', status: '::error::x' });
    const temp = await exchange(emulator, 'POST', tempCredentialPath(), tokenHeaders(emulator));
    expect(temp.json).toMatchObject({ user_id: '--password=x', auth_token: 'a\nb' });
    const malformed = await exchange(emulator, 'POST', tempCredentialPath(), tokenHeaders(emulator));
    expect(malformed.status).toBe(201);
    expect(() => JSON.parse(malformed.text)).toThrow();
  });

  it('answers a wrong method on a known path with 404 and records every request', async () => {
    const emulator = await enterprise();
    const reply = await exchange(
      emulator,
      'GET',
      '/v2/manage/utils/authorizationtoken',
      tokenHeaders(emulator),
    );
    expect(reply.status).toBe(404);
    expect(emulator.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /v2/manage/utils/authorizationtoken',
    ]);
  });
});
