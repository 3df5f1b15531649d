import { createPublicKey, verify } from 'node:crypto';
import { connect } from 'node:net';
import { createHttpTransport } from '@cloudcreds/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clientIp,
  goDurationMs,
  LOCKOUT,
  type ServiceCenterEmulator,
  type ServiceCenterOptions,
  serviceCenterFaults,
  startBlackHoleNode,
  startServiceCenterEmulator,
} from '../src/service-center.ts';

const started: ServiceCenterEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function emulator(options: ServiceCenterOptions = {}): Promise<ServiceCenterEmulator> {
  const server = await startServiceCenterEmulator({ tls: false, ...options });
  started.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

async function call(
  server: ServiceCenterEmulator,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

const loginAs = (server: ServiceCenterEmulator, body: unknown, headers: Record<string, string> = {}) =>
  call(server, '/v4/token', { body: JSON.stringify(body), headers });

function decodeSegment(segment: string | undefined): unknown {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
}

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2025, 0, 1, 9, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('service-center emulator: POST /v4/token', () => {
  it('works with no options: HTTPS from its own CA, a demo account, an RS512 JWT with exactly account/exp/roles, 12 h', async () => {
    const server = await startServiceCenterEmulator();
    started.push(server);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.username).toBe('root');
    expect(server.password.length).toBeGreaterThan(8);
    const transport = createHttpTransport({ userAgent: 'test', ca: server.ca?.certPem });
    const before = Math.floor(Date.now() / 1000);
    const response = await transport(
      {
        method: 'POST',
        url: `${server.url}/v4/token`,
        body: JSON.stringify({ name: server.username, password: server.password }),
      },
      { timeoutMs: 5000 },
    );
    expect(response.status).toBe(200);
    expect(response.header('server')).toMatch(/^SERVICECENTER\//);
    expect(response.header('content-type')).toBe('application/json; charset=UTF-8');
    const { token } = JSON.parse(response.body.toString()) as { token: string };
    const [header, payload, signature] = token.split('.');
    expect(decodeSegment(header)).toEqual({ alg: 'RS512', typ: 'JWT' });
    const claims = decodeSegment(payload) as Record<string, unknown>;
    expect(Object.keys(claims)).toEqual(['account', 'exp', 'roles']);
    expect(claims).toMatchObject({ account: 'root', roles: ['admin'] });
    expect(claims['exp']).toBeGreaterThanOrEqual(before + 12 * 3600);
    expect(claims['exp']).toBeLessThanOrEqual(before + 12 * 3600 + 5);
    const signed = verify(
      'sha512',
      Buffer.from(`${header}.${payload}`),
      createPublicKey(server.publicKeyPem),
      Buffer.from(signature ?? '', 'base64url'),
    );
    expect(signed).toBe(true);
  });

  it('applies tokenExpirationTime within 15m–24h and refuses the rest with the real 400001 detail', async () => {
    const clock = manualClock();
    const server = await emulator({
      now: clock.now,
      accounts: { ci: { password: 'pw', roles: ['developer'] } },
    });
    const nowSeconds = clock.now() / 1000;
    for (const [duration, seconds] of [
      ['15m', 900],
      ['90m', 5400],
      ['1h30m', 5400],
      ['1.5h', 5400],
      ['24h', 86400],
      ['86400s', 86400],
    ] as const) {
      const answer = await loginAs(server, { name: 'ci', password: 'pw', tokenExpirationTime: duration });
      expect(answer.status, duration).toBe(200);
      const claims = decodeSegment(String(answer.json()['token']).split('.')[1]) as { exp: number };
      expect(claims.exp, duration).toBe(nowSeconds + seconds);
    }
    for (const duration of ['10s', '14m59s', '24h1s', '25h', '1d', '12H', '12 h', '12', '-1h', 'abc']) {
      const answer = await loginAs(server, { name: 'ci', password: 'pw', tokenExpirationTime: duration });
      expect(answer.status, duration).toBe(400);
      expect(answer.json()).toEqual({
        errorCode: '400001',
        errorMessage: 'Invalid parameter(s)',
        detail: `field 'Account.TokenExpirationTime' invalid value '${duration}' does not match rule: {Regexp: TokenExpirationTime}`,
      });
    }
    // Empty means the default; keys match case-insensitively as in Go.
    const empty = await loginAs(server, { Name: 'ci', PASSWORD: 'pw', tokenExpirationTime: '' });
    expect(empty.status).toBe(200);
    expect(server.locks()).toEqual([]);
  });

  it('checks in the server order: 404 without RBAC, 405, 500003 for >2 MiB, 400001 JSON errors, 401 for empty credentials', async () => {
    const off = await emulator({ rbac: false });
    const noRbac = await loginAs(off, { name: 'root', password: off.password });
    expect([noRbac.status, noRbac.text, noRbac.headers.get('content-type')]).toEqual([
      404,
      '404 page not found\n',
      'text/plain; charset=utf-8',
    ]);

    const server = await emulator();
    const get = await call(server, '/v4/token', { method: 'GET' });
    expect([get.status, get.text, get.headers.get('allow')]).toEqual([405, 'Method Not Allowed', 'POST']);

    const huge = await call(server, '/v4/token', { body: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    expect(huge.status).toBe(500);
    expect(huge.json()).toMatchObject({ errorCode: '500003', errorMessage: 'Internal server error' });

    for (const body of ['{"name":', '', '[]', '{"name":"root","password":123}']) {
      const answer = await call(server, '/v4/token', { body });
      expect(answer.status, body).toBe(400);
      expect(answer.json()['errorCode'], body).toBe('400001');
    }
    expect((await call(server, '/v4/token', { body: '{"password":123}' })).json()['detail']).toBe(
      'json: cannot unmarshal number into Go struct field Account.password of type string',
    );
    expect(server.locks()).toEqual([]);

    for (const body of ['{}', 'null', '{"name":"root"}']) {
      const answer = await call(server, '/v4/token', { body });
      expect(answer.status, body).toBe(401);
      expect(answer.json()).toEqual({ errorCode: '401202', errorMessage: 'User name or password is wrong' });
    }
    expect(
      server
        .locks()
        .map((lock) => lock.key)
        .sort(),
    ).toEqual(['::127.0.0.1', 'root::127.0.0.1']);
    for (const answer of [noRbac, get, huge])
      expect(answer.headers.get('server')).toBe('SERVICECENTER/2.2.0');
  });

  it('locks out name::ip: two failures 401, the third 401 and a 15-minute ban, then 403201 even with the right password', async () => {
    const clock = manualClock();
    const server = await emulator({ now: clock.now });
    const wrong = () => loginAs(server, { name: 'root', password: 'wrong' });
    const right = () => loginAs(server, { name: 'root', password: server.password });

    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    expect(server.locks()).toEqual([
      expect.objectContaining({ key: 'root::127.0.0.1', status: 'attempted' }),
    ]);
    const third = await wrong();
    expect([third.status, third.json()['errorCode']]).toEqual([401, '401202']);
    expect(server.locks()).toEqual([
      { key: 'root::127.0.0.1', status: 'banned', releaseAt: (clock.now() + LOCKOUT.banMs) / 1000 },
    ]);
    const blocked = await right();
    expect([blocked.status, blocked.json()]).toEqual([
      403,
      { errorCode: '403201', errorMessage: 'Account blocked' },
    ]);

    // Another client address (as forwarded by a load balancer) is another key.
    const elsewhere = await loginAs(
      server,
      { name: 'root', password: server.password },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    expect(elsewhere.status).toBe(200);

    // Blocked attempts neither extend the ban nor count.
    clock.advance(LOCKOUT.banMs - 1000);
    expect((await right()).status).toBe(403);
    clock.advance(1000);
    expect((await right()).status).toBe(200);
    // 15 minutes refilled one token: one failure is tolerated, the next bans again.
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    expect((await right()).status).toBe(403);
  });

  it('answers refused logins as half-open and old engines do, and counts them the same', async () => {
    const server = await emulator({ errorVariant: 'half-open' });
    expect((await loginAs(server, { name: 'root', password: 'x' })).json()).toEqual({
      errorCode: '401302',
      errorMessage: 'User name or password is wrong',
      detail: 'User name or password is wrong, RBAC system is half opening',
    });
    server.errorVariant = 'legacy';
    const legacy = await loginAs(server, { name: 'root', password: 'x' });
    expect([legacy.status, legacy.json()['errorCode']]).toEqual([401, '401002']);
    expect(server.locks()).toEqual([
      expect.objectContaining({ key: 'root::127.0.0.1', status: 'attempted' }),
    ]);
  });

  it('serves queued faults before the service logic', async () => {
    const server = await emulator();
    server.faults.push(
      serviceCenterFaults.internalError(),
      serviceCenterFaults.malformedJson(),
      serviceCenterFaults.frontLayerLimit(),
      serviceCenterFaults.badGateway(),
    );
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await loginAs(server, { name: 'root', password: server.password }));
    expect(answers.map((answer) => answer.status)).toEqual([500, 200, 403, 502, 200]);
    expect(answers[0]?.json()).toEqual({
      errorCode: '500003',
      errorMessage: 'Internal server error',
      detail: 'read private key failed',
    });
    expect(() => answers[1]?.json()).toThrow();
    expect(answers[2]?.json()).toEqual({ error_code: 'SVCSTG.00300401', error_message: 'exceed times' });
    expect(server.requests).toHaveLength(5);
  });

  it('rate-limits with 429 and Retry-After when asked to', async () => {
    const clock = manualClock();
    const server = await emulator({ now: clock.now, rateLimit: { burst: 2, refillPerSecond: 0.5 } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(await loginAs(server, { name: 'root', password: server.password }));
    expect(statuses.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(statuses[2]?.headers.get('retry-after')).toBe('2');
    clock.advance(2000);
    expect((await loginAs(server, { name: 'root', password: server.password })).status).toBe(200);
  });
});

describe('service-center emulator: GET /v4/self-perms', () => {
  it('verifies the bearer token and answers the error table', async () => {
    const clock = manualClock();
    const server = await emulator({
      now: clock.now,
      accounts: {
        root: { password: 'pw', roles: ['admin'] },
        dev: { password: 'pw2', roles: ['developer'] },
      },
    });
    const perms = (authorization?: string) =>
      call(server, '/v4/self-perms', { method: 'GET', headers: authorization ? { authorization } : {} });
    const token = String((await loginAs(server, { name: 'root', password: 'pw' })).json()['token']);

    const ok = await perms(`Bearer ${token}`);
    expect([ok.status, ok.json()]).toEqual([200, { perms: [{ resources: [{ type: '*' }], verbs: ['*'] }] }]);
    expect((await perms()).json()).toEqual({ errorCode: '401204', errorMessage: 'No authorization header' });
    expect((await perms(token)).json()).toMatchObject({ errorCode: '401201', detail: 'invalid auth header' });
    expect((await perms('Bearer not.a.token')).json()).toMatchObject({ errorCode: '401201' });
    const [header, payload] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ account: 'root', exp: 9_999_999_999, roles: ['admin'] }),
    ).toString('base64url');
    expect(payload).not.toBe(forged);
    expect((await perms(`Bearer ${header}.${forged}.${token.split('.')[2]}`)).status).toBe(401);

    const expired = server.issueToken('root', clock.now() / 1000 - 1);
    expect((await perms(`Bearer ${expired}`)).json()).toEqual({
      errorCode: '401205',
      errorMessage: 'Token is expired',
    });

    const devToken = String((await loginAs(server, { name: 'dev', password: 'pw2' })).json()['token']);
    expect((await perms(`Bearer ${devToken}`)).json()['perms']).toHaveLength(2);
    server.accounts.delete('dev');
    expect((await perms(`Bearer ${devToken}`)).json()['errorCode']).toBe('401206');
  });
});

describe('service-center emulator helpers', () => {
  it('parses Go durations', () => {
    expect(goDurationMs('1h30m')).toBe(5_400_000);
    expect(goDurationMs('.5h')).toBe(1_800_000);
    expect(goDurationMs('900000ms')).toBe(900_000);
    expect(goDurationMs('0')).toBe(0);
    for (const text of ['', '1d', '12', '12H', '1 h', '.h']) expect(goDurationMs(text), text).toBeUndefined();
  });

  it('keys clients by the first global unicast X-Forwarded-For address, else X-Real-Ip, else the peer', () => {
    const peer = { remoteAddress: '::ffff:127.0.0.1' };
    expect(clientIp({ ...peer, headers: {} })).toBe('127.0.0.1');
    expect(clientIp({ ...peer, headers: { 'x-forwarded-for': '127.0.0.1, 10.1.2.3, 198.51.100.7' } })).toBe(
      '10.1.2.3',
    );
    expect(clientIp({ ...peer, headers: { 'x-forwarded-for': 'garbage', 'x-real-ip': '192.0.2.4' } })).toBe(
      '192.0.2.4',
    );
  });
});

describe('service-center emulator: a black-holed node', () => {
  it('never completes a connection, so a client gives up at its own deadline, and closes cleanly', async () => {
    const node = await startBlackHoleNode();
    try {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(node.port, '127.0.0.1');
        const timer = setTimeout(() => {
          socket.destroy();
          resolve('still connecting');
        }, 1000);
        socket.once('connect', () => resolve('connected'));
        socket.once('error', (error) => {
          clearTimeout(timer);
          resolve(`error ${(error as NodeJS.ErrnoException).code}`);
        });
      });
      expect(outcome).toBe('still connecting');
      expect(node.url).toBe(`http://127.0.0.1:${node.port}`);
    } finally {
      await node.close();
    }
  });
});
