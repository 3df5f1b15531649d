// A recording `docker` first on PATH: it logs each call's argv, stdin and DOCKER_CONFIG to a
// directory, then execs the real docker. Tests read the log to prove the password arrived on stdin
// only, and that docker was (or was never) invoked. With `hold`, calls of one docker command wait
// inside the shim, after it has read their stdin, until the test releases them: from outside, the
// moment a job is cancelled in the middle of a `docker login`.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DockerCall {
  argv: string[];
  stdin: string;
  /** DOCKER_CONFIG as docker saw it ('' when unset). */
  dockerConfig: string;
}

export interface DockerShimOptions {
  /** The docker CLI the shim runs (default: the one on PATH). */
  realDocker?: string;
  /** Hold every call of this docker command (e.g. `login`) until `release()`. */
  hold?: string;
}

export interface DockerShim {
  /** Put this directory first on PATH. */
  dir: string;
  calls(): DockerCall[];
  /** With `hold`: resolves once a call is waiting in the shim (its stdin read, docker not started). */
  held(): Promise<void>;
  /**
   * With `hold`: lets the held calls go on, and resolves once each has finished. Their output goes
   * to files, not to whoever started them: that process may be gone by then.
   */
  release(): Promise<void>;
}

const WAIT_MS = 30_000;

export function createDockerShim(options: DockerShimOptions = {}): DockerShim {
  const realDocker = options.realDocker ?? findRealDocker();
  const root = mkdtempSync(join(tmpdir(), 'docker-shim-'));
  const dir = join(root, 'bin');
  const log = join(root, 'calls');
  const released = join(root, 'released');
  mkdirSync(dir);
  mkdirSync(log);
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const hold =
    options.hold === undefined
      ? ''
      : `if [ "\${1-}" = ${quote(options.hold)} ]; then
  : > "$call/held"
  while [ ! -e ${quote(released)} ]; do sleep 0.02; done
  ${quote(realDocker)} "$@" < "$call/stdin" > "$call/stdout" 2> "$call/stderr"
  status=$?
  : > "$call/finished"
  exit $status
fi
`;
  // stdin is read only for --password-stdin: @actions/exec leaves stdin open otherwise.
  const script = `#!/bin/sh
call=$(mktemp -d ${quote(log)}/$(date +%s%N).XXXXXX)
for arg in "$@"; do printf '%s\\0' "$arg"; done > "$call/argv"
printf '%s' "\${DOCKER_CONFIG-}" > "$call/docker_config"
: > "$call/stdin"
for arg in "$@"; do
  if [ "$arg" = "--password-stdin" ]; then cat > "$call/stdin"; fi
done
${hold}exec ${quote(realDocker)} "$@" < "$call/stdin"
`;
  writeFileSync(join(dir, 'docker'), script);
  chmodSync(join(dir, 'docker'), 0o755);
  const callDirs = (): string[] =>
    existsSync(log)
      ? readdirSync(log)
          .sort()
          .map((name) => join(log, name))
      : [];
  const heldCalls = (): string[] => callDirs().filter((call) => existsSync(join(call, 'held')));
  return {
    dir,
    calls: () =>
      callDirs().map((call) => {
        const read = (file: string): string => readFileSync(join(call, file), 'utf8');
        return {
          argv: read('argv').split('\0').slice(0, -1),
          stdin: read('stdin'),
          dockerConfig: read('docker_config'),
        };
      }),
    held: () => until('a docker call held in the shim', () => heldCalls().length > 0),
    release: async () => {
      writeFileSync(released, '');
      await until('the held docker calls to finish', () =>
        heldCalls().every((call) => existsSync(join(call, 'finished'))),
      );
    },
  };
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function findRealDocker(): string {
  return execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
}
