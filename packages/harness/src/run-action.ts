// Runs a built bundle exactly as the GitHub runner does: `node dist/<action>/<entry>.mjs` under
// Node 24, inputs as INPUT_<NAME> (defaults from action.yml), fresh file-command files, RUNNER_TEMP
// and HOME; then parses what the step wrote and renders its log as the runner would mask it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionDirectory, readActionMetadata } from './action-metadata.ts';
import { parseFileCommands } from './file-commands.ts';
import { maskText, type RenderedLog, renderLog } from './masking.ts';

export interface RunOptions {
  /** `actions/<name>` by name, `.` for the root action, or the absolute path of an action directory. */
  action: string;
  entry?: 'main' | 'post';
  inputs?: Record<string, string>;
  /** Extra environment (proxies, HUAWEI_CLOUD_* fallbacks, NODE_EXTRA_CA_CERTS, …). */
  env?: Record<string, string>;
  /** STATE_* values for a post run. */
  state?: Record<string, string>;
  /** Step debug (RUNNER_DEBUG=1). */
  debug?: boolean;
  /** Directories put first on PATH (e.g. a recording docker shim). */
  pathPrefix?: string[];
  /** Reuse the workspace of an earlier run (post after main). */
  workspace?: Workspace;
  /** Secrets the test knows of: every one must be masked before it shows. */
  secrets?: string[];
  /** Kill the run after this long (a guard against a hung bundle, not an assertion). */
  killAfterMs?: number;
  /** A test of unknown-host handling may let the DNS guard refuse names; others fail on any lookup. */
  allowBlockedLookups?: boolean;
  /**
   * Cancel the run the way the runner cancels a job: once `at()` resolves (the dangerous moment,
   * observed from outside), send each of `signals` in turn, `gapMs` apart (default 200), to a
   * process that is still there. The runner sends SIGINT, then SIGTERM 7.5 s later. If the run
   * ends before `at()` resolves, nothing is sent; if `at()` fails, the run is killed and the
   * failure is thrown.
   */
  interrupt?: { at: () => Promise<void>; signals?: NodeJS.Signals[]; gapMs?: number };
}

export interface Workspace {
  root: string;
  home: string;
  runnerTemp: string;
}

export interface RunResult {
  exitCode: number | null;
  /** The signal that ended the process (an interrupted run), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  outputs: Record<string, string>;
  exported: Record<string, string>;
  state: Record<string, string>;
  path: string[];
  summary: string;
  /** `::error::` lines (decoded) */
  errors: string[];
  warnings: string[];
  log: RenderedLog;
  /** stdout + stderr + state + summary, masked with every registered value: what a reader could see. */
  visible: string;
  workspace: Workspace;
  raw: { stateFile: string; envFile: string; outputFile: string };
  /** Hostnames the bundle tried to resolve (refused by packages/harness/src/dns-guard.mjs). */
  blockedLookups: string[];
  /** Peak resident set size of the action's process in bytes (packages/harness/src/peak-rss.mjs). */
  peakRssBytes: number;
}

const dnsGuard = fileURLToPath(new URL('dns-guard.mjs', import.meta.url));
const peakRss = fileURLToPath(new URL('peak-rss.mjs', import.meta.url));

export function createWorkspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'));
  const home = join(root, 'home');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(home);
  mkdirSync(runnerTemp);
  return { root, home, runnerTemp };
}

function requireNode24(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24)
    throw new Error(
      `bundle tests must run on Node 24 (the runner's node24), not ${process.versions.node}; use the npm scripts`,
    );
}

export function inputEnvironment(action: string, inputs: Record<string, string>): Record<string, string> {
  const metadata = readActionMetadata(action);
  const env: Record<string, string> = {};
  for (const [name, definition] of Object.entries(metadata.inputs)) {
    if (definition.default !== undefined) env[`INPUT_${name.toUpperCase()}`] = String(definition.default);
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in metadata.inputs)) throw new Error(`${action} has no input '${name}'`);
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  return env;
}

