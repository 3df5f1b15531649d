// The main and post steps driven in-process: act(inputs, deps) with the real HTTP transport against
// the SWR emulator (which verifies signatures with its own code), a docker exec that records each
// call and edits config.json as docker would, a recording logger and a clock that does not sleep.
// The bundles themselves are tested end to end in test/swr-login*.test.ts and test/hostile.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecOptions, ExecOutput } from '@actions/exec';
import { type Clock, createHttpTransport, type Deps, type Exec, ToolError } from '@cloudcreds/core';
import { GITHUB_ISSUER, startGithubOidcEmulator } from '@cloudcreds/emulators/github-oidc';
import { startHuaweiIamEmulator } from '@cloudcreds/emulators/huawei-iam';
import { startHuaweiStsEmulator } from '@cloudcreds/emulators/huawei-sts';
import { type SwrEmulator, startSwrEmulator, swrTransportFaults } from '@cloudcreds/emulators/swr';
import {
  type FileCommand,
  type FileCommandFiles,
  fileCommandFiles,
  instantClock,
  parseFileCommands,
  recordingLogger,
  recordMasks,
} from '@cloudcreds/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from '../src/act.ts';
import { LOCK_FILE } from '../src/docker-lock.ts';
import { readInputs } from '../src/inputs.ts';
import { logout } from '../src/logout.ts';
import { readSavedLogin } from '../src/state.ts';

interface Call {
  args: string[];
  options: ExecOptions;
}

let emulator: SwrEmulator;
let files: FileCommandFiles;
/** The step's working directory, and a PATH directory holding a `docker` (never run: exec is fake). */
let workspace: string;
let bin: string;
let masked: string[];
const saved = { ...process.env };

const clock = instantClock();
/** Static credentials never ask for an ID token. */
const getIdToken = async (): Promise<string> => {
  throw new Error('no ID token in static-credential tests');
};
const transport = createHttpTransport({ userAgent: 'swr-login-test' });

function configOf(dir: string): { auths?: Record<string, { auth?: string }> } {
  const file = join(dir, 'config.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/**
 * docker as far as this action can tell: login adds `auths[host]` to DOCKER_CONFIG's config.json
 * (or ~/.docker's), logout removes it. `results` replace the outcome of the n-th call.
 */
function fakeDocker(results: Array<Partial<ExecOutput>> = []): { exec: Exec; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    exec: async (_tool, args, options) => {
      calls.push({ args, options });
      const result = { exitCode: 0, stdout: '', stderr: '', ...results[calls.length - 1] };
      if (result.exitCode !== 0) return result;
      const dir = options.env?.['DOCKER_CONFIG'] ?? join(options.env?.['HOME'] ?? '', '.docker');
      const config = configOf(dir);
      const host = args.at(-1) ?? '';
      const auths = { ...config.auths };
      if (args[0] === 'login') {
        const pair = `${args[2]}:${options.input?.toString()}`;
        auths[host] = { auth: Buffer.from(pair).toString('base64') };
      } else delete auths[host];
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, auths }));
      return result;
    },
  };
}

/** A key=value view of a file-command file written by @actions/core. */
const records = (file: FileCommand): Record<string, string> => parseFileCommands(files.read(file));

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
    PATH: bin,
    HOME: join(workspace, 'home'),
    ...extra,
  };
}

/** The main step's work as main.ts runs it: inputs read at the door, then act with these deps. */
async function runMain(
  env: Record<string, string>,
  overrides: Partial<Deps> = {},
): Promise<Deps & { logger: ReturnType<typeof recordingLogger> }> {
  const deps = {
    env,
    workingDirectory: workspace,
    transport,
    clock,
    exec: fakeDocker().exec,
    logger: recordingLogger(),
    getIdToken,
    ...overrides,
  } as Deps & { logger: ReturnType<typeof recordingLogger> };
  await act(readInputs(env, workspace), deps);
  return deps;
}

