// cse-token, built bundle against the service-center emulator over HTTPS: trust (ca-cert as PEM
// text and as a path), the failures TLS can give and their explanations, outputs, exports,
// warnings, and that nothing secret ever shows, debug included.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpTransport } from '@cloudcreds/core';
import { type ServiceCenterEmulator, startServiceCenterEmulator } from '@cloudcreds/emulators/service-center';
import { createTestCa } from '@cloudcreds/emulators/tls';
import { findLeaks, NO_LEAKS, type RunResult, runAction } from '@cloudcreds/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const username = 'ci-tests';
const password = `pw-${randomBytes(12).toString('base64url')}`;
let sc: ServiceCenterEmulator;

beforeAll(async () => {
  sc = await startServiceCenterEmulator({ accounts: { [username]: { password, roles: ['developer'] } } });
});
afterAll(async () => {
  await sc.close();
});

function run(
  inputs: Record<string, string>,
  options: { debug?: boolean; env?: Record<string, string> } = {},
) {
  return runAction({
    action: 'cse-token',
    inputs: { endpoint: sc.url, username, password, timeout: '5', ...inputs },
    secrets: [password],
    ...options,
  });
}

function secretsOf(result: RunResult): string[] {
  const token = result.outputs['token'] ?? '';
  return [password, token, `Bearer ${token}`];
}

