// scripts/serve-emulators.ts as the CI self-test job starts it, but with an env file that does not
// exist yet (a developer's first run): it must create the file with the job's variables, mask the
// secrets, report ready, and stop cleanly on SIGTERM.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands, repoRoot, requireTools } from '@cloudcreds/harness';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(repoRoot, 'scripts/serve-emulators.ts');
const { skip } = requireTools(['docker', 'docker-registry', 'htpasswd']);

async function waitFor(file: string, child: ChildProcess, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!existsSync(file)) {
    if (child.exitCode !== null) throw new Error(`serve-emulators exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`no ${file} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(skip)('serve-emulators with an env file that does not exist yet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serve-emulators-'));
  const envFile = join(dir, 'github-env');
  const readyFile = join(dir, 'ready');
  let child: ChildProcess | undefined;
  let stdout = '';

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates it with the variables, masks the secrets, and stops on SIGTERM', async () => {
    expect(existsSync(envFile)).toBe(false);
    child = spawn(process.execPath, [script, '--github-env', envFile, '--ready-file', readyFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    await waitFor(readyFile, child, 60_000);

    expect(readFileSync(readyFile, 'utf8').trim()).toBe(String(child.pid));
    const variables = parseFileCommands(readFileSync(envFile, 'utf8'));
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        'SWR_EMULATOR_URL',
        'SWR_EMULATOR_SK',
        'CSE_EMULATOR_PASSWORD',
        'EMULATOR_CA_FILE',
      ]),
    );
    expect(variables['SWR_EMULATOR_URL']).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
    for (const secret of ['SWR_EMULATOR_SK', 'CSE_EMULATOR_PASSWORD', 'UCLOUD_EMULATOR_PRIVATE_KEY']) {
      expect(stdout, secret).toContain(`::add-mask::${variables[secret]}`);
    }

    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});

describe('serve-emulators usage', () => {
  it('names both options, in one line, when one is missing', () => {
    const run = spawnSync(process.execPath, [script, '--ready-file', 'x'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'usage: node scripts/serve-emulators.ts --github-env <file> --ready-file <file>',
    );
  });
});
