// The main and post steps driven in-process: the real HTTP transport against the SWR emulator
// (which verifies signatures with its own code), a recording exec instead of docker, a clock
// that does not sleep. The bundle itself is tested end to end in test/swr-login.e2e.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecOptions, ExecOutput } from '@actions/exec';
import { type Clock, createHttpTransport, setMaskFunction } from '@cloudcreds/core';
import { GITHUB_ISSUER, startGithubOidcEmulator } from '@cloudcreds/emulators/github-oidc';
import { startHuaweiStsEmulator } from '@cloudcreds/emulators/huawei-sts';
import { type SwrEmulator, startSwrEmulator, swrTransportFaults } from '@cloudcreds/emulators/swr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exec } from '../src/docker.ts';
import { login } from '../src/login.ts';
import { logout } from '../src/logout.ts';

interface Call {
  args: string[];
  options: ExecOptions;
}

let emulator: SwrEmulator;
let files: Record<'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE' | 'GITHUB_STEP_SUMMARY', string>;
const masked: string[] = [];
const saved = { ...process.env };

const clock: Clock = { now: () => Date.now(), sleep: async () => {} };
/** Static credentials never ask for an ID token. */
const getIdToken = async (): Promise<string> => {
  throw new Error('no ID token in static-credential tests');
};
const transport = createHttpTransport({ userAgent: 'swr-login-test' });

function recordingExec(results: Array<Partial<ExecOutput>> = []): { exec: Exec; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    exec: async (_tool, args, options) => {
      calls.push({ args, options });
      return { exitCode: 0, stdout: '', stderr: '', ...results[calls.length - 1] };
    },
  };
}

/** A key=value view of a file-command file written by @actions/core (heredoc records). */
function records(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[index] ?? '');
    if (!match?.[1] || !match[2]) continue;
    const value: string[] = [];
    while (lines[++index] !== match[2]) value.push(lines[index] ?? '');
    out[match[1]] = value.join('\n');
  }
  return out;
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    INPUT_REGION: 'cn-north-4',
    INPUT_ENDPOINT: emulator.url,
    'INPUT_ACCESS-KEY-ID': emulator.accessKeyId,
    'INPUT_ACCESS-KEY-SECRET': emulator.secretAccessKey,
    INPUT_LOGIN: 'true',
    INPUT_LOGOUT: 'true',
    'INPUT_MAX-ATTEMPTS': '3',
    INPUT_TIMEOUT: '5',
    ...extra,
  };
}

beforeEach(async () => {
  emulator = await startSwrEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'swr-login-unit-'));
  files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  Object.assign(process.env, files);
  masked.length = 0;
  setMaskFunction((value) => masked.push(value));
});

afterEach(async () => {
  await emulator.close();
  process.env = { ...saved };
  process.exitCode = undefined;
});