export async function runAction(options: RunOptions): Promise<RunResult> {
  requireNode24();
  const entry = options.entry ?? 'main';
  const workspace = options.workspace ?? createWorkspace();
  const step = mkdtempSync(join(workspace.root, `${entry}-`));
  const files = {
    GITHUB_OUTPUT: join(step, 'output'),
    GITHUB_ENV: join(step, 'env'),
    GITHUB_STATE: join(step, 'state'),
    GITHUB_PATH: join(step, 'path'),
    GITHUB_STEP_SUMMARY: join(step, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const dnsLog = join(step, 'dns-lookups');
  writeFileSync(dnsLog, '');
  const rssFile = join(step, 'peak-rss');

  const state: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.state ?? {})) state[`STATE_${name}`] = value;

  const env: Record<string, string> = {
    PATH: [...(options.pathPrefix ?? []), process.env['PATH'] ?? '/usr/bin:/bin'].join(':'),
    HOME: workspace.home,
    RUNNER_TEMP: workspace.runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace.root,
    ...files,
    ...inputEnvironment(options.action, options.inputs ?? {}),
    ...state,
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    TEST_DNS_LOG: dnsLog,
    TEST_PEAK_RSS_FILE: rssFile,
    ...options.env,
    // No bundle may resolve a name: the resolver is off the machine (dns-guard.mjs). A test's own
    // NODE_OPTIONS is kept, after the guard, never instead of it.
    NODE_OPTIONS: [`--import=${dnsGuard} --import=${peakRss}`, options.env?.['NODE_OPTIONS']]
      .filter(Boolean)
      .join(' '),
  };
  // As the runner does: the entry's path comes from action.yml, relative to its directory.
  const runs = readActionMetadata(options.action).runs;
  const relative = entry === 'main' ? runs.main : runs.post;
  if (!relative) throw new Error(`${options.action} has no ${entry} entry in action.yml`);
  const bundle = resolve(actionDirectory(options.action), relative);
  const started = performance.now();
  const child = spawn(process.execPath, [bundle], {
    env,
    cwd: workspace.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const interruption = options.interrupt ? interrupt(child, options.interrupt, closed) : undefined;
  interruption?.catch(() => {}); // thrown below, once the run has ended
  const { code: exitCode, signal } = await closed;
  clearTimeout(guard);
  const durationMs = performance.now() - started;
  await interruption;

  const read = (file: string): string => readFileSync(file, 'utf8');
  const blockedLookups = read(dnsLog).split('\n').filter(Boolean);
  if (blockedLookups.length > 0 && !options.allowBlockedLookups) {
    throw new Error(
      `${options.action} ${entry} tried to resolve ${blockedLookups.join(', ')}: tests stay on loopback`,
    );
  }
  const log = renderLog(stdout, options.secrets ?? [], options.debug ?? false);
  const visibleParts = [log.text, stderr, read(files.GITHUB_STATE), read(files.GITHUB_STEP_SUMMARY)];
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    durationMs,
    outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
    exported: parseFileCommands(read(files.GITHUB_ENV)),
    state: parseFileCommands(read(files.GITHUB_STATE)),
    path: read(files.GITHUB_PATH).split('\n').filter(Boolean),
    summary: read(files.GITHUB_STEP_SUMMARY),
    errors: commandLines(stdout, 'error'),
    warnings: commandLines(stdout, 'warning'),
    log,
    visible: maskText(visibleParts.join('\n'), log.masks),
    workspace,
    raw: { stateFile: files.GITHUB_STATE, envFile: files.GITHUB_ENV, outputFile: files.GITHUB_OUTPUT },
    blockedLookups,
    peakRssBytes: existsSync(rssFile) ? Number(read(rssFile)) : Number.NaN,
  };
}

/** Sends the interrupt's signals once its moment came, unless the run ended first. */
async function interrupt(
  child: ChildProcess,
  { at, signals = ['SIGINT', 'SIGTERM'], gapMs = 200 }: NonNullable<RunOptions['interrupt']>,
  closed: Promise<unknown>,
): Promise<void> {
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const moment = at();
  moment.catch(() => {}); // a moment that fails after the run ended is no longer anyone's concern
  try {
    const reached = await Promise.race([moment.then(() => true), closed.then(() => false)]);
    if (!reached) return;
  } catch (error) {
    if (running()) child.kill('SIGKILL');
    throw error;
  }
  for (const [index, signal] of signals.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (running()) child.kill(signal);
  }
}

/** Runs the post entry of an action after `main`, with main's state and workspace. */
export function runPostAfter(
  main: RunResult,
  options: Omit<RunOptions, 'entry' | 'state' | 'workspace'>,
): Promise<RunResult> {
  return runAction({ ...options, entry: 'post', state: main.state, workspace: main.workspace });
}

function commandLines(stdout: string, command: string): string[] {
  const prefix = `::${command}`;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) =>
      line
        .slice(line.indexOf('::', 2) + 2)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%'),
    );
}