beforeEach(async () => {
  emulator = await startSwrEmulator();
  workspace = mkdtempSync(join(tmpdir(), 'swr-login-unit-'));
  bin = join(workspace, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 99\n');
  chmodSync(join(bin, 'docker'), 0o755);
  files = fileCommandFiles(workspace);
  masked = recordMasks();
});

afterEach(async () => {
  await emulator.close();
  process.env = { ...saved };
  process.exitCode = undefined;
});

describe('act (main step)', () => {
  it('logs in with a signature the emulator verifies, masks every credential form, then publishes', async () => {
    const docker = fakeDocker();
    const { logger } = await runMain(inputs({ 'INPUT_DOCKER-CONFIG-DIR': 'cfg' }), { exec: docker.exec });
    const [issued] = emulator.issued;
    if (!issued) throw new Error('nothing issued');
    const dir = join(workspace, 'cfg');
    expect(emulator.requests).toHaveLength(1);
    expect(docker.calls.map((call) => call.args)).toEqual([
      ['login', '--username', issued.username, '--password-stdin', emulator.registry],
    ]);
    expect(docker.calls[0]?.options.input?.toString()).toBe(issued.password);
    expect(docker.calls[0]?.options.env?.['DOCKER_CONFIG']).toBe(dir);
    expect(configOf(dir).auths?.[emulator.registry]).toBeDefined();
    // The lock is held only while docker runs.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const pair = `${issued.username}:${issued.password}`;
    const command = `docker login -u ${issued.username} -p ${issued.password} ${emulator.registry}`;
    expect(masked).toEqual(
      expect.arrayContaining([issued.password, pair, Buffer.from(pair).toString('base64'), command]),
    );
    expect(records('GITHUB_OUTPUT')).toEqual({
      registry: emulator.registry,
      username: issued.username,
      password: issued.password,
      'login-command': command,
      'expires-at': new Date(issued.expiresAt).toISOString(),
      'docker-config-dir': dir,
      registries: JSON.stringify([
        {
          registry: emulator.registry,
          username: issued.username,
          'expires-at': new Date(issued.expiresAt).toISOString(),
        },
      ]),
    });
    expect(records('GITHUB_ENV')).toEqual({ DOCKER_CONFIG: dir });
    expect(records('GITHUB_STATE')).toEqual({
      'docker-config': dir,
      registries: `["${emulator.registry}"]`,
    });
    const summary = files.read('GITHUB_STEP_SUMMARY');
    expect(summary).toContain(emulator.registry);
    expect(summary).toContain(issued.username);
    expect(summary).not.toContain(issued.password);
    expect(logger.lines).toContainEqual(['info', `Logged in to ${emulator.registry} as ${issued.username}`]);
    expect(logger.lines.filter(([level]) => level === 'warning')).toEqual([
      ['warning', expect.stringContaining("Input 'endpoint' uses plain http://")],
    ]);
  });

  it('saves the registry for post before docker login starts', async () => {
    const stateDuringLogin: string[] = [];
    const docker = fakeDocker();
    await runMain(inputs(), {
      exec: async (tool, args, options) => {
        stateDuringLogin.push(files.read('GITHUB_STATE'));
        return docker.exec(tool, args, options);
      },
    });
    expect(stateDuringLogin).toHaveLength(1);
    expect(stateDuringLogin[0]).toContain(`["${emulator.registry}"]`);
  });

  it('with login: false only publishes the outputs (no docker, no state, no DOCKER_CONFIG)', async () => {
    const docker = fakeDocker();
    await runMain(inputs({ INPUT_LOGIN: 'false', PATH: '' }), { exec: docker.exec });
    expect(docker.calls).toEqual([]);
    expect(Object.keys(records('GITHUB_OUTPUT')).sort()).toEqual([
      'expires-at',
      'login-command',
      'password',
      'registries',
      'registry',
      'username',
    ]);
    expect(files.read('GITHUB_ENV')).toBe('');
    expect(files.read('GITHUB_STATE')).toBe('');
  });

  it('with logout: false saves that choice only once the step succeeded', async () => {
    await runMain(inputs({ INPUT_LOGOUT: 'false' }));
    expect(records('GITHUB_STATE')).toMatchObject({
      logout: 'false',
      registries: `["${emulator.registry}"]`,
    });
  });

  it('logs in to every registry; a later failure undoes the earlier logins and publishes nothing', async () => {
    await emulator.close();
    emulator = await startSwrEmulator({ extraRegistries: ['mirror.example.com:5000'] });
    const docker = fakeDocker([{}, { exitCode: 1, stderr: 'unauthorized\n' }, {}]);
    const failure = runMain(inputs({ INPUT_LOGOUT: 'false' }), { exec: docker.exec });
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toThrow(
      'docker login to mirror.example.com:5000 failed (exit code 1): unauthorized.',
    );
    expect(docker.calls.map((call) => call.args.slice(0, 1).concat(call.args.at(-1) ?? ''))).toEqual([
      ['login', emulator.registry],
      ['login', 'mirror.example.com:5000'],
      ['logout', emulator.registry],
    ]);
    expect(records('GITHUB_STATE')['registries']).toBe('[]');
    expect(records('GITHUB_STATE')['logout']).toBeUndefined();
    expect(files.read('GITHUB_OUTPUT')).toBe('');
    expect(files.read('GITHUB_ENV')).toBe('');
  });

  it('leaves a login it could not undo in the state, for the post step to retry', async () => {
    await emulator.close();
    emulator = await startSwrEmulator({ extraRegistries: ['mirror.example.com:5000'] });
    const docker = fakeDocker([
      {},
      { exitCode: 1, stderr: 'unauthorized\n' },
      { exitCode: 1, stderr: 'busy\n' },
    ]);
    await expect(runMain(inputs(), { exec: docker.exec })).rejects.toThrow(
      'docker login to mirror.example.com:5000 failed',
    );
    expect(records('GITHUB_STATE')['registries']).toBe(`["${emulator.registry}"]`);
  });

  it('fails when docker says it logged in but config.json holds no login (rewritten by another program)', async () => {
    const forgetful: Exec = async () => ({ exitCode: 0, stdout: '', stderr: '' });
    const dir = join(workspace, 'cfg');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'other.example.com': {} } }));
    await expect(runMain(inputs({ 'INPUT_DOCKER-CONFIG-DIR': dir }), { exec: forgetful })).rejects.toThrow(
      `docker login to ${emulator.registry} exited 0, but ${dir}/config.json holds no login for it`,
    );
    expect(records('GITHUB_STATE')['registries']).toBe('[]');
    expect(files.read('GITHUB_OUTPUT')).toBe('');
  });

  it.each([
    ['docker is not on PATH', () => ({ PATH: join(workspace, 'empty') }), "set 'login' to false"],
    [
      'docker-config-dir is a regular file',
      () => {
        writeFileSync(join(workspace, 'a-file'), '');
        return { 'INPUT_DOCKER-CONFIG-DIR': 'a-file' };
      },
      "Input 'docker-config-dir' names a file",
    ],
    [
      'DOCKER_CONFIG from an earlier step lies under a file',
      () => {
        writeFileSync(join(workspace, 'a-file'), '');
        return { DOCKER_CONFIG: join(workspace, 'a-file', 'docker') };
      },
      'DOCKER_CONFIG names a file',
    ],
  ])('refuses before any request when %s', async (_what, arrange, message) => {
    const docker = fakeDocker();
    await expect(runMain(inputs(arrange()), { exec: docker.exec })).rejects.toThrow(message);
    expect(emulator.requests).toHaveLength(0);
    expect(docker.calls).toEqual([]);
  });

  it('warns when the docker config directory is inside the workspace, and suggests runner.temp', async () => {
    const { logger } = await runMain(
      inputs({ 'INPUT_DOCKER-CONFIG-DIR': 'cfg', GITHUB_WORKSPACE: workspace }),
    );
    expect(logger.lines).toContainEqual([
      'warning',
      expect.stringMatching(
        /^Input 'docker-config-dir' is inside the workspace \(GITHUB_WORKSPACE\).*\$\{\{ runner\.temp \}\}\/docker-config$/,
      ),
    ]);
  });

  it('does not warn about a directory under RUNNER_TEMP, even where the runner keeps RUNNER_TEMP in the workspace', async () => {
    const { logger } = await runMain(
      inputs({
        'INPUT_DOCKER-CONFIG-DIR': 'runner-temp/docker-config',
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: join(workspace, 'runner-temp'),
      }),
    );
    expect(logger.lines.filter(([, line]) => line.includes('inside the workspace'))).toEqual([]);
  });

  it('prints service text made inert: a user name holding a workflow command', async () => {
    await emulator.close();
    emulator = await startSwrEmulator({ username: '##[error]forged-by-swr', password: 'pw-0123456789' });
    const { logger } = await runMain(inputs());
    const line = logger.lines.find(([, message]) => message.startsWith('Logged in to'))?.[1] ?? '';
    expect(line).toBe(`Logged in to ${emulator.registry} as #\u200b#[error]forged-by-swr`);
    const summary = files.read('GITHUB_STEP_SUMMARY');
    expect(summary).not.toContain('##[');
  });

  it('retries 503 and 429 (honouring Retry-After) but never a 401', async () => {
    emulator.faults.push(
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
    );
    const waits: number[] = [];
    const countingClock: Clock = { now: () => Date.now(), sleep: async (ms) => void waits.push(ms) };
    const { logger } = await runMain(inputs(), { clock: countingClock });
    expect(emulator.requests).toHaveLength(3);
    expect(waits[1]).toBeGreaterThanOrEqual(2000);
    expect(logger.lines).toContainEqual([
      'info',
      expect.stringMatching(/^Attempt 1 of 3 failed \(HTTP 503\)/),
    ]);

    emulator.requests.length = 0;
    await expect(runMain(inputs({ 'INPUT_ACCESS-KEY-SECRET': 'wrong-secret' }))).rejects.toThrow(
      /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code APIGW\.0301: ".*" \(request id [0-9a-f]{32}\)\. The signature or credentials were rejected/,
    );
    expect(emulator.requests).toHaveLength(1);
  });

  it('retries a reset connection, but not a malformed or oversized answer', async () => {
    emulator.faults.push(swrTransportFaults.reset());
    await runMain(inputs({ INPUT_LOGIN: 'false' }));
    expect(emulator.requests).toHaveLength(2);

    emulator.requests.length = 0;
    writeFileSync(files.paths.GITHUB_OUTPUT, '');
    emulator.swrFaults.push({ kind: 'malformed-json' });
    await expect(runMain(inputs())).rejects.toThrow(
      /^SWR \(127\.0\.0\.1:\d+\) answered HTTP 200 \(request id [0-9a-f]{32}\), but the body is not valid JSON \(application\/json, \d+ bytes\)\.$/,
    );
    emulator.faults.push(swrTransportFaults.oversized(2 * 1024 * 1024));
    await expect(runMain(inputs())).rejects.toThrow(/sent an answer larger than 1024 kB; it was not read/);
    expect(emulator.requests).toHaveLength(2);
    expect(files.read('GITHUB_OUTPUT')).toBe('');
  });

  it('authenticates with an IAM token and with temporary keys plus security token', async () => {
    await runMain({
      ...inputs(),
      'INPUT_ACCESS-KEY-ID': '',
      'INPUT_ACCESS-KEY-SECRET': '',
      'INPUT_AUTH-TOKEN': emulator.authToken,
    });
    expect(emulator.requests[0]?.headers['x-auth-token']).toBe(emulator.authToken);
    expect(emulator.requests[0]?.headers['authorization']).toBeUndefined();
    expect(masked).toContain(emulator.authToken);

    await runMain({
      ...inputs(),
      'INPUT_ACCESS-KEY-ID': '',
      'INPUT_ACCESS-KEY-SECRET': '',
      HUAWEI_CLOUD_ACCESS_KEY_ID: emulator.temporary.accessKeyId,
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: emulator.temporary.secretAccessKey,
      HUAWEI_CLOUD_SECURITY_TOKEN: emulator.temporary.securityToken,
      HUAWEI_CLOUD_PROJECT_ID: '0123456789abcdef0123456789abcdef',
    });
    expect(emulator.requests).toHaveLength(2);
    expect(emulator.requests[1]?.headers['authorization']).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token',
    );
    expect(emulator.issued).toHaveLength(2);
  });

  it('sends projectname and duration_seconds as the inputs say', async () => {
    await runMain(
      inputs({
        'INPUT_PROJECT-NAME': 'cn-north-4_team',
        'INPUT_DURATION-SECONDS': '900',
        INPUT_LOGIN: 'false',
      }),
    );
    expect(emulator.requests[0]?.url).toBe(
      '/v2/manage/utils/secret?duration_seconds=900&projectname=cn-north-4_team',
    );
    expect(emulator.issued[0]?.username).toMatch(/^cn-north-4_team@[A-Z0-9]{20}$/);
  });
});

