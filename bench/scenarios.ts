// What each bundle is benchmarked doing: (a) a run with no inputs (the cost every misconfigured
// or fork-PR run pays before failing) and (b) the full happy path against its emulator — for
// swr-login including the real `docker login` to a local registry. Each prepare() gives a fresh
// runner environment (file-command files, RUNNER_TEMP, docker config), as every job step gets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceCenterEmulator } from '@cloudcreds/emulators/service-center';
import { startSwrEmulator } from '@cloudcreds/emulators/swr';
import { startUcloudEmulator } from '@cloudcreds/emulators/ucloud';
import { inputEnvironment, repoRoot, startRegistry } from '@cloudcreds/harness';
import type { Command } from './measure.ts';

export interface HappyPath {
  prepare(): Promise<Command>;
  /** Docker's own login to the same registry, with the same credentials (swr-login only). */
  dockerLogin?: () => Promise<{ args: string[]; env: Record<string, string>; stdin: string }>;
  /** The registry and credentials, for a peer login action measured on the same registry. */
  registry?: { host: string; username: string; password: string };
  stop(): Promise<void>;
}

/** The environment the runner gives every step, with fresh file-command files. */
export function runnerEnvironment(): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'bench-step-'));
  const files: Record<string, string> = {};
  for (const [name, file] of [
    ['GITHUB_OUTPUT', 'output'],
    ['GITHUB_ENV', 'env'],
    ['GITHUB_STATE', 'state'],
    ['GITHUB_PATH', 'path'],
    ['GITHUB_STEP_SUMMARY', 'summary'],
  ] as const) {
    files[name] = join(root, file);
    writeFileSync(files[name], '');
  }
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: root,
    RUNNER_TEMP: root,
    GITHUB_WORKSPACE: root,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    ...files,
  };
}

let bundles = join(repoRoot, 'dist');

/** Where the bundles come from: dist/ unless another build is compared (`--dist`). */
export function bundleDirectory(directory?: string): string {
  if (directory !== undefined) bundles = directory;
  return bundles;
}

export function bundlePath(action: string, entry = 'main'): string {
  return join(bundles, action, `${entry}.mjs`);
}

export function noInputs(action: string): () => Promise<Command> {
  return async () => ({
    args: [bundlePath(action)],
    env: { ...runnerEnvironment(), ...inputEnvironment(action, {}) },
  });
}

function actionRun(action: string, inputs: () => Record<string, string>): () => Promise<Command> {
  return async () => ({
    args: [bundlePath(action)],
    env: { ...runnerEnvironment(), ...inputEnvironment(action, inputs()) },
  });
}

async function swrLogin(): Promise<HappyPath> {
  const credentials = {
    username: 'cn-north-4@BENCHTEMPORARYAK01',
    password: 'bench-registry-password-0123456789',
  };
  const registry = await startRegistry(credentials);
  const emulator = await startSwrEmulator({ registry: registry.host, ...credentials });
  const configDir = (): string => mkdtempSync(join(tmpdir(), 'bench-docker-config-'));
  return {
    prepare: actionRun('swr-login', () => ({
      region: 'cn-north-4',
      endpoint: emulator.url,
      'access-key-id': emulator.accessKeyId,
      'access-key-secret': emulator.secretAccessKey,
      'docker-config-dir': configDir(),
    })),
    dockerLogin: async () => ({
      args: ['login', '--username', credentials.username, '--password-stdin', registry.host],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), DOCKER_CONFIG: configDir() },
      stdin: credentials.password,
    }),
    registry: { host: registry.host, ...credentials },
    stop: async () => {
      await emulator.close();
      await registry.stop();
    },
  };
}

async function cseToken(): Promise<HappyPath> {
  const emulator = await startServiceCenterEmulator();
  if (!emulator.ca) throw new Error('the service-center emulator serves HTTPS by default');
  const ca = emulator.ca.certPath;
  return {
    prepare: actionRun('cse-token', () => ({
      endpoint: emulator.url,
      username: emulator.username,
      password: emulator.password,
      'ca-cert': ca,
    })),
    stop: () => emulator.close(),
  };
}

async function ucloudAuthconfig(): Promise<HappyPath> {
  const emulator = await startUcloudEmulator();
  return {
    prepare: actionRun('ucloud-authconfig', () => ({
      'base-url': emulator.url,
      'public-key': emulator.publicKey,
      'private-key': emulator.privateKey,
      region: 'cn-bj2',
      zone: 'cn-bj2-04',
    })),
    stop: () => emulator.close(),
  };
}

export const happyPaths: Record<string, () => Promise<HappyPath>> = {
  'swr-login': swrLogin,
  'cse-token': cseToken,
  'ucloud-authconfig': ucloudAuthconfig,
};
