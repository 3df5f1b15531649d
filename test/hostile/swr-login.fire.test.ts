// swr-login under fire (issue 15), on the built bundle with step debug off and on, against the SWR
// emulator, the real docker CLI (through the recording shim) and a real registry on 127.0.0.1:
// - a job cancelled (SIGINT, then SIGTERM) while `docker login` runs, then the post step: the
//   login that outlived the step is logged out;
// - `logout: flase` fails the main step before any request;
// - eight matrix jobs logging in at once with one HOME (one ~/.docker/config.json): every login is
//   still there afterwards, and the post steps remove every one;
// - a user name from SWR holding a workflow command (`##[error]`) is printed inert;
// - a docker config directory inside the workspace is warned about; no `docker` on PATH, or a
//   `docker-config-dir` that is a file, fail before any request (no credential minted).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SwrEmulator, type SwrEmulatorOptions, startSwrEmulator } from '@cloudcreds/emulators/swr';
import {
  createDockerShim,
  createWorkspace,
  dockerAuths,
  findLeaks,
  NO_LEAKS,
  type Registry,
  type RunOptions,
  type RunResult,
  requireTools,
  runAction,
  runPostAfter,
  startRegistry,
} from '@cloudcreds/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mebibytes, record, recordRun, seconds } from './report.ts';

const ACTION = 'swr-login';
const DEBUG_MODES = [false, true];
const { missing, skip } = requireTools(['docker', 'docker-registry', 'htpasswd']);

const USER = 'cn-north-4@FIRETEMPORARYAK000001';
/**
 * A user name SWR could send that reads as a workflow command wherever it is printed raw (the
 * runner reads `##[` anywhere in a line; a leading `#` would make it an htpasswd comment).
 */