describe('logout (post step)', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(workspace, 'cfg');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: { 'a.example.com': { auth: 'YTpi' }, 'b.example.com:5000': { auth: 'YTpi' } },
      }),
    );
  });
  const state = () => ({
    'STATE_docker-config': dir,
    STATE_registries: '["a.example.com","b.example.com:5000"]',
  });
  const post = (env: Record<string, string>, exec: Exec, logger = recordingLogger()) =>
    logout(readSavedLogin(env), { env, exec, logger, clock });

  it('logs out of every saved registry with the saved DOCKER_CONFIG; a failure is a warning and the rest continue', async () => {
    const docker = fakeDocker([{ exitCode: 1, stderr: 'boom\n' }, {}]);
    const logger = recordingLogger();
    await post({ ...state(), DOCKER_CONFIG: '/something/else' }, docker.exec, logger);
    expect(docker.calls.map((call) => call.args)).toEqual([
      ['logout', 'a.example.com'],
      ['logout', 'b.example.com:5000'],
    ]);
    expect(docker.calls.every((call) => call.options.env?.['DOCKER_CONFIG'] === dir)).toBe(true);
    expect(logger.lines).toEqual([
      ['warning', 'docker logout from a.example.com failed (exit code 1): boom.'],
      ['info', 'Logged out of b.example.com:5000'],
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  it('is idempotent: a registry config.json holds no login for is nothing to undo, without running docker', async () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'b.example.com:5000': {} } }));
    const docker = fakeDocker();
    const logger = recordingLogger();
    await post(state(), docker.exec, logger);
    expect(docker.calls.map((call) => call.args)).toEqual([['logout', 'b.example.com:5000']]);
    expect(logger.lines).toEqual([
      ['info', 'Docker is not logged in to a.example.com (any more): nothing to undo'],
      ['info', 'Logged out of b.example.com:5000'],
    ]);
  });

  it('takes over a lock its holder left behind (a cancelled main step)', async () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ id: 'gone', pid: 2 ** 22 + 1, host: 'elsewhere' }));
    const docker = fakeDocker();
    // Old enough to be abandoned, whoever held it.
    utimesSync(join(dir, LOCK_FILE), new Date(Date.now() - 10 * 60_000), new Date(Date.now() - 10 * 60_000));
    await post(state(), docker.exec);
    expect(docker.calls).toHaveLength(2);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(configOf(dir).auths).toEqual({});
  });

  it('says once that docker cannot run, instead of once per registry', async () => {
    const missing: Exec = async () => {
      throw new Error('Unable to locate executable file: docker.');
    };
    const logger = recordingLogger();
    await post(state(), missing, logger);
    expect(logger.lines).toEqual([
      [
        'warning',
        expect.stringMatching(/^Could not run the docker CLI \(Unable to locate executable file: docker\.\)/),
      ],
    ]);
  });

  it('does nothing, silently, when main saved nothing or logged in nowhere', async () => {
    const docker = fakeDocker();
    const logger = recordingLogger();
    await post({}, docker.exec, logger);
    await post({ STATE_registries: '[]', 'STATE_docker-config': dir }, docker.exec, logger);
    await post({ STATE_registries: 'not json' }, docker.exec, logger);
    expect(docker.calls).toEqual([]);
    expect(logger.lines).toEqual([]);
  });

  it('keeps the logins when main succeeded with logout: false, and says so', async () => {
    const docker = fakeDocker();
    const logger = recordingLogger();
    await post({ ...state(), STATE_logout: 'false' }, docker.exec, logger);
    expect(docker.calls).toEqual([]);
    expect(logger.lines).toEqual([
      ['info', 'logout: false, so docker stays logged in to a.example.com, b.example.com:5000'],
    ]);
  });

  it("unsets DOCKER_CONFIG when main used docker's default directory", async () => {
    const home = join(workspace, 'home');
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'a.example.com': {} } }));
    const docker = fakeDocker();
    await post(
      { STATE_registries: '["a.example.com"]', DOCKER_CONFIG: '/later/step', HOME: home },
      docker.exec,
    );
    expect(docker.calls[0]?.options.env).not.toHaveProperty('DOCKER_CONFIG');
    expect(configOf(join(home, '.docker')).auths).toEqual({});
  });
});

