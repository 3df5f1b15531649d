// What git knows about the repository a release is cut from.
import { execFileSync } from 'node:child_process';

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Tracked files (with `untracked`, also new files that are not ignored), as git lists them. */
export function listFiles(root: string, { untracked = false } = {}): string[] {
  const args = ['ls-files', '-z', '--cached', ...(untracked ? ['--others', '--exclude-standard'] : [])];
  return git(root, args).split('\0').filter(Boolean);
}

/** `git status --porcelain` entries (untracked files included): what a release would not contain. */
export function uncommittedChanges(root: string): string[] {
  return git(root, ['status', '--porcelain', '-z', '--untracked-files=all']).split('\0').filter(Boolean);
}

export function headCommit(root: string): string {
  return git(root, ['rev-parse', 'HEAD']).trim();
}
