// The emulator must accept what Huawei's own signers produce and refuse anything else. Known-good
// requests come from the official vectors in test/fixtures/vectors (SDK output), not from the action's signer.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type SwrEmulator,
  type SwrEmulatorOptions,
  startSwrEmulator,
  swrTransportFaults,
} from '../src/swr.ts';

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
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: emulator.port, method: 'POST', path: pathAndQuery, headers },
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
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
  it('answers as swr.md §3: auths with base64(project@AK:password), a login header without host, expiry with microseconds', async () => {
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
