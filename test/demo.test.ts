// `npm run demo` is a newcomer's first contact: it must work on a fresh install, show all three
// actions, and — being a log that people paste into issues — never print a secret, in any form
// the runner would mask.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTools, repoRoot, variantsOf } from '@cloudcreds/harness';
import { beforeAll, describe, expect, it } from 'vitest';

const ACTIONS = ['swr-login', 'cse-token', 'ucloud-authconfig'];

let exitCode: number | null;
let printed = '';
let secrets: Record<string, string[]> = {};
let secretsFileMode = 0;

beforeAll(async () => {
  const secretsFile = join(mkdtempSync(join(tmpdir(), 'demo-test-')), 'secrets.json');
  const child = spawn(process.execPath, [join(repoRoot, 'scripts/demo.ts'), '--secrets-file', secretsFile], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    printed += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    printed += chunk;
  });
  exitCode = await new Promise((resolve) => child.on('close', resolve));
  secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string[]>;
  secretsFileMode = statSync(secretsFile).mode & 0o777;
}, 120_000);

describe('npm run demo', () => {
  it('exits 0 and says all three actions worked', () => {
    expect(exitCode, printed).toBe(0);
    expect(printed).toContain('All three actions worked.');
  });

  it.each(ACTIONS)(
    'shows a section for %s with its log, outputs, exported variables and summary',
    (action) => {
      const start = printed.indexOf(`━━ ${action} · `);
      expect(start, `no section header for ${action}`).toBeGreaterThan(-1);
      const next = printed.indexOf('\n━━ ', start + 1);
      const section = printed.slice(start, next < 0 ? undefined : next);
      for (const part of [`▶ Run ./actions/${action}`, '  log\n', '  outputs\n', '  exported variables\n']) {
        expect(section).toContain(part);
      }
      expect(section).toContain('  job summary\n');
      expect(section).toContain(`✔ ${action} worked`);
    },
  );

  it('runs swr-login with a real docker login and logs out in the post step (when the tools exist)', () => {
    if (missingTools(['docker', 'docker-registry', 'htpasswd']).length > 0) {
      expect(printed).toContain('`login: false`');
      return;
    }
    expect(printed).toMatch(/Logged in to 127\.0\.0\.1:\d+/);
    expect(printed).toContain('▶ Post Run ./actions/swr-login');
    expect(printed).toMatch(/docker config after post\n {4}auths: \(none\)/);
  });

  it('shows masked outputs as *** and nothing else in their place', () => {
    expect(printed).toMatch(/\n {4}password +\*\*\*\n/);
    expect(printed).toMatch(/\n {4}token +\*\*\*\n/);
    expect(printed).toMatch(/\n {4}authorization +\*\*\*\n/);
    expect(printed).toMatch(/\n {4}key +\*\*\*\n/);
  });

  it('hands the test every secret it used, in a file only its owner can read', () => {
    expect(Object.keys(secrets).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) expect(secrets[action]?.length, action).toBeGreaterThan(1);
    expect(secretsFileMode).toBe(0o600);
  });

  it('never prints a secret of any emulator, raw or in a form the runner masks', () => {
    const all = Object.values(secrets).flat();
    const shown = all.filter((secret) => variantsOf(secret).some((variant) => printed.includes(variant)));
    expect(shown).toEqual([]);
  });
});