const HOSTILE_USER = 'ci##[error]forged-by-swr';
const PASSWORD = `fire-${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
const PARALLEL_RUNS = 8;
const REGISTRIES_PER_RUN = 3;

const suffix = (debug: boolean): string => (debug ? ' (debug)' : '');
const basic = (user: string): string => Buffer.from(`${user}:${PASSWORD}`).toString('base64');

let registry: Registry;

beforeAll(async () => {
  if (!skip)
    registry = await startRegistry([
      { username: USER, password: PASSWORD },
      { username: HOSTILE_USER, password: PASSWORD },
    ]);
});
afterAll(async () => {
  await registry?.stop();
});

function secretsOf(emulator: SwrEmulator, user = USER): string[] {
  return [
    emulator.secretAccessKey,
    PASSWORD,
    `${user}:${PASSWORD}`,
    basic(user),
    ...emulator.issued.map(
      (login) => `docker login -u ${login.username} -p ${login.password} ${login.registry}`,
    ),
  ];
}

function run(
  emulator: SwrEmulator,
  debug: boolean,
  inputs: Record<string, string> = {},
  options: Partial<RunOptions> = {},
): Promise<RunResult> {
  return runAction({
    action: ACTION,
    inputs: {
      region: 'cn-north-4',
      endpoint: emulator.url,
      'access-key-id': emulator.accessKeyId,
      'access-key-secret': emulator.secretAccessKey,
      timeout: '10',
      'max-attempts': '2',
      ...inputs,
    },
    secrets: [emulator.secretAccessKey, PASSWORD],
    debug,
    killAfterMs: 60_000,
    ...options,
  });
}

async function withEmulator(
  options: SwrEmulatorOptions,
  work: (emulator: SwrEmulator) => Promise<void>,
): Promise<void> {
  const emulator = await startSwrEmulator({
    registry: registry.host,
    username: USER,
    password: PASSWORD,
    ...options,
  });
  try {
    await work(emulator);
  } finally {
    await emulator.close();
  }
}

/** Loopback ports that each forward to the registry: as many registry hosts as a test needs. */
async function startForwarders(count: number): Promise<{ hosts: string[]; close(): Promise<void> }> {
  const target = Number(registry.host.split(':')[1]);
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  for (let index = 0; index < count; index++) {
    const server = createServer((socket) => {
      const upstream = connect(target, '127.0.0.1');
      for (const end of [socket, upstream]) {
        sockets.add(end);
        end.on('error', () => {
          socket.destroy();
          upstream.destroy();
        });
      }
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    hosts: servers.map((server) => `127.0.0.1:${(server.address() as { port: number }).port}`),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

it('has docker, docker-registry and htpasswd (required when CI=true)', () => {
  if (skip) return;
  expect(missing).toEqual([]);
});

// One case at a time: eight parallel runs keep both cores busy, which would show in the others.
describe.skipIf(skip)('swr-login under fire (built bundle)', () => {
  for (const debug of DEBUG_MODES) {
    it(`cancelled (SIGINT, then SIGTERM) during docker login, then post: the login that outlived the step is logged out${suffix(debug)}`, async () => {
      await withEmulator({}, async (emulator) => {
        const shim = createDockerShim({ hold: 'login' });
        const workspace = createWorkspace();
        const dir = join(workspace.runnerTemp, 'docker-config');
        const main = await run(
          emulator,
          debug,
          { 'docker-config-dir': dir },
          {
            workspace,
            pathPrefix: [shim.dir],
            interrupt: { at: () => shim.held(), signals: ['SIGINT', 'SIGTERM'], gapMs: 200 },
          },
        );
        record({
          action: ACTION,
          case: `cancelled during docker login (SIGINT, SIGTERM)${suffix(debug)}`,
          outcome: `ended by ${main.signal ?? `exit code ${main.exitCode}`}`,
          seconds: seconds(main.durationMs),
          requests: emulator.requests.length,
          peakRssMiB: mebibytes(main.peakRssBytes),
        });
        expect(main.signal).toBe('SIGINT');
        // What post must undo was saved before docker started; nothing else left the step.
        expect(main.state).toEqual({ 'docker-config': dir, registries: JSON.stringify([registry.host]) });
        expect(main.outputs).toEqual({});
        expect(main.exported).toEqual({});
        expect(findLeaks(main, secretsOf(emulator))).toEqual(NO_LEAKS);

        // docker goes on after the step is gone, and its login lands in config.json.
        await shim.release();
        expect(dockerAuths(dir)[registry.host]?.auth).toBe(basic(USER));

        const post = await runPostAfter(main, {
          action: ACTION,
          pathPrefix: [shim.dir],
          debug,
          secrets: [PASSWORD],
        });
        recordRun(ACTION, `post after a cancel during docker login${suffix(debug)}`, post, 0);
        expect(post.exitCode).toBe(0);
        expect(post.errors).toEqual([]);
        expect(post.warnings).toEqual([]);
        expect(post.log.text).toContain(`Logged out of ${registry.host}`);
        expect(dockerAuths(dir)).toEqual({});
        // The lock the cancelled step held was taken over, and released.
        expect(readdirSync(dir)).toEqual(['config.json']);
        expect(findLeaks(post, secretsOf(emulator))).toEqual(NO_LEAKS);
      });
    });

    it(`logout: flase fails the main step before any request${suffix(debug)}`, async () => {
      await withEmulator({}, async (emulator) => {
        const shim = createDockerShim();
        const workspace = createWorkspace();
        const dir = join(workspace.runnerTemp, 'docker-config');
        const main = await run(
          emulator,
          debug,
          { 'docker-config-dir': dir, logout: 'flase' },
          { workspace, pathPrefix: [shim.dir] },
        );
        recordRun(ACTION, `logout: flase${suffix(debug)}`, main, emulator.requests.length);
        expect(main.exitCode).toBe(1);
        expect(main.errors).toEqual(["Input 'logout' must be true or false."]);
        expect(emulator.requests).toHaveLength(0);
        expect(shim.calls()).toEqual([]);
        expect(main.outputs).toEqual({});
        expect(main.state).toEqual({});
        expect(main.stderr).toBe('');
      });
    });

    it(`${PARALLEL_RUNS} parallel runs with one HOME: all ${PARALLEL_RUNS * REGISTRIES_PER_RUN} logins are in config.json, and the post steps remove all${suffix(debug)}`, async () => {
      const forwarders = await startForwarders(PARALLEL_RUNS * REGISTRIES_PER_RUN);
      const emulators: SwrEmulator[] = [];
      try {
        for (let run = 0; run < PARALLEL_RUNS; run++) {
          const [first, ...extra] = forwarders.hosts.slice(
            run * REGISTRIES_PER_RUN,
            (run + 1) * REGISTRIES_PER_RUN,
          );
          emulators.push(
            await startSwrEmulator({
              registry: first,
              extraRegistries: extra,
              username: USER,
              password: PASSWORD,
            }),
          );
        }
        // One runner, one HOME: every run uses docker's default ~/.docker.
        const shared = createWorkspace();
        const dockerDir = join(shared.home, '.docker');
        const shim = createDockerShim();
        const started = performance.now();
        const mains = await Promise.all(
          emulators.map((emulator) =>
            run(emulator, debug, {}, { workspace: shared, pathPrefix: [shim.dir] }),
          ),
        );
        const present = Object.keys(dockerAuths(dockerDir));
        record({
          action: ACTION,
          case: `${PARALLEL_RUNS} parallel runs, one HOME${suffix(debug)}`,
          outcome: `${mains.every((main) => main.exitCode === 0) ? 'success' : 'error'}: ${present.length} of ${forwarders.hosts.length} logins in config.json`,
          seconds: seconds(performance.now() - started),
          requests: emulators.reduce((sum, emulator) => sum + emulator.requests.length, 0),
          peakRssMiB: Math.max(...mains.map((main) => mebibytes(main.peakRssBytes))),
        });
        for (const main of mains) {
          expect(main.errors).toEqual([]);
          expect(main.exitCode).toBe(0);
        }
        expect(present.sort()).toEqual([...forwarders.hosts].sort());
        for (const host of forwarders.hosts) expect(dockerAuths(dockerDir)[host]?.auth).toBe(basic(USER));
        for (const [index, main] of mains.entries()) {
          expect(findLeaks(main, secretsOf(emulators[index] as SwrEmulator))).toEqual(NO_LEAKS);
        }

        const posts = await Promise.all(
          mains.map((main) => runPostAfter(main, { action: ACTION, pathPrefix: [shim.dir], debug })),
        );
        for (const post of posts) {
          expect(post.exitCode).toBe(0);
          expect(post.warnings).toEqual([]);
        }
        expect(dockerAuths(dockerDir)).toEqual({});
        expect(readdirSync(dockerDir)).toEqual(['config.json']);
      } finally {
        await Promise.all(emulators.map((emulator) => emulator.close()));
        await forwarders.close();
      }
    });

    it(`a user name from SWR holding a workflow command is printed inert${suffix(debug)}`, async () => {
      await withEmulator({ username: HOSTILE_USER }, async (emulator) => {
        const shim = createDockerShim();
        const workspace = createWorkspace();
        const dir = join(workspace.runnerTemp, 'docker-config');
        const main = await run(
          emulator,
          debug,
          { 'docker-config-dir': dir },
          { workspace, pathPrefix: [shim.dir] },
        );
        recordRun(ACTION, `user name holding ##[error]${suffix(debug)}`, main, emulator.requests.length);
        expect(main.errors).toEqual([]);
        expect(main.exitCode).toBe(0);
        expect(main.outputs['username']).toBe(HOSTILE_USER);
        // The runner reads `##[` anywhere in a printed line; `::add-mask::` lines are commands it
        // consumes (they carry user:password, which holds the name).
        const printed = main.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
        expect(printed.join('\n')).not.toContain('##[');
        expect(main.log.text).toContain(`Logged in to ${registry.host} as ci#\u200b#[error]forged-by-swr`);
        expect(main.summary).not.toContain('##[');
        expect(findLeaks(main, secretsOf(emulator, HOSTILE_USER))).toEqual(NO_LEAKS);

        const post = await runPostAfter(main, { action: ACTION, pathPrefix: [shim.dir], debug });
        expect(post.exitCode).toBe(0);
        expect(dockerAuths(dir)).toEqual({});
      });
    });

    it(`a docker-config-dir inside the workspace is warned about, with runner.temp as the way out${suffix(debug)}`, async () => {
      await withEmulator({}, async (emulator) => {
        const shim = createDockerShim();
        const workspace = createWorkspace();
        const dir = join(workspace.root, 'docker-config');
        const main = await run(
          emulator,
          debug,
          { 'docker-config-dir': dir },
          { workspace, pathPrefix: [shim.dir] },
        );
        recordRun(
          ACTION,
          `docker-config-dir inside the workspace${suffix(debug)}`,
          main,
          emulator.requests.length,
        );
        expect(main.errors).toEqual([]);
        expect(main.exitCode).toBe(0);
        expect(main.warnings).toContainEqual(
          expect.stringMatching(
            /^Input 'docker-config-dir' is inside the workspace \(GITHUB_WORKSPACE\): the registry login stays in the checkout until the post step.*docker-config-dir: \$\{\{ runner\.temp \}\}\/docker-config$/,
          ),
        );
        expect(dockerAuths(dir)[registry.host]?.auth).toBe(basic(USER));
        const post = await runPostAfter(main, { action: ACTION, pathPrefix: [shim.dir], debug });
        expect(post.exitCode).toBe(0);
        expect(dockerAuths(dir)).toEqual({});
      });
    });

    it(`no docker on PATH fails before any request, naming the input that avoids docker${suffix(debug)}`, async () => {
      await withEmulator({}, async (emulator) => {
        const emptyBin = mkdtempSync(join(tmpdir(), 'no-docker-'));
        const main = await run(emulator, debug, {}, { env: { PATH: emptyBin } });
        recordRun(ACTION, `no docker on PATH${suffix(debug)}`, main, emulator.requests.length);
        expect(main.exitCode).toBe(1);
        expect(main.errors).toEqual([
          "The docker CLI is not on PATH: install docker on the runner, or set 'login' to false to only get the outputs.",
        ]);
        expect(emulator.requests).toHaveLength(0);
        expect(emulator.issued).toHaveLength(0);
        expect(main.state).toEqual({});
      });
    });

    it(`a docker-config-dir that is a regular file fails before any request, naming the input${suffix(debug)}`, async () => {
      await withEmulator({}, async (emulator) => {
        const shim = createDockerShim();
        const workspace = createWorkspace();
        const file = join(workspace.runnerTemp, 'docker-config');
        writeFileSync(file, 'not a directory\n');
        const main = await run(
          emulator,
          debug,
          { 'docker-config-dir': file },
          { workspace, pathPrefix: [shim.dir] },
        );
        recordRun(ACTION, `docker-config-dir is a file${suffix(debug)}`, main, emulator.requests.length);
        expect(main.exitCode).toBe(1);
        expect(main.errors).toHaveLength(1);
        expect(main.errors[0]).toMatch(
          /^Input 'docker-config-dir' names a file \(or a path through one\), not a directory/,
        );
        expect(emulator.requests).toHaveLength(0);
        expect(shim.calls()).toEqual([]);
        expect(main.state).toEqual({});
        expect(readFileSync(file, 'utf8')).toBe('not a directory\n');
      });
    });
  }
});
