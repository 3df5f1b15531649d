// A recording `docker` first on PATH: it logs each call's argv, stdin and DOCKER_CONFIG to a
// directory, then execs the real docker. Tests read the log to prove the password arrived on stdin
// only, and that docker was (or was never) invoked.
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

export interface DockerShim {
  /** Put this directory first on PATH. */
  dir: string;
  calls(): DockerCall[];
}

export function createDockerShim(realDocker = findRealDocker()): DockerShim {
  const root = mkdtempSync(join(tmpdir(), 'docker-shim-'));
  const dir = join(root, 'bin');
  const log = join(root, 'calls');
  mkdirSync(dir);
  mkdirSync(log);
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  // stdin is read only for --password-stdin: @actions/exec leaves stdin open otherwise.
  const script = `#!/bin/sh
call=$(mktemp -d ${quote(log)}/$(date +%s%N).XXXXXX)
for arg in "$@"; do printf '%s\\0' "$arg"; done > "$call/argv"
printf '%s' "\${DOCKER_CONFIG-}" > "$call/docker_config"
: > "$call/stdin"
for arg in "$@"; do
  if [ "$arg" = "--password-stdin" ]; then
    cat > "$call/stdin"
    exec ${quote(realDocker)} "$@" < "$call/stdin"
  fi
done
exec ${quote(realDocker)} "$@"
`;
  writeFileSync(join(dir, 'docker'), script);
  chmodSync(join(dir, 'docker'), 0o755);
  return {
    dir,
    calls: () =>
      existsSync(log)
        ? readdirSync(log)
            .sort()
            .map((name) => {
              const read = (file: string): string => readFileSync(join(log, name, file), 'utf8');
              return {
                argv: read('argv').split('\0').slice(0, -1),
                stdin: read('stdin'),
                dockerConfig: read('docker_config'),
              };
            })
        : [],
  };
}

function findRealDocker(): string {
  return execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
}