describe('login (main step)', () => {
  it('logs in with a signature the emulator verifies, masks every credential form, then publishes', async () => {
    const { exec, calls } = recordingExec();
    await login({
      env: inputs({ 'INPUT_DOCKER-CONFIG-DIR': 'cfg' }),
      workingDirectory: '/ws',
      transport,
      exec,
      clock,
      getIdToken,
    });
    const [issued] = emulator.issued;
    if (!issued) throw new Error('nothing issued');
    expect(emulator.requests).toHaveLength(1);
    expect(calls.map((call) => call.args)).toEqual([
      ['login', '--username', issued.username, '--password-stdin', emulator.registry],
    ]);
    expect(calls[0]?.options.input?.toString()).toBe(issued.password);
    expect(calls[0]?.options.env?.['DOCKER_CONFIG']).toBe('/ws/cfg');

    const pair = `${issued.username}:${issued.password}`;
    const command = `docker login -u ${issued.username} -p ${issued.password} ${emulator.registry}`;
    expect(masked).toEqual(
      expect.arrayContaining([issued.password, pair, Buffer.from(pair).toString('base64'), command]),
    );
    expect(records(files.GITHUB_OUTPUT)).toEqual({
      registry: emulator.registry,
      username: issued.username,
      password: issued.password,
      'login-command': command,
      'expires-at': new Date(issued.expiresAt).toISOString(),
      'docker-config-dir': '/ws/cfg',
    });
    expect(records(files.GITHUB_ENV)).toEqual({ DOCKER_CONFIG: '/ws/cfg' });
    expect(records(files.GITHUB_STATE)).toEqual({
      'docker-config': '/ws/cfg',
      registries: `["${emulator.registry}"]`,
    });
    const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    expect(summary).toContain(emulator.registry);
    expect(summary).toContain(issued.username);
    expect(summary).not.toContain(issued.password);
  });

  it('with login: false only publishes the outputs (no docker, no state, no DOCKER_CONFIG)', async () => {
    const { exec, calls } = recordingExec();
    await login({
      env: inputs({ INPUT_LOGIN: 'false' }),
      workingDirectory: '/ws',
      transport,
      exec,
      clock,
      getIdToken,
    });
    expect(calls).toEqual([]);
    expect(Object.keys(records(files.GITHUB_OUTPUT)).sort()).toEqual([
      'expires-at',
      'login-command',
      'password',
      'registry',
      'username',
    ]);
    expect(readFileSync(files.GITHUB_ENV, 'utf8')).toBe('');
    expect(readFileSync(files.GITHUB_STATE, 'utf8')).toBe('');
  });

  it('logs in to every registry; a later failure undoes the earlier logins and publishes nothing', async () => {
    await emulator.close();
    emulator = await startSwrEmulator({ extraRegistries: ['mirror.example.com:5000'] });
    const { exec, calls } = recordingExec([{}, { exitCode: 1, stderr: 'unauthorized\n' }, {}]);
    await expect(
      login({
        env: inputs({ INPUT_LOGOUT: 'false' }),
        workingDirectory: '/ws',
        transport,
        exec,
        clock,
        getIdToken,
      }),
    ).rejects.toThrow('docker login to mirror.example.com:5000 failed (exit code 1): unauthorized');
    expect(calls.map((call) => call.args.slice(0, 1).concat(call.args.at(-1) ?? ''))).toEqual([
      ['login', emulator.registry],
      ['login', 'mirror.example.com:5000'],
      ['logout', emulator.registry],
    ]);
    expect(records(files.GITHUB_STATE)['registries']).toBe('[]');
    expect(readFileSync(files.GITHUB_OUTPUT, 'utf8')).toBe('');
    expect(readFileSync(files.GITHUB_ENV, 'utf8')).toBe('');
  });

  it('leaves a login it could not undo in the state, for the post step to retry', async () => {
    await emulator.close();
    emulator = await startSwrEmulator({ extraRegistries: ['mirror.example.com:5000'] });
    const { exec } = recordingExec([
      {},
      { exitCode: 1, stderr: 'unauthorized\n' },
      { exitCode: 1, stderr: 'busy\n' },
    ]);
    await expect(
      login({ env: inputs(), workingDirectory: '/ws', transport, exec, clock, getIdToken }),
    ).rejects.toThrow('docker login to mirror.example.com:5000 failed');
    expect(records(files.GITHUB_STATE)['registries']).toBe(`["${emulator.registry}"]`);
  });

  it('retries 503 and 429 (honouring Retry-After) but never a 401', async () => {
    emulator.faults.push(
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
    );
    const waits: number[] = [];
    const countingClock: Clock = { now: () => Date.now(), sleep: async (ms) => void waits.push(ms) };
    const { exec } = recordingExec();
    await login({
      env: inputs(),
      workingDirectory: '/ws',
      transport,
      exec,
      clock: countingClock,
      getIdToken,
    });
    expect(emulator.requests).toHaveLength(3);
    expect(waits[1]).toBeGreaterThanOrEqual(2000);

    emulator.requests.length = 0;
    await expect(
      login({
        env: inputs({ 'INPUT_ACCESS-KEY-SECRET': 'wrong' }),
        workingDirectory: '/ws',
        transport,
        exec,
        clock,
        getIdToken,
      }),
    ).rejects.toThrow(
      /^SWR answered HTTP 401 APIGW\.0301: .*\(request id [0-9a-f]{32}\)\. The signature or credentials were rejected/,
    );
    expect(emulator.requests).toHaveLength(1);
  });

  it('retries a reset connection, but not a malformed or oversized answer', async () => {
    const { exec } = recordingExec();
    emulator.faults.push(swrTransportFaults.reset());
    await login({
      env: inputs({ INPUT_LOGIN: 'false' }),
      workingDirectory: '/ws',
      transport,
      exec,
      clock,
      getIdToken,
    });
    expect(emulator.requests).toHaveLength(2);

    emulator.requests.length = 0;
    writeFileSync(files.GITHUB_OUTPUT, '');
    emulator.swrFaults.push({ kind: 'malformed-json' });
    await expect(
      login({ env: inputs(), workingDirectory: '/ws', transport, exec, clock, getIdToken }),
    ).rejects.toThrow(
      /^SWR answered HTTP 200 with a body that is not valid JSON .* instead of the login secret/,
    );
    emulator.faults.push(swrTransportFaults.oversized(2 * 1024 * 1024));
    await expect(
      login({ env: inputs(), workingDirectory: '/ws', transport, exec, clock, getIdToken }),
    ).rejects.toThrow(/sent an answer larger than 1024 kB; it was not read/);
    expect(emulator.requests).toHaveLength(2);
    expect(readFileSync(files.GITHUB_OUTPUT, 'utf8')).toBe('');
  });

  it('authenticates with an IAM token and with temporary keys plus security token', async () => {
    const { exec } = recordingExec();
    await login({
      env: {
        ...inputs(),
        'INPUT_ACCESS-KEY-ID': '',
        'INPUT_ACCESS-KEY-SECRET': '',
        'INPUT_AUTH-TOKEN': emulator.authToken,
      },
      workingDirectory: '/ws',
      transport,
      exec,
      clock,
      getIdToken,
    });
    expect(emulator.requests[0]?.headers['x-auth-token']).toBe(emulator.authToken);
    expect(emulator.requests[0]?.headers['authorization']).toBeUndefined();
    expect(masked).toContain(emulator.authToken);

    await login({
      env: {
        ...inputs(),
        'INPUT_ACCESS-KEY-ID': '',
        'INPUT_ACCESS-KEY-SECRET': '',
        HUAWEI_CLOUD_ACCESS_KEY_ID: emulator.temporary.accessKeyId,
        HUAWEI_CLOUD_SECRET_ACCESS_KEY: emulator.temporary.secretAccessKey,
        HUAWEI_CLOUD_SECURITY_TOKEN: emulator.temporary.securityToken,
        HUAWEI_CLOUD_PROJECT_ID: '0123456789abcdef0123456789abcdef',
      },
      workingDirectory: '/ws',
      transport,
      exec,
      clock,
      getIdToken,
    });
    expect(emulator.requests).toHaveLength(2);
    expect(emulator.requests[1]?.headers['authorization']).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token',
    );
    expect(emulator.issued).toHaveLength(2);
  });

  it('sends projectname and duration_seconds as the inputs say', async () => {
    const { exec } = recordingExec();
    await login({
      env: inputs({
        'INPUT_PROJECT-NAME': 'cn-north-4_team',
        'INPUT_DURATION-SECONDS': '900',
        INPUT_LOGIN: 'false',
      }),
      workingDirectory: '/ws',
      transport,
      exec,
      clock,
      getIdToken,
    });
    expect(emulator.requests[0]?.url).toBe(
      '/v2/manage/utils/secret?duration_seconds=900&projectname=cn-north-4_team',
    );
    expect(emulator.issued[0]?.username).toMatch(/^cn-north-4_team@[A-Z0-9]{20}$/);
  });
});