/** A TCP relay in front of a server, counting connections: TLS failures never reach the HTTP layer. */
async function countingRelay(
  targetPort: number,
): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const relay: Server = createServer((client) => {
    count += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as { port: number };
  return {
    port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}

describe('cse-token over HTTPS (built bundle)', () => {
  it('trusts ca-cert given as PEM text: outputs, CSE_* exports, summary, one request, no leaks', async () => {
    const before = sc.requests.length;
    const started = Date.now();
    const result = await run({ 'ca-cert': sc.ca!.certPem });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const token = result.outputs['token']!;
    expect(token.split('.')).toHaveLength(3);
    expect(result.outputs).toEqual({
      token,
      authorization: `Bearer ${token}`,
      'expires-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      account: username,
      roles: 'developer',
      endpoint: sc.url,
    });
    const expiresIn = Date.parse(result.outputs['expires-at']!) - started;
    expect(expiresIn).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(expiresIn).toBeLessThan(12 * 3600_000 + 60_000);
    expect(result.exported).toEqual({
      CSE_TOKEN: token,
      CSE_AUTHORIZATION: `Bearer ${token}`,
      CSE_TOKEN_EXPIRES_AT: result.outputs['expires-at'],
      CSE_ENDPOINT: sc.url,
    });
    expect(result.warnings).toEqual([]);
    const sent = sc.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('/v4/token');
    expect(JSON.parse(sent[0]!.body.toString())).toEqual({ name: username, password });
    expect(sent[0]?.headers['user-agent']).toMatch(/^cloudcreds-actions\/.* \(cse-token;/);
    expect(result.summary).toContain(sc.url);
    expect(result.summary).toContain(username);
    expect(result.summary).toContain(result.outputs['expires-at']);
    expect(result.summary).not.toContain(token);
    expect(findLeaks(result, secretsOf(result))).toEqual(NO_LEAKS);
  });

  it('outputs a token the engine accepts on GET /v4/self-perms', async () => {
    const result = await run({ 'ca-cert': sc.ca!.certPem });
    expect(result.exitCode).toBe(0);
    const transport = createHttpTransport({ userAgent: 'test', ca: sc.ca!.certPem });
    const perms = await transport(
      {
        method: 'GET',
        url: `${sc.url}/v4/self-perms`,
        headers: { Authorization: result.outputs['authorization']! },
      },
      { timeoutMs: 5000 },
    );
    expect(perms.status).toBe(200);
    expect(JSON.parse(perms.body.toString())['perms']).not.toHaveLength(0);
  });

  it('trusts ca-cert given as a path, sends token-expiration, honours env-prefix, and warns when the token expires within the hour', async () => {
    const before = sc.requests.length;
    const started = Date.now();
    const result = await run({
      'ca-cert': sc.ca!.certPath,
      'token-expiration': '30m',
      'env-prefix': 'SC_TEST',
    });
    expect(result.errors).toEqual([]);
    expect(JSON.parse(sc.requests[before]!.body.toString())).toEqual({
      name: username,
      password,
      tokenExpirationTime: '30m',
    });
    const expiresIn = Date.parse(result.outputs['expires-at']!) - started;
    expect(expiresIn).toBeGreaterThan(29 * 60_000);
    expect(expiresIn).toBeLessThan(31 * 60_000);
    expect(Object.keys(result.exported).sort()).toEqual([
      'SC_TEST_AUTHORIZATION',
      'SC_TEST_ENDPOINT',
      'SC_TEST_TOKEN',
      'SC_TEST_TOKEN_EXPIRES_AT',
    ]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('expires within the hour');
    expect(findLeaks(result, secretsOf(result))).toEqual(NO_LEAKS);
  });

  it('exports nothing with export-env: false, outputs still set', async () => {
    const result = await run({ 'ca-cert': sc.ca!.certPem, 'export-env': 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.exported).toEqual({});
    expect(result.outputs['token']).toBeTruthy();
    expect(result.summary).toContain('export-env: false');
  });

  it('refuses an untrusted certificate with an explanation, after exactly one connection', async () => {
    const relay = await countingRelay(sc.port);
    const before = sc.requests.length;
    try {
      const result = await run({ endpoint: `https://127.0.0.1:${relay.port}`, 'max-attempts': '3' });
      expect(result.exitCode).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toContain('is not signed by a trusted authority');
      expect(result.errors[0]).toContain("'ca-cert'");
      expect(relay.connections()).toBe(1);
      expect(sc.requests.length).toBe(before);
      expect(result.outputs).toEqual({});
      expect(result.exported).toEqual({});
    } finally {
      await relay.close();
    }
  });

  it('names the names the certificate holds when the endpoint host is not one of them, without retrying', async () => {
    const ca = createTestCa();
    const other = await startServiceCenterEmulator({
      tls: ca.issue(['sc.engine.internal', '10.0.0.5']),
      accounts: { [username]: { password, roles: ['admin'] } },
    });
    const relay = await countingRelay(other.port);
    try {
      const result = await run({ endpoint: `https://127.0.0.1:${relay.port}`, 'ca-cert': ca.certPem });
      expect(result.exitCode).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toContain('DNS:sc.engine.internal');
      expect(result.errors[0]).toContain('IP Address:10.0.0.5');
      expect(result.errors[0]).toContain('not for 127.0.0.1');
      expect(relay.connections()).toBe(1);
      expect(other.requests).toHaveLength(0);
    } finally {
      await relay.close();
      await other.close();
    }
  });

  it('skips verification with insecure-skip-tls-verify, warning loudly', async () => {
    const result = await run({ 'insecure-skip-tls-verify': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['endpoint']).toBe(sc.url);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('NOT verified');
  });

  it('refuses a ca-cert that is not a certificate, without echoing it or sending anything', async () => {
    const before = sc.requests.length;
    const bogus = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----';
    const missing = join(tmpdir(), `no-such-ca-${randomBytes(4).toString('hex')}.pem`);
    const keyFile = join(tmpdir(), `key-${randomBytes(4).toString('hex')}.pem`);
    writeFileSync(keyFile, createTestCa().issue(['x.test']).key);
    for (const [value, expected] of [
      [bogus, 'is not a valid X.509 certificate'],
      [missing, 'neither PEM text'],
      [keyFile, 'contains a private key'],
    ] as const) {
      const result = await run({ 'ca-cert': value });
      expect(result.exitCode, value).toBe(1);
      expect(result.errors[0], value).toContain(expected);
      expect(result.errors[0], value).not.toContain('bm90IGEgY2VydGlmaWNhdGU');
    }
    expect(sc.requests.length).toBe(before);
  });

  it('leaks nothing with step debug on', async () => {
    const result = await run({ 'ca-cert': sc.ca!.certPem }, { debug: true });
    expect(result.exitCode).toBe(0);
    const token = result.outputs['token']!;
    expect(findLeaks(result, [password, token, `Bearer ${token}`])).toEqual(NO_LEAKS);
    expect(result.visible).not.toContain(token.split('.')[1]);
  });
});
