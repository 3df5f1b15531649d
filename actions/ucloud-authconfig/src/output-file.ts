// The result for later steps that read a file rather than an output. Masking never protects a
// file, so it is private to the runner user (0600), and it is written under a temporary name and
// renamed: a reader sees the old file or the whole new one, never half of it.
//
// The temporary file holds every key, so it must not outlive a cancelled job. Three things make
// sure of that:
// - its path is recorded (main's state) before it exists, and the post step, which the runner runs
//   even after a cancel, removes it if it is still there: this covers every way main can end,
//   SIGKILL included;
// - create, write and rename are one synchronous stretch, and SIGINT and SIGTERM (how the runner
//   cancels a step) are caught from before it: Node runs a signal listener between two pieces of
//   JavaScript, never inside one, so the signal takes effect before the file exists or after the
//   rename, and is then raised again to end the process as it would have ended (or, when the step
//   has nothing left to wait for, it simply ends, its work done);
// - a failed write removes the file at once.
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '@cloudcreds/core';

/** The state entry main saves and post reads. */
export const TEMPORARY_FILE_STATE = 'temporary-file';

/** `.<name>.<uuid>.tmp` beside the file: hidden, and recognisable as ours by post. */
const TEMPORARY_NAME = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/**
 * Writes `content` to `path` (mode 0600) through a temporary sibling. `record` is told the
 * temporary path before the file is created, and must have stored it durably when it returns.
 */
export function writePrivateFile(path: string, content: string, record: (temporary: string) => void): void {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError(`Input 'output-file' names a directory`);
  }
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  deferTerminationSignals();
  record(temporary);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const descriptor = openSync(temporary, 'wx', 0o600);
    try {
      // The mode given to open() is filtered by the umask; fchmod states it exactly.
      fchmodSync(descriptor, 0o600);
      writeFileSync(descriptor, content, 'utf8');
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`Input 'output-file' cannot be written (${reason})`);
  }
}

/**
 * The post step's half: removes the temporary file main recorded, if a cancel left it behind.
 * Returns the path removed, or undefined when there was nothing to remove. Only a name of the
 * shape main gives its temporary files is ever touched.
 */
export function removeLeftover(recorded: string | undefined): string | undefined {
  if (!recorded || !TEMPORARY_NAME.test(basename(recorded))) return undefined;
  if (!statSync(recorded, { throwIfNoEntry: false })) return undefined;
  rmSync(recorded, { force: true });
  return recorded;
}

/**
 * When the directory itself is unusable there is nothing to remove (and rm says so with ENOTDIR or
 * EACCES); anything that does stay behind is still recorded for the post step.
 */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {}
}

const TERMINATION_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let deferring = false;

/**
 * From now until the process ends, SIGINT and SIGTERM end it at the next turn of the event loop
 * instead of at once. The listeners stay: removing the last one drops a signal that arrived
 * while synchronous code ran, and the cancel would be lost.
 */
function deferTerminationSignals(): void {
  if (deferring) return;
  deferring = true;
  const reraise = (signal: NodeJS.Signals): void => {
    for (const name of TERMINATION_SIGNALS) process.removeListener(name, reraise);
    process.kill(process.pid, signal);
  };
  for (const name of TERMINATION_SIGNALS) process.on(name, reraise);
}