describe('logout (post step)', () => {
  const state = {
    'STATE_docker-config': '/ws/cfg',
    STATE_registries: '["a.example.com","b.example.com:5000"]',
  };

  it('logs out of every saved registry with the saved DOCKER_CONFIG; a failure is a warning and the rest continue', async () => {
    const { exec, calls } = recordingExec([{ exitCode: 1, stderr: 'boom\n' }, {}]);
    await logout({ env: { ...state, DOCKER_CONFIG: '/something/else', INPUT_LOGOUT: 'true' }, exec });
    expect(calls.map((call) => call.args)).toEqual([
      ['logout', 'a.example.com'],
      ['logout', 'b.example.com:5000'],
    ]);
    expect(calls.every((call) => call.options.env?.['DOCKER_CONFIG'] === '/ws/cfg')).toBe(true);
    expect(process.exitCode).toBeUndefined();
  });

  it('does nothing with logout: false, or when main logged in nowhere', async () => {
    const { exec, calls } = recordingExec();
    await logout({ env: { ...state, INPUT_LOGOUT: 'false' }, exec });
    await logout({ env: { INPUT_LOGOUT: 'true' }, exec });
    await logout({ env: { STATE_registries: 'not json', INPUT_LOGOUT: 'true' }, exec });
    expect(calls).toEqual([]);
  });

  it("unsets DOCKER_CONFIG when main used docker's default directory", async () => {
    const { exec, calls } = recordingExec();
    await logout({
      env: { STATE_registries: '["a.example.com"]', DOCKER_CONFIG: '/later/step', INPUT_LOGOUT: 'true' },
      exec,
    });
    expect(calls[0]?.options.env).not.toHaveProperty('DOCKER_CONFIG');
  });
});

