// Each distribution tree must be a complete action on its own: action.yml at its root pointing
// inside the tree, the bundles, README and LICENSE; and its bundle must run as the runner runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readActionMetadata, repoRoot, runAction } from './harness/index.ts';

const actions = readdirSync(join(repoRoot, 'actions')).filter((name) =>
  existsSync(join(repoRoot, 'actions', name, 'action.yml')),
);
const out = mkdtempSync(join(tmpdir(), 'release-'));
let printed = '';

beforeAll(() => {
  printed = execFileSync(
    process.execPath,
    [join(repoRoot, 'scripts/release.ts'), '--out', out, '--org', 'example-org'],
    { encoding: 'utf8' },
  );
});

describe.each(actions)('distribution tree of %s', (action) => {
  const tree = join(out, action);

  it('holds action.yml, README, LICENSE and the bundles, with entries inside the tree', () => {
    for (const file of ['action.yml', 'README.md', 'LICENSE', 'dist/main.mjs', 'dist/licenses.txt']) {
      expect(existsSync(join(tree, file)), file).toBe(true);
    }
    const source = readActionMetadata(action);
    const released = readActionMetadata(tree);
    expect(released.inputs).toEqual(source.inputs);
    expect(released.outputs).toEqual(source.outputs);
    expect(released.runs.main).toBe('dist/main.mjs');
    if (source.runs.post) expect(released.runs.post).toBe('dist/post.mjs');
  });

  it('prints the version and moving major tag commands', () => {
    expect(printed).toContain(`# example-org/${action} v1.0.0`);
    expect(printed).toMatch(
      new RegExp(`git -C ${tree} tag -a v1\\.0\\.0 -m "v1\\.0\\.0" && git -C ${tree} tag -f v1`),
    );
  });

  it('runs from the tree as the runner runs it (no package.json beside the bundle)', async () => {
    expect(existsSync(join(tree, 'package.json'))).toBe(false);
    const result = await runAction({ action: tree });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Input '[a-z-]+' is required/);
  });
});
