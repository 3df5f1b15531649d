// Stand-ins for what an action's step reaches outside its dependency bag when a test drives act()
// in-process: the runner's file commands, the mask registry, the bag's logger and clock, and a
// port that refuses connections.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, type Logger, setMaskFunction } from '@cloudcreds/core';

export type FileCommand = 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE' | 'GITHUB_STEP_SUMMARY';

export interface FileCommandFiles {
  paths: Record<FileCommand, string>;
  read(file: FileCommand): string;
}

/**
 * Empty file-command files in `dir`, named in process.env: publish() and saveState() write through
 * @actions/core, which finds them there. The caller restores process.env.
 */
export function fileCommandFiles(dir = mkdtempSync(join(tmpdir(), 'file-commands-'))): FileCommandFiles {
  const paths = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const file of Object.values(paths)) writeFileSync(file, '');
  Object.assign(process.env, paths);
  return { paths, read: (file) => readFileSync(paths[file], 'utf8') };
}

/** Every value registered as a secret from now on, in order. */
export function recordMasks(): string[] {
  const masked: string[] = [];
  setMaskFunction((value) => masked.push(value));
  return masked;
}

export type LogLevel = 'info' | 'warning' | 'notice' | 'debug';

export type RecordingLogger = Logger & {
  lines: Array<[LogLevel, string]>;
  /** The lines logged at one level, in order. */
  at(level: LogLevel): string[];
};

export function recordingLogger(debug = false): RecordingLogger {
  const lines: Array<[LogLevel, string]> = [];
  return {
    lines,
    at: (level) => lines.filter(([logged]) => logged === level).map(([, message]) => message),
    info: (message) => void lines.push(['info', message]),
    warning: (message) => void lines.push(['warning', message]),
    notice: (message) => void lines.push(['notice', message]),
    debug: (message) => void lines.push(['debug', message]),
    isDebug: () => debug,
  };
}

/** Wall-clock time, and sleeps that return at once. */
export const instantClock = (): Clock => ({ now: () => Date.now(), sleep: async () => {} });

/** Time that passes only when slept, from `start`; every sleep is remembered. */
export function fakeClock(start = 0): Clock & { slept: number[] } {
  const slept: number[] = [];
  let now = start;
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** A loopback port with nothing listening: connecting is refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
