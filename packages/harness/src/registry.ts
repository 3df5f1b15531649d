// A real OCI registry for end-to-end logins: Debian's docker-registry (distribution 2.x) on
// 127.0.0.1 at a free port, htpasswd (bcrypt) auth, storage in a temporary directory. Plain HTTP
// is fine: docker treats 127.0.0.0/8 registries as insecure by default.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface Registry {
  /** host:port, as docker names it. */
  host: string;
  url: string;
  stop(): Promise<void>;
}

/** Tools an end-to-end login needs that are missing from this machine. */
export function missingTools(tools: string[] = ['docker', 'docker-registry', 'htpasswd']): string[] {
  return tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * The tools a group of tests needs: missing ones skip the group on a developer's machine, and fail
 * it under CI=true (.ci/run installs them: a skip there would hide a broken install).
 */
export function requireTools(tools: string[]): { missing: string[]; skip: boolean } {
  const missing = missingTools(tools);
  return { missing, skip: missing.length > 0 && process.env['CI'] !== 'true' };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startRegistry(credentials: { username: string; password: string }): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const htpasswd = execFileSync('htpasswd', ['-Bbn', credentials.username, credentials.password], {
    encoding: 'utf8',
  });
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      'auth:',
      '  htpasswd:',
      '    realm: test-registry',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child, () => stderr);
  return {
    host: `127.0.0.1:${port}`,
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The registry answers /v2/ with 401 (auth required) once it listens. */
async function waitUntilServing(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr()}`);
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not start within 10 s: ${stderr()}`);
}
