// A run that fails on its inputs must evaluate only what that needs. The heavy half of core
// (transport.ts: @actions/http-client and node:http/https/tls; results.ts: @actions/core, which
// imports http-client too) costs such a run more than everything else it does (bench/README.md).
// The light half (inputs, masks, the entry wrappers) must therefore never import it: checked on
// the sources, and on every committed bundle's run without inputs, which must not load an HTTP,
// TLS, crypto or child-process module at all (the actions load those after their inputs are valid).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputEnvironment, repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

const source = (file: string): string => fileURLToPath(new URL(`../src/${file}`, import.meta.url));
const recorder = fileURLToPath(new URL('fixtures/record-modules.mjs', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

/** Every module URL a fresh Node process resolves while importing `files` from core's sources. */
async function resolvedBy(files: string[]): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
    for (const file of ${JSON.stringify(files.map(source))}) await import(file);
    console.log(JSON.stringify([...seen]));`;
  const result = await run(['--input-type=module', '--eval', script], { PATH: process.env['PATH'] ?? '' });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as string[];
}

// node:net is not in the list: a process whose stdout is a pipe (the runner's, this test's) loads
// it for process.stdout itself.
const HEAVY = /@actions\/|^node:(http|https|tls|crypto|child_process)$/;

describe("core's light half", () => {
  it('imports neither @actions/* nor HTTP, TLS, crypto or child-process modules', async () => {
    const light = ['run.ts', 'inputs.ts', 'secrets.ts', 'commands.ts', 'errors.ts', 'body.ts', 'retry.ts'];
    const resolved = await resolvedBy([...light, 'clock.ts', 'version.ts']);
    expect(resolved.some((url) => url.includes('/node_modules/zod/'))).toBe(true);
    expect(resolved.filter((url) => HEAVY.test(url) || url.includes('/@actions/'))).toEqual([]);
  });

  it('is told apart from the heavy half, which does load them', async () => {
    const resolved = await resolvedBy(['transport.ts', 'results.ts']);
    expect(resolved.filter((url) => url.includes('/@actions/http-client/'))).not.toEqual([]);
    expect(resolved.filter((url) => url.includes('/@actions/core/'))).not.toEqual([]);
    expect(resolved).toContain('node:https');
  });

  it('lets bundlers drop what a path does not use (package.json sideEffects: false)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.sideEffects).toBe(false);
  });
});

const bundles = readdirSync(join(repoRoot, 'dist')).flatMap((action) =>
  readdirSync(join(repoRoot, 'dist', action))
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => [action, file] as const),
);

describe.each(bundles)('%s/%s run without inputs', (action, file) => {
  it('fails (or, for a post step, does nothing) without loading an HTTP, TLS, crypto or child-process module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'light-path-'));
    const modulesFile = join(dir, 'modules');
    const result = await run([`--import=${recorder}`, join(repoRoot, 'dist', action, file)], {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      RUNNER_TEMP: dir,
      GITHUB_WORKSPACE: dir,
      GITHUB_ACTIONS: 'true',
      ...inputEnvironment(action, {}),
      TEST_MODULES_FILE: modulesFile,
    });
    expect(result.code).toBe(file === 'main.mjs' ? 1 : 0);
    const loaded = readFileSync(modulesFile, 'utf8').split('\n');
    expect(loaded).toContain('os');
    expect(loaded.filter((name) => HEAVY.test(`node:${name}`))).toEqual([]);
  });
});