describe('login with OIDC federation (route B), dependencies injected', () => {
  it('passes the audience to the injected ID-token source, masks the STS keys before CreateSecret, and names the run in the session', async () => {
    const github = await startGithubOidcEmulator();
    const provider = 'iam::0a1b2c3d:identity-provider:github';
    const agency = 'iam::0a1b2c3d:agency:swr-pusher';
    const sts = await startHuaweiStsEmulator({
      providers: [
        {
          urn: provider,
          issuer: GITHUB_ISSUER,
          clientIds: ['huaweicloud'],
          jwksProvider: () => github.jwks(),
        },
      ],
      agencies: [{ urn: agency, trustedProviders: [provider], conditions: {} }],
    });
    await emulator.close();
    emulator = await startSwrEmulator({
      temporaryCredentials: (accessKeyId) => sts.findCredentials(accessKeyId),
    });
    try {
      const audiences: Array<string | undefined> = [];
      const maskedBeforeSwr: string[][] = [];
      const watchingTransport: typeof transport = (request, options) => {
        if (request.url.startsWith(emulator.url)) maskedBeforeSwr.push([...masked]);
        return transport(request, options);
      };
      await login({
        env: {
          INPUT_REGION: 'cn-north-4',
          INPUT_ENDPOINT: emulator.url,
          'INPUT_AGENCY-URN': agency,
          'INPUT_PROVIDER-URN': provider,
          INPUT_AUDIENCE: 'huaweicloud',
          'INPUT_STS-ENDPOINT': sts.url,
          INPUT_LOGIN: 'false',
          'INPUT_MAX-ATTEMPTS': '1',
          INPUT_TIMEOUT: '5',
          ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
          GITHUB_RUN_ID: '99',
          GITHUB_RUN_ATTEMPT: '1',
        },
        workingDirectory: '/ws',
        transport: watchingTransport,
        exec: recordingExec().exec,
        clock,
        getIdToken: async (audience) => {
          audiences.push(audience);
          return github.issueToken(audience);
        },
      });
      expect(audiences).toEqual(['huaweicloud']);
      const [keys] = sts.issued;
      if (!keys) throw new Error('STS issued nothing');
      expect(keys.sessionName).toBe('swr-login-99-1');
      expect(maskedBeforeSwr).toHaveLength(1);
      expect(maskedBeforeSwr[0]).toEqual(
        expect.arrayContaining([keys.accessKeyId, keys.secretAccessKey, keys.securityToken]),
      );
      expect(emulator.issued).toHaveLength(1);
      // The summary row is checked on the bundle (test/swr-login.oidc.e2e.test.ts): @actions/core caches the summary file path per process.
    } finally {
      await Promise.all([github.close(), sts.close()]);
    }
  });
});
