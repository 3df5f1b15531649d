// How one command is measured: instructions under callgrind (repeatable whatever the machine is
// doing), wall time as a median over many runs (noisy, so many), and peak RSS from the process's
// own rusage at exit. Every run is spawned asynchronously: the emulators answer from this process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Command {
  args: string[];
  env: Record<string, string>;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(executable: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(executable, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Runs once and returns its exit code; the benchmark checks each scenario does what it claims. */
export async function exitCodeOf(command: Command): Promise<Finished> {
  return run(process.execPath, command.args, command.env);
}

/**
 * Debian's `valgrind` is a /bin/sh script that sets three variables and execs `valgrind.bin`; dash
 * drops every environment variable whose name is not a shell identifier on the way, and the
 * runner's input variables keep their hyphens (INPUT_ACCESS-KEY-ID). Through the script an action
 * would be measured without those inputs, failing early. So the binary is run directly, with the
 * script's variables.
 */
function valgrind(): { executable: string; env: Record<string, string> } {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const binary = join(dir, 'valgrind.bin');
    if (dir !== '' && existsSync(binary)) {
      const library = process.env['LD_LIBRARY_PATH'];
      return {
        executable: binary,
        env: {
          LD_LIBRARY_PATH: library ? `${library}:/usr/lib/debug` : '/usr/lib/debug',
          GLIBCPP_FORCE_NEW: '1',
          GLIBCXX_FORCE_NEW: '1',
        },
      };
    }
  }
  return { executable: 'valgrind', env: {} };
}

/** Instructions executed (callgrind), and the exit code, which the caller checks: a run that failed early is cheap. */
export async function instructions(command: Command): Promise<{ count: number; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'callgrind-'));
  const tool = valgrind();
  try {
    const result = await run(
      tool.executable,
      ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'out')}`, process.execPath, ...command.args],
      { ...command.env, ...tool.env },
    );
    const collected = /Collected : (\d+)/.exec(result.stderr);
    if (!collected?.[1]) throw new Error(`callgrind reported no count:\n${result.stderr.slice(-2000)}`);
    return { count: Number(collected[1]), code: result.code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function medianWallMs(prepare: () => Promise<Command>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const command = await prepare();
    times.push((await run(process.execPath, command.args, command.env)).ms);
  }
  return median(times);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const peakRssPreload = fileURLToPath(import.meta.resolve('@cloudcreds/harness/peak-rss.mjs'));

export async function peakRssBytes(command: Command): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rss-'));
  const file = join(dir, 'rss');
  try {
    await run(process.execPath, command.args, {
      ...command.env,
      NODE_OPTIONS: `--import=${peakRssPreload}`,
      TEST_PEAK_RSS_FILE: file,
    });
    return Number(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS varies by a few hundred kB from run to run: the median of several runs is reported. */
export async function medianPeakRssBytes(prepare: () => Promise<Command>, runs: number): Promise<number> {
  const peaks: number[] = [];
  for (let index = 0; index < runs; index++) peaks.push(await peakRssBytes(await prepare()));
  return median(peaks);
}

/** Median wall time of any executable (the docker CLI's own login, for the comparison). */
export async function medianWallMsOf(
  executable: string,
  prepare: () => Promise<{ args: string[]; env: Record<string, string>; stdin?: string }>,
  runs: number,
): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const command = await prepare();
    const started = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(executable, command.args, { env: command.env, stdio: ['pipe', 'ignore', 'pipe'] });
      child.on('error', reject);
      child.on('close', resolve);
      child.stdin.end(command.stdin ?? '');
    });
    if (code !== 0) throw new Error(`${executable} ${command.args.join(' ')} exited ${code}`);
    times.push(performance.now() - started);
  }
  return median(times);
}
