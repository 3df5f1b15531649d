// A real OCI registry for end-to-end logins: Debian's docker-registry (distribution 2.x) on
// 127.0.0.1 at a free port, htpasswd (bcrypt) auth for one or more users, storage in a temporary
// directory. Plain HTTP is fine for docker, which treats 127.0.0.0/8 registries as insecure by
// default; skopeo does not, so `skopeoListTags` passes --tls-verify=false.
//
// bcrypt reads only the first 72 bytes of a password: two passwords that share those are the same
// password to this registry, so a "wrong password" test must differ early.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface Registry {
  /** host:port, as docker names it. */
  host: string;
  url: string;
  /**
   * Pushes a minimal image (an OCI manifest with a config blob and no layers) as
   * `<repository>:<tag>`, over the registry's HTTP API as the first user, so that list-tags
   * and pulls have something to find.
   */
  pushImage(repository: string, tag: string): Promise<void>;
  /**
   * `skopeo list-tags` of a repository here, as another client reading docker's login would run
   * it: only `env` decides which credentials it finds (see the function of the same name).
   */
  skopeoListTags(repository: string, env: NodeJS.ProcessEnv): Promise<SkopeoResult>;
  stop(): Promise<void>;
}

export interface SkopeoResult {
  /** 0 when the registry answered with the tags. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The tags listed (empty when it failed). */
  tags: string[];
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

/** One user, or several (e.g. the CreateSecret user and an Enterprise `user_id`) in one htpasswd. */
export async function startRegistry(
  users: RegistryUser | [RegistryUser, ...RegistryUser[]],
): Promise<Registry> {
  const all = Array.isArray(users) ? users : [users];
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const htpasswd = all
    .map((user) =>
      execFileSync('htpasswd', ['-Bbn', user.username, user.password], { encoding: 'utf8' }).trim(),
    )
    .join('\n');
  writeFileSync(join(dir, 'htpasswd'), `${htpasswd}\n`);
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
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url,
    pushImage: (repository, tag) => pushImage(url, repository, tag, all[0] as RegistryUser),
    skopeoListTags: (repository, env) => skopeoListTags(host, repository, env),
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

/** The registry API's blob upload (POST, then PUT with the digest) and manifest PUT, with Basic auth. */
async function pushImage(url: string, repository: string, tag: string, user: RegistryUser): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: {},
    }),
  );
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization },
  });
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new Error(`blob upload refused: HTTP ${start.status}`);
  const upload = new URL(location, url);
  upload.searchParams.set('digest', digest);
  const blob = await fetch(upload, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/octet-stream' },
    body: config,
  });
  if (blob.status !== 201) throw new Error(`blob upload failed: HTTP ${blob.status}`);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length },
    layers: [],
  };
  const put = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { authorization, 'content-type': manifest.mediaType },
    body: JSON.stringify(manifest),
  });
  if (put.status !== 201) throw new Error(`manifest push failed: HTTP ${put.status}`);
}

/**
 * skopeo (containers/image) looks for credentials in REGISTRY_AUTH_FILE, then
 * $XDG_RUNTIME_DIR/containers/auth.json (else /run/containers/<uid>/auth.json), then
 * $HOME/.config/containers/auth.json, then $DOCKER_CONFIG/config.json (else ~/.docker/config.json).
 * So that only docker's login can authorise it, it runs with an empty HOME and XDG_RUNTIME_DIR of
 * its own and without REGISTRY_AUTH_FILE, unless `env` sets them; everything else comes from `env`.
 */
async function skopeoListTags(
  host: string,
  repository: string,
  env: NodeJS.ProcessEnv,
): Promise<SkopeoResult> {
  const isolated = mkdtempSync(join(tmpdir(), 'skopeo-'));
  const runtimeDir = join(isolated, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  try {
    const childEnv: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: isolated,
      XDG_RUNTIME_DIR: runtimeDir,
      ...env,
    };
    return await new Promise<SkopeoResult>((resolve) => {
      execFile(
        'skopeo',
        ['list-tags', '--tls-verify=false', `docker://${host}/${repository}`],
        { env: childEnv, timeout: 30_000, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          let tags: string[] = [];
          if (exitCode === 0) tags = (JSON.parse(stdout) as { Tags?: string[] }).Tags ?? [];
          resolve({ exitCode, stdout, stderr, tags });
        },
      );
    });
  } finally {
    rmSync(isolated, { recursive: true, force: true });
  }
}