describe('act with OIDC federation (route B), dependencies injected', () => {
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
      const { logger } = await runMain(
        {
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
        {
          transport: watchingTransport,
          getIdToken: async (audience) => {
            audiences.push(audience);
            return github.issueToken(audience);
          },
        },
      );
      expect(audiences).toEqual(['huaweicloud']);
      const [keys] = sts.issued;
      if (!keys) throw new Error('STS issued nothing');
      expect(keys.sessionName).toBe('swr-login-99-1');
      expect(maskedBeforeSwr).toHaveLength(1);
      expect(maskedBeforeSwr[0]).toEqual(
        expect.arrayContaining([keys.accessKeyId, keys.secretAccessKey, keys.securityToken]),
      );
      expect(emulator.issued).toHaveLength(1);
      expect(logger.lines).toContainEqual([
        'info',
        expect.stringMatching(
          /^Exchanging the GitHub ID token \(aud huaweicloud\) at STS 127\.0\.0\.1:\d+ for 900 s keys/,
        ),
      ]);
      // The summary row is checked on the bundle (test/swr-login.oidc.e2e.test.ts): @actions/core caches the summary file path per process.
    } finally {
      await Promise.all([github.close(), sts.close()]);
    }
  });
});

describe('act: Enterprise, enhanced and several registries', () => {
  const INSTANCES = ['ee-first', 'ee-second'];
  const TEMP = { userId: 'ee-user-1', authToken: 'ee-token-value-0123456789' };

  async function enterpriseEmulator(): Promise<void> {
    await emulator.close();
    emulator = await startSwrEmulator({
      instances: INSTANCES.map((id, index) => ({ id, accessAddress: `ee${index + 1}.example.com:5000` })),
      tempCredential: TEMP,
    });
  }

  it('Enterprise: looks the project up at IAM, logs in to every instance in order, and lists them all', async () => {
    await enterpriseEmulator();
    (emulator.instances[1] as { status: string }).status = 'Unavailable';
    const iam = await startHuaweiIamEmulator({
      credentials: emulator.credentials,
      projects: [{ id: emulator.projectId, name: 'cn-north-4' }],
    });
    try {
      const docker = fakeDocker();
      const { logger } = await runMain(
        inputs({
          'INPUT_INSTANCE-ID': INSTANCES.join(','),
          'INPUT_IAM-ENDPOINT': iam.url,
          'INPUT_DOCKER-CONFIG-DIR': 'cfg',
        }),
        { exec: docker.exec },
      );
      expect(iam.requests.map((request) => request.url)).toEqual(['/v3/projects?name=cn-north-4']);
      expect(emulator.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        `GET /v2/${emulator.projectId}/instances/ee-first`,
        `POST /v2/${emulator.projectId}/instances/ee-first/temp-credential`,
        `GET /v2/${emulator.projectId}/instances/ee-second`,
        `POST /v2/${emulator.projectId}/instances/ee-second/temp-credential`,
      ]);
      expect(docker.calls.map((call) => call.args)).toEqual([
        ['login', '--username', TEMP.userId, '--password-stdin', 'ee1.example.com:5000'],
        ['login', '--username', TEMP.userId, '--password-stdin', 'ee2.example.com:5000'],
      ]);
      const pair = `${TEMP.userId}:${TEMP.authToken}`;
      const command = `docker login -u ${TEMP.userId} -p ${TEMP.authToken} ee1.example.com:5000`;
      expect(masked).toEqual(
        expect.arrayContaining([TEMP.authToken, pair, Buffer.from(pair).toString('base64'), command]),
      );
      const outputs = records('GITHUB_OUTPUT');
      expect(outputs['login-command']).toBe(command);
      expect(JSON.parse(outputs['registries'] ?? '')).toEqual(
        emulator.tempCredentials.map((credential, index) => ({
          registry: `ee${index + 1}.example.com:5000`,
          username: TEMP.userId,
          'expires-at': credential.expiresAt,
          'credential-id': credential.tokenId,
        })),
      );
      expect(records('GITHUB_STATE')['registries']).toBe('["ee1.example.com:5000","ee2.example.com:5000"]');
      expect(logger.lines.filter(([level]) => level === 'warning').map(([, line]) => line)).toEqual([
        expect.stringContaining("Input 'endpoint' uses plain http://"),
        expect.stringContaining("Input 'iam-endpoint' uses plain http://"),
        expect.stringContaining('(ee-second) is Unavailable, not Running: the docker login may fail'),
      ]);
      // The summary rows are checked on the bundle: @actions/core caches the summary file path per process.
    } finally {
      await iam.close();
    }
  });

  it('Enterprise refused by an identity policy: the encoded message goes to debug only, never the error', async () => {
    await enterpriseEmulator();
    emulator.deny.push('swr:instance:createTempCredential');
    const logger = recordingLogger();
    const error = await runMain(
      inputs({
        'INPUT_INSTANCE-ID': 'ee-first',
        'INPUT_PROJECT-ID': emulator.projectId,
        INPUT_REGISTRY: 'ee1.example.com',
      }),
      { logger },
    ).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(
      /grant swr:instance:createTempCredential on it\. The answer carries an encoded_authorization_message/,
    );
    const debugLines = logger.lines.filter(([level]) => level === 'debug').map(([, line]) => line);
    expect(debugLines).toHaveLength(1);
    const encoded = debugLines[0]?.replace(
      /^encoded_authorization_message \(decode it with STS decode-authorization-message\): /,
      '',
    );
    expect(encoded).toMatch(/^\S{40,}$/);
    expect(error?.message).not.toContain(encoded);
    expect(emulator.requests).toHaveLength(1);
  });

  it('enhanced: CreateAuthorizationToken once, its bearer login handed to docker', async () => {
    const docker = fakeDocker();
    await runMain(inputs({ INPUT_ENHANCED: 'true' }), { exec: docker.exec });
    const [issued] = emulator.issued;
    expect(issued?.api).toBe('create-authorization-token');
    expect(issued?.username).toMatch(/^bearertoken@/);
    expect(docker.calls[0]?.args).toEqual([
      'login',
      '--username',
      issued?.username,
      '--password-stdin',
      emulator.registry,
    ]);
  });

  it('several regions: one CreateSecret on each default endpoint (routed here by host), every registry logged in', async () => {
    const regions = ['cn-north-4', 'cn-east-3', 'ap-southeast-3'];
    const others = await Promise.all(
      regions.slice(1).map((region) =>
        startSwrEmulator({
          region,
          accessKeyId: emulator.accessKeyId,
          secretAccessKey: emulator.secretAccessKey,
        }),
      ),
    );
    const byHost = new Map(
      [emulator, ...others].map((swr, index) => [`swr-api.${regions[index]}.myhuaweicloud.com`, swr.url]),
    );
    // The request keeps its signed Host header; only the connection goes to the region's emulator.
    const routing: Deps['transport'] = (request, options) => {
      const url = new URL(request.url);
      return transport({ ...request, url: `${byHost.get(url.host)}${url.pathname}${url.search}` }, options);
    };
    try {
      const docker = fakeDocker();
      const env = inputs({ INPUT_REGION: regions.join('\n') });
      delete env['INPUT_ENDPOINT'];
      const { logger } = await runMain(env, { exec: docker.exec, transport: routing });
      const all = [emulator, ...others];
      expect(all.map((swr) => swr.requests.map((request) => request.headers.host))).toEqual(
        regions.map((region) => [`swr-api.${region}.myhuaweicloud.com`]),
      );
      expect(all.map((swr) => swr.requests[0]?.url)).toEqual(
        regions.map((region) => `/v2/manage/utils/secret?projectname=${region}`),
      );
      expect(docker.calls.map((call) => call.args.at(-1))).toEqual(all.map((swr) => swr.registry));
      expect(
        JSON.parse(records('GITHUB_OUTPUT')['registries'] ?? '').map(
          (entry: { registry: string }) => entry.registry,
        ),
      ).toEqual(all.map((swr) => swr.registry));
      expect(logger.lines.filter(([level]) => level === 'warning')).toEqual([]);
    } finally {
      await Promise.all(others.map((swr) => swr.close()));
    }
  });

  it('several regions: a failure in the last one fails the step before docker runs at all', async () => {
    const other = await startSwrEmulator({
      region: 'cn-east-3',
      accessKeyId: emulator.accessKeyId,
      secretAccessKey: emulator.secretAccessKey,
    });
    other.swrFaults.push({
      kind: 'swr-error',
      status: 403,
      code: 'SVCSTG.SWR.4030170',
      message: 'Insufficient permissions',
    });
    const routing: Deps['transport'] = (request, options) => {
      const url = new URL(request.url);
      const base = url.host.includes('cn-east-3') ? other.url : emulator.url;
      return transport({ ...request, url: `${base}${url.pathname}${url.search}` }, options);
    };
    try {
      const docker = fakeDocker();
      const env = inputs({ INPUT_REGION: 'cn-north-4,cn-east-3' });
      delete env['INPUT_ENDPOINT'];
      await expect(runMain(env, { exec: docker.exec, transport: routing })).rejects.toThrow(
        /^SWR \(swr-api\.cn-east-3\.myhuaweicloud\.com\) answered HTTP 403/,
      );
      expect(docker.calls).toEqual([]);
      expect(files.read('GITHUB_OUTPUT')).toBe('');
      expect(files.read('GITHUB_STATE')).toBe('');
    } finally {
      await other.close();
    }
  });
});
