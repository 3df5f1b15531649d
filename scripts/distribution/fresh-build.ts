// "Does the committed dist/ match a fresh build?" answered without touching the working tree: the
// repository's files are copied to a temporary folder with a node_modules of hard links (what a
// clean clone plus `npm ci` would hold, without a download), built there, and the two compared.
// The copy needs its own node_modules: the bundler resolves symlinks, and a module reached
// through the working tree's folder would be bundled under another path, and so another id.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Mirrors a folder with hard links (copies across file systems); symlinks are kept as written. */
export function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/** Copies `files` (repository paths) from `root` into `dest`, with node_modules linked in. */
export function copyCheckout(root: string, dest: string, files: string[]): void {
  for (const file of files) {
    const source = join(root, file);
    if (!existsSync(source)) continue;
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(source, join(dest, file));
  }
  linkTree(realpathSync(join(root, 'node_modules')), join(dest, 'node_modules'));
}

function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** How the generated files of `committed` (dist/ and the root action.yml) differ from `fresh`'s. */
export function generatedDifferences(committed: string, fresh: string): string[] {
  const paths = (root: string): string[] => [
    ...filesUnder(join(root, 'dist'), 'dist/'),
    ...(existsSync(join(root, 'action.yml')) ? ['action.yml'] : []),
  ];
  const inCommitted = new Set(paths(committed));
  const inFresh = new Set(paths(fresh));
  return [...new Set([...inCommitted, ...inFresh])].sort().flatMap((path) => {
    if (!inFresh.has(path)) return [`${path} (not produced by a fresh build)`];
    if (!inCommitted.has(path)) return [`${path} (missing)`];
    return readFileSync(join(committed, path)).equals(readFileSync(join(fresh, path)))
      ? []
      : [`${path} (differs)`];
  });
}

/** Builds `files` of `root` (without its dist/) in a temporary copy; returns what differs. */
export function freshBuildDifferences(root: string, files: string[]): string[] {
  const copy = mkdtempSync(join(tmpdir(), 'release-fresh-build-'));
  try {
    copyCheckout(
      root,
      copy,
      files.filter((file) => !file.startsWith('dist/')),
    );
    try {
      execFileSync(process.execPath, [join(copy, 'scripts/build.ts')], {
        cwd: copy,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw new Error(`the fresh build failed: ${stderr.split('\n')[0] || String(error)}`);
    }
    return generatedDifferences(root, copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
