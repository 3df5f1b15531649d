// swr-login end to end, as the runner runs it: the BUILT bundle (dist/) against the SWR emulator,
// the real docker CLI (through a recording shim) and a real registry (Debian's docker-registry with
// htpasswd) on 127.0.0.1. main → the docker config holds the auth → post → it no longer does.
import { mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConnectProxy } from '@cloudcreds/emulators/connect-proxy';
import { type SwrEmulator, startSwrEmulator, swrTransportFaults } from '@cloudcreds/emulators/swr';
import { createTestCa } from '@cloudcreds/emulators/tls';
import {
  createDockerShim,
  type DockerShim,
  dockerAuths,
  findLeaks,
  NO_LEAKS,
  type Registry,
  type RunResult,
  requireTools,
  runAction,
  runPostAfter,
  startRegistry,
} from '@cloudcreds/harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const { missing, skip } = requireTools(['docker', 'docker-registry', 'htpasswd']);

const USERNAME = 'cn-north-4@E2ETEMPORARYAK00000001';
const PASSWORD = `e2e-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
const PAIR = `${USERNAME}:${PASSWORD}`;
const BASIC = Buffer.from(PAIR).toString('base64');

it('has docker, docker-registry and htpasswd (required when CI=true)', () => {
  if (skip) return;
  expect(missing).toEqual([]);
});

describe.skipIf(skip)('swr-login bundle, end to end', () => {
  let registry: Registry;
  let emulator: SwrEmulator;
  let shim: DockerShim;

  beforeAll(async () => {
    registry = await startRegistry({ username: USERNAME, password: PASSWORD });
  });
  afterAll(async () => {
    await registry?.stop();
  });
  afterEach(async () => {
    await emulator?.close();
  });

  async function setUp(options: Parameters<typeof startSwrEmulator>[0] = {}): Promise<void> {
    emulator = await startSwrEmulator({
      registry: registry.host,
      username: USERNAME,
      password: PASSWORD,
      ...options,
    });
    shim = createDockerShim();
  }

  const loginCommand = (): string => `docker login -u ${USERNAME} -p ${PASSWORD} ${registry.host}`;
  const configDir = (): string => mkdtempSync(join(tmpdir(), 'docker-config-'));

  function akSkInputs(extra: Record<string, string> = {}): Record<string, string> {
    return {
      region: 'cn-north-4',
      endpoint: emulator.url,
      'access-key-id': emulator.accessKeyId,
      'access-key-secret': emulator.secretAccessKey,
      timeout: '5',
      ...extra,
    };
  }

  function run(
    inputs: Record<string, string>,
    more: { debug?: boolean; env?: Record<string, string>; secrets?: string[] } = {},
  ) {
    return runAction({
      action: 'swr-login',
      inputs,
      pathPrefix: [shim.dir],
      killAfterMs: 30_000,
      secrets: [emulator.secretAccessKey, PASSWORD, PAIR, BASIC, loginCommand(), ...(more.secrets ?? [])],
      ...(more.debug ? { debug: true } : {}),
      ...(more.env ? { env: more.env } : {}),
    });
  }

  function expectCleanFailure(result: RunResult): void {
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.outputs).toEqual({});
    expect(result.exported).toEqual({});
    expect(result.stderr).toBe('');
  }

  /** main → config.json holds the registry's auth → post → it does not; password only on stdin. */
  async function fullFlow(main: RunResult, dir: string, secrets: string[]): Promise<void> {
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(main.outputs).toEqual({
      registry: registry.host,
      username: USERNAME,
      password: PASSWORD,
      'login-command': loginCommand(),
      'expires-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      'docker-config-dir': dir,
      registries: expect.any(String),
    });
    expect(JSON.parse(main.outputs['registries'] ?? '')).toEqual([
      { registry: registry.host, username: USERNAME, 'expires-at': main.outputs['expires-at'] },
    ]);
    expect(main.exported).toEqual({ DOCKER_CONFIG: dir });
    expect(dockerAuths(dir)[registry.host]?.auth).toBe(BASIC);
    const [loginCall, ...others] = shim.calls();
    expect(others).toEqual([]);
    expect(loginCall).toEqual({
      argv: ['login', '--username', USERNAME, '--password-stdin', registry.host],
      stdin: PASSWORD,
      dockerConfig: dir,
    });
    expect(findLeaks(main, secrets)).toEqual(NO_LEAKS);

    const post = await runPostAfter(main, {
      action: 'swr-login',
      pathPrefix: [shim.dir],
      secrets,
      killAfterMs: 30_000,
    });
    expect(post.exitCode).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(dockerAuths(dir)[registry.host]).toBeUndefined();
    expect(shim.calls().slice(1)).toEqual([
      { argv: ['logout', registry.host], stdin: '', dockerConfig: dir },
    ]);
    expect(findLeaks(post, secrets)).toEqual(NO_LEAKS);
    // The password never reached any command line.
    for (const call of shim.calls()) expect(call.argv.join(' ')).not.toContain(PASSWORD);
  }

  it('AK/SK: logs docker in to the registry, and the post step logs it out', async () => {
    await setUp();
    const dir = configDir();
    const main = await run(akSkInputs({ 'docker-config-dir': dir }));
    expect(emulator.requests).toHaveLength(1);
    expect(main.state).toEqual({ 'docker-config': dir, registries: JSON.stringify([registry.host]) });
    expect(main.summary).toContain(registry.host);
    expect(main.log.text).toContain(`Logged in to ${registry.host} as ${USERNAME}`);
    await fullFlow(main, dir, [emulator.secretAccessKey, PASSWORD, PAIR, BASIC, loginCommand()]);
  });

  it('with step debug on, the whole flow leaks nothing (AK/SK)', async () => {
    await setUp();
    const dir = configDir();
    const main = await run(akSkInputs({ 'docker-config-dir': dir }), { debug: true });
    await fullFlow(main, dir, [emulator.secretAccessKey, PASSWORD, PAIR, BASIC, loginCommand()]);
  });

  it('IAM token mode, with step debug on, logs in and leaks nothing', async () => {
    await setUp();
    const dir = configDir();
    const main = await run(
      {
        region: 'cn-north-4',
        endpoint: emulator.url,
        'auth-token': emulator.authToken,
        'docker-config-dir': dir,
      },
      { debug: true, secrets: [emulator.authToken] },
    );
    expect(emulator.requests[0]?.headers['x-auth-token']).toBe(emulator.authToken);
    await fullFlow(main, dir, [PASSWORD, PAIR, BASIC, loginCommand(), emulator.authToken]);
  });

  it('temporary AK/SK + security token from the huaweicloud/auth-action variables, with step debug on', async () => {
    await setUp();
    const dir = configDir();
    const { accessKeyId, secretAccessKey, securityToken } = emulator.temporary;
    const main = await run(
      { endpoint: emulator.url, 'docker-config-dir': dir },
      {
        debug: true,
        env: {
          HUAWEI_CLOUD_REGION: 'cn-north-4',
          HUAWEI_CLOUD_ACCESS_KEY_ID: accessKeyId,
          HUAWEI_CLOUD_SECRET_ACCESS_KEY: secretAccessKey,
          HUAWEI_CLOUD_SECURITY_TOKEN: securityToken,
        },
        secrets: [secretAccessKey, securityToken],
      },
    );
    expect(emulator.requests[0]?.headers['x-security-token']).toBe(securityToken);
    await fullFlow(main, dir, [secretAccessKey, securityToken, PASSWORD, PAIR, BASIC, loginCommand()]);
  });

  it('wrong SK: exactly one request, one clear error, no login, no outputs, no DOCKER_CONFIG', async () => {
    await setUp();
    const main = await run(
      akSkInputs({ 'access-key-secret': 'definitely-not-the-secret', 'docker-config-dir': configDir() }),
    );
    expectCleanFailure(main);
    expect(emulator.requests).toHaveLength(1);
    expect(main.errors[0]).toMatch(
      /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code APIGW\.0301: "Incorrect IAM authentication information: verify aksk signature fail" \(request id [0-9a-f]{32}\)\. The signature or credentials were rejected: .*clock more than 15 minutes off causes this too\.$/,
    );
    expect(shim.calls()).toEqual([]);
    expect(main.state).toEqual({});
    const post = await runPostAfter(main, { action: 'swr-login', pathPrefix: [shim.dir] });
    expect(post.exitCode).toBe(0);
    expect(shim.calls()).toEqual([]);
  });

  it('503, 503, 200: succeeds after exactly three requests', async () => {
    await setUp();
    emulator.faults.push(swrTransportFaults.serverError(503), swrTransportFaults.serverError(503));
    const main = await run(akSkInputs({ 'docker-config-dir': configDir() }));
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(emulator.requests).toHaveLength(3);
    expect(main.log.text).toContain('Attempt 2 of 3 failed (HTTP 503)');
  });

  it('a hanging server with timeout 2 and max-attempts 2 fails in about four seconds', async () => {
    await setUp();
    emulator.faults.push(swrTransportFaults.hang(), swrTransportFaults.hang());
    const main = await run(akSkInputs({ timeout: '2', 'max-attempts': '2' }));
    expectCleanFailure(main);
    expect(emulator.requests).toHaveLength(2);
    expect(main.errors[0]).toBe(`127.0.0.1:${emulator.port} did not answer within 2 s (after 2 attempts).`);
    expect(main.durationMs).toBeGreaterThan(4000);
    expect(main.durationMs).toBeLessThan(10_000);
    expect(shim.calls()).toEqual([]);
  });

  it.each([
    ['a registry host that is an option', { registry: '-H evil' }, "the registry host starts with '-'"],
    [
      'a user name with a line break',
      { username: 'evil\nuser' },
      'the user name contains control characters',
    ],
    ['a password with a space', { password: 'pass --word' }, 'the password contains whitespace'],
    [
      'a registry host with a path',
      { registry: 'evil.example.com/x' },
      'the registry host is not host[:port]',
    ],
  ])('refuses %s and never runs docker', async (_what, hostile, reason) => {
    await setUp();
    emulator.swrFaults.push({ kind: 'hostile-auths', ...hostile });
    const main = await run(akSkInputs({ 'docker-config-dir': configDir() }));
    expectCleanFailure(main);
    expect(main.errors[0]).toMatch(
      new RegExp(
        `^SWR \\(127\\.0\\.0\\.1:${emulator.port}\\) answered HTTP 200 \\(request id [0-9a-f]{32}\\), but registry entry #1 of "auths" is unusable: `,
      ),
    );
    expect(main.errors[0]).toContain(reason);
    expect(shim.calls()).toEqual([]);
    expect(main.state).toEqual({});
  });

  it('refuses a login header with extra words and never runs docker', async () => {
    await setUp();
    emulator.swrFaults.push({
      kind: 'hostile-auths',
      header: `docker login -u ${USERNAME} -p ${PASSWORD} --config /tmp/x`,
    });
    const main = await run(akSkInputs());
    expectCleanFailure(main);
    expect(main.errors[0]).toMatch(
      /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 200 \(request id [0-9a-f]{32}\), but the X-Swr-Dockerlogin header has words other than -u, -p and the registry host\.$/,
    );
    expect(shim.calls()).toEqual([]);
    expect(findLeaks(main, [PASSWORD])).toEqual(NO_LEAKS);
  });

  it('login: false produces the outputs only: docker never runs, nothing exported, no state', async () => {
    await setUp();
    const main = await run(akSkInputs({ login: 'false' }));
    expect(main.exitCode).toBe(0);
    expect(main.outputs).toMatchObject({ registry: registry.host, username: USERNAME, password: PASSWORD });
    expect(main.outputs['login-command']).toBe(loginCommand());
    expect(main.outputs['docker-config-dir']).toBeUndefined();
    expect(main.exported).toEqual({});
    expect(main.state).toEqual({});
    expect(shim.calls()).toEqual([]);
    expect(findLeaks(main, [emulator.secretAccessKey, PASSWORD, PAIR, BASIC, loginCommand()])).toEqual(
      NO_LEAKS,
    );
  });

  it('a registry that refuses the login fails the step with docker’s reason and publishes nothing', async () => {
    await setUp({ password: 'not-what-the-registry-knows' });
    const dir = configDir();
    const main = await run(akSkInputs({ 'docker-config-dir': dir }));
    expectCleanFailure(main);
    expect(main.errors[0]).toMatch(
      new RegExp(
        `^docker login to ${registry.host.replace(/\./g, '\\.')} failed \\(exit code 1\\): .*401 Unauthorized`,
      ),
    );
    expect(dockerAuths(dir)[registry.host]).toBeUndefined();
  });

  it('a second registry that refuses the login: the first login is undone, even with logout: false', async () => {
    // A closed loopback port: docker's login to it fails after the first one succeeded.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedHost = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    await setUp({ extraRegistries: [closedHost] });
    const dir = configDir();
    const main = await run(akSkInputs({ 'docker-config-dir': dir, logout: 'false' }));
    expectCleanFailure(main);
    expect(main.errors[0]).toContain(`docker login to ${closedHost} failed`);
    expect(
      shim
        .calls()
        .map((call) =>
          call.argv.filter((arg) => arg !== '--username' && arg !== USERNAME && arg !== '--password-stdin'),
        ),
    ).toEqual([
      ['login', registry.host],
      ['login', closedHost],
      ['logout', registry.host],
    ]);
    expect(dockerAuths(dir)).toEqual({});
    expect(main.state['registries']).toBe('[]');
    expect(findLeaks(main, [PASSWORD, PAIR, BASIC])).toEqual(NO_LEAKS);
  });

  it('without a docker CLI, says so in one line before asking SWR for anything', async () => {
    await setUp();
    const emptyBin = mkdtempSync(join(tmpdir(), 'no-docker-'));
    const main = await runAction({
      action: 'swr-login',
      inputs: akSkInputs(),
      env: { PATH: emptyBin },
    });
    expectCleanFailure(main);
    expect(main.errors[0]).toBe(
      "The docker CLI is not on PATH: install docker on the runner, or set 'login' to false to only get the outputs.",
    );
    expect(emulator.requests).toHaveLength(0);
    expect(main.state).toEqual({});
  });
});

