// Each distribution tree must be a complete action on its own: action.yml at its root pointing
// inside the tree, the bundles, README and LICENSE; its bundles must run as the runner runs them;
// and the printed commands must publish an immutable vX.Y.Z release and move the plain vX tag.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readActionMetadata, repoRoot, runAction } from '@cloudcreds/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseNotes, rewriteLinks } from '../scripts/release.ts';

const actions = readdirSync(join(repoRoot, 'actions')).filter((name) =>
  existsSync(join(repoRoot, 'actions', name, 'action.yml')),
);
const out = mkdtempSync(join(tmpdir(), 'release-'));
const release = join(repoRoot, 'scripts/release.ts');
let printed = '';

beforeAll(() => {
  printed = execFileSync(
    process.execPath,
    [release, '--out', out, '--org', 'example-org', '--repo', 'mono'],
    {
      encoding: 'utf8',
    },
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
    for (const file of readdirSync(join(repoRoot, 'dist', action))) {
      expect(
        readFileSync(join(tree, 'dist', file)).equals(readFileSync(join(repoRoot, 'dist', action, file))),
        file,
      ).toBe(true);
    }
  });

  it('prints commands that push the tree, release vX.Y.Z and move the plain vX tag', () => {
    const block = printed.slice(printed.indexOf(`# example-org/${action} v1.0.0: ${tree}`));
    expect(block).toContain(`git remote add origin https://github.com/example-org/${action}.git`);
    expect(block).toContain(`git commit -qm "${action} v1.0.0" && git push origin main`);
    expect(block).toContain('git tag -a v1.0.0 -m "v1.0.0" && git push origin v1.0.0');
    expect(block).toMatch(
      new RegExp(`gh release create v1\\.0\\.0 --repo example-org/${action} --verify-tag`),
    );
    // The major tag is lightweight (no -a, no release): an immutable release would pin it forever.
    expect(block).toContain('git tag -f v1 v1.0.0^{} && git push -f origin v1');
  });

  it('runs main from the tree as the runner runs it (no package.json beside the bundle)', async () => {
    expect(existsSync(join(tree, 'package.json'))).toBe(false);
    const result = await runAction({ action: tree });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Input '[a-z-]+' is required/);
  });

  if (readActionMetadata(action).runs.post) {
    it('runs post from the tree: with no state there is nothing to undo', async () => {
      const result = await runAction({ action: tree, entry: 'post' });
      expect(result.stderr).toBe('');
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
    });
  }
});

describe('release script', () => {
  it('also prints the monorepo tags (root action and actions/<name>)', () => {
    expect(printed).toContain('# example-org/mono v1.0.0: the monorepo');
    expect(printed).toMatch(/gh release create v1\.0\.0 --repo example-org\/mono --verify-tag/);
  });

  it('takes the release notes from the CHANGELOG section of the version', () => {
    const notes = readFileSync(join(out, 'RELEASE_NOTES-v1.0.0.md'), 'utf8');
    expect(notes).toContain('swr-login');
    expect(notes).not.toContain('## [');
  });

  it('refuses a version with no CHANGELOG section, and a version that is not X.Y.Z', () => {
    for (const [version, message] of [
      ['9.9.9', "CHANGELOG.md has no '## [9.9.9]' section"],
      ['v1', '--version must be X.Y.Z'],
    ]) {
      const run = spawnSync(process.execPath, [release, '--out', out, '--version', version ?? ''], {
        encoding: 'utf8',
      });
      expect(run.status, version).not.toBe(0);
      expect(run.stderr).toContain(message);
    }
  });

  it.each([
    ['[docs](../../README.md#security)', '[docs](https://github.com/o/mono/blob/v1.2.3/README.md#security)'],
    ['[yml](action.yml)', '[yml](action.yml)'],
    ['[self](./README.md#inputs)', '[self](README.md#inputs)'],
    ['[licence](../../LICENSE)', '[licence](LICENSE)'],
    ['[src](src/main.ts)', '[src](https://github.com/o/mono/blob/v1.2.3/actions/swr-login/src/main.ts)'],
    ['[peer](../cse-token)', '[peer](https://github.com/o/mono/blob/v1.2.3/actions/cse-token)'],
    ['[ext](https://example.com/a)', '[ext](https://example.com/a)'],
    ['[anchor](#outputs)', '[anchor](#outputs)'],
    ['[ref]: ../../CHANGELOG.md', '[ref]: https://github.com/o/mono/blob/v1.2.3/CHANGELOG.md'],
  ])('rewrites README link %s for the tree', (link, expected) => {
    expect(rewriteLinks(link, { action: 'swr-login', org: 'o', repo: 'mono', version: '1.2.3' })).toBe(
      expected,
    );
  });

  it('finds the notes of one version only', () => {
    const changelog = '# Changelog\n\n## [Unreleased]\n\n## [1.1.0]\n\n- b\n\n## [1.0.0]\n\n- a\n';
    expect(releaseNotes(changelog, '1.1.0')).toBe('- b');
    expect(releaseNotes(changelog, '1.0.0')).toBe('- a');
    expect(releaseNotes(changelog, '2.0.0')).toBeUndefined();
  });
});
