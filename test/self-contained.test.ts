// A clone must pass its tests wherever it sits, with nothing beside it: no file of the repository
// may lean on a folder next to it or on the layout of one team's machines. The rule, per line:
//
// - everywhere: no climb into a sibling folder named shared (the folder a team keeps next to its
//   clones), and no absolute path under the roots where this team's machines keep checkouts and
//   home folders (/work, /root), a personal home (/home/<user>, /Users/<user>) — GitHub's runner
//   home, /home/runner, is a path every workflow author knows and stays allowed as an example;
// - in code that runs (not tests, not documentation): no literal /tmp path either. Temporary files
//   come from os.tmpdir()/mkdtemp or $RUNNER_TEMP, so parallel runs never share one, and a machine
//   whose temporary folder lives elsewhere works too. Tests may name /tmp paths as data handed to
//   a pure function, and documentation as an example for the reader.
//
// dist/ (third-party code, bundled) and package-lock.json (registry URLs) are generated: skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

const SIBLING_SHARED = /(?:^|[^\w.])\.\.\/(?:\.\.\/)*shared\b/;
const MACHINE_ROOT = /(?<![\w.~$/-])\/(?:work|root)\/(?=[\w.-])/;
const PERSONAL_HOME = /(?<![\w.~$/-])\/(?:home\/(?!runner\b)[\w.-]+|Users\/[\w.-]+)\//;
const TEMP_LITERAL = /(?<![\w.~$/-])\/tmp\//;

/** A file whose text never runs on a machine: tests name paths as data, documents as examples. */
function isTestOrDocument(path: string): boolean {
  return /(^|\/)test\//.test(path) || /\.test\.ts$/.test(path) || /\.md$/.test(path);
}

/** Every `path:line: text` of `text` that names a path outside the repository. */
function findMachinePaths(path: string, text: string): string[] {
  const rules = isTestOrDocument(path)
    ? [SIBLING_SHARED, MACHINE_ROOT, PERSONAL_HOME]
    : [SIBLING_SHARED, MACHINE_ROOT, PERSONAL_HOME, TEMP_LITERAL];
  return text
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => rules.some((rule) => rule.test(line)))
    .map(({ line, number }) => `${path}:${number}: ${line.trim()}`);
}

/** Tracked files plus new ones not yet added (so a violation shows before it is committed). */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter(Boolean)
    .filter((path) => !path.startsWith('dist/') && path !== 'package-lock.json')
    .filter((path) => existsSync(join(repoRoot, path)));
}

describe('the repository is self-contained', () => {
  it('no file names a path outside the repository', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((path) => {
      const bytes = readFileSync(join(repoRoot, path));
      return bytes.includes(0) ? [] : findMachinePaths(path, bytes.toString('utf8'));
    });
    expect(found).toEqual([]);
  });
});

describe('the rule', () => {
  // Built from parts so that this file does not itself contain what it forbids.
  const up = '..';
  const sibling = `${up}/shared`;
  it.each([
    ['scripts/x.ts', `const specs = '${sibling}/specs/swr.md';`],
    ['test/x.test.ts', `readFileSync(join(root, '${up}/${sibling}/vectors/a.json'))`],
    ['README.md', `see ${sibling}/specs/runner.md`],
    ['scripts/x.ts', `const vectors = '/${'work'}/shared/vectors';`],
    ['test/x.test.ts', `const home = '/${'root'}/.docker';`],
    ['docs.md', `cd /${'home'}/alice/src/actions`],
    ['bench/x.ts', `const out = '/${'tmp'}/bench-results.json';`],
    ['.github/workflows/x.yml', `run: cp dist /${'tmp'}/dist`],
  ])('flags %s: %s', (path, line) => {
    expect(findMachinePaths(path, line)).toHaveLength(1);
  });

  it.each([
    ['test/x.test.ts', "readSettings(env, '/home/runner/work/repo')"],
    ['test/x.test.ts', "configDir: '/tmp/docker-config'"],
    ['bench/README.md', 'npm run bench -- --dist /tmp/before/dist'],
    ['actions/x/action.yml', 'main: ../../dist/x/main.mjs'],
    ['scripts/x.ts', "const PATH = '/usr/bin:/bin';"],
    ['scripts/x.ts', 'const dir = mkdtempSync(join(tmpdir(), "release-"));'],
    ['README.md', 'https://github.com/work/repo and ./shared/thing'],
  ])('allows %s: %s', (path, line) => {
    expect(findMachinePaths(path, line)).toEqual([]);
  });
});
