// A clean clone of the repository as it stands (uncommitted work included, committed in the copy),
// with dist/ freshly built: what a maintainer cutting a release from main has. Tests of the
// release run there, so they never touch this repository's git state or its dist/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { copyCheckout } from '../scripts/distribution/fresh-build.ts';
import { listFiles } from '../scripts/distribution/repository.ts';

/** Runs git in `dir` as a throwaway identity, whatever the machine's git configuration says. */
export function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=Release Test',
      '-c',
      'user.email=release-test@example.invalid',
      '-c',
      'commit.gpgsign=false',
      '-c',
      'tag.gpgsign=false',
      ...args,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

export function cleanClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clean-clone-'));
  const files = listFiles(repoRoot, { untracked: true }).filter((file) => !file.startsWith('dist/'));
  copyCheckout(repoRoot, dir, files);
  execFileSync(process.execPath, [join(dir, 'scripts/build.ts')], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'clean clone']);
  return dir;
}