describe('swr-login bundle behind an HTTPS proxy', () => {
  it('reaches the default regional endpoint through HTTPS_PROXY (CONNECT), TLS and signature intact', async () => {
    const hostname = 'swr-api.cn-north-4.myhuaweicloud.com';
    const ca = createTestCa();
    const emulator = await startSwrEmulator({ tls: ca.issue([hostname]) });
    const proxy = await startConnectProxy({ [`${hostname}:443`]: emulator.port });
    try {
      const main = await runAction({
        action: 'swr-login',
        // No endpoint input: the URL is derived from the region, as in production.
        inputs: {
          region: 'cn-north-4',
          'access-key-id': emulator.accessKeyId,
          'access-key-secret': emulator.secretAccessKey,
          login: 'false',
          timeout: '5',
        },
        env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.certPath },
        secrets: [emulator.secretAccessKey],
      });
      expect(main.errors).toEqual([]);
      expect(main.exitCode).toBe(0);
      expect(proxy.log).toEqual([{ target: `${hostname}:443`, method: 'CONNECT' }]);
      expect(emulator.requests).toHaveLength(1);
      expect(emulator.requests[0]?.headers.host).toBe(hostname);
      expect(main.outputs['registry']).toBe('swr.cn-north-4.myhuaweicloud.com');
      expect(main.warnings).toEqual([]);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  });
});
