// Builds one self-contained distribution tree per action, ready to push to its own repository
// (`uses: <org>/<name>@v1` needs action.yml at a repository root), and prints the commands that
// publish it: a `vX.Y.Z` tag with a GitHub release (immutable once published), then the plain
// moving `vX` tag, which has no release so it can still move (runner.md §6).
//
// Usage: node scripts/release.ts [--out release] [--org cloudcreds] [--repo cloudcreds-actions] [--version X.Y.Z]
// Run `npm run build` first: the trees copy the committed bundles from dist/.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;

/** Files of the monorepo that a tree carries, by their path in the tree. */
function treePathOf(action: string, monorepoPath: string): string | undefined {
  if (monorepoPath === 'LICENSE') return 'LICENSE';
  const own = `actions/${action}/`;
  if (monorepoPath === `${own}README.md` || monorepoPath === `${own}action.yml`) {
    return monorepoPath.slice(own.length);
  }
  return undefined;
}

/**
 * A README moves from actions/<name>/ to the root of its own repository: relative links to files
 * the tree carries are rewritten to their place in the tree; all others point into the monorepo
 * at the release tag, so they neither break nor drift.
 */
export function rewriteLinks(
  markdown: string,
  { action, org, repo, version }: { action: string; org: string; repo: string; version: string },
): string {
  const rewrite = (target: string): string => {
    if (/^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('/')) return target;
    const hash = target.indexOf('#');
    const path = hash < 0 ? target : target.slice(0, hash);
    const fragment = hash < 0 ? '' : target.slice(hash);
    const inMonorepo = posix.normalize(posix.join('actions', action, path)).replace(/\/$/, '');
    if (inMonorepo.startsWith('..')) return target;
    const inTree = treePathOf(action, inMonorepo);
    return inTree
      ? `${inTree}${fragment}`
      : `https://github.com/${org}/${repo}/blob/v${version}/${inMonorepo}${fragment}`;
  };
  return markdown
    .replace(
      /(\]\()([^)\s]+)(\))/g,
      (_, open: string, target: string, close: string) => open + rewrite(target) + close,
    )
    .replace(/^(\[[^\]]+\]:\s*)(\S+)/gm, (_, label: string, target: string) => label + rewrite(target));
}

/** The `## [X.Y.Z]` section of CHANGELOG.md: the release notes. */
export function releaseNotes(changelog: string, version: string): string | undefined {
  const sections = changelog.split(/^## /m);
  const section = sections.find((part) => part.startsWith(`[${version}]`));
  return section?.slice(section.indexOf('\n') + 1).trim();
}

interface Runs {
  main: string;
  post?: string;
}

/** Throws unless every entry of the tree's action.yml is a file inside the tree. */
function checkEntries(tree: string, runs: Runs): string[] {
  const entries = [runs.main, ...(runs.post ? [runs.post] : [])];
  for (const entry of entries) {
    const inTree = relative(tree, resolve(tree, entry));
    if (inTree.startsWith('..') || !existsSync(join(tree, inTree))) {
      throw new Error(`${tree}/action.yml: runs entry '${entry}' is not a file inside the tree`);
    }
  }
  return entries.map((entry) => relative(tree, resolve(tree, entry)));
}

function buildTree(
  action: string,
  tree: string,
  links: { org: string; repo: string; version: string },
): void {
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'dist'), { recursive: true });
  const bundles = join(root, 'dist', action);
  if (!existsSync(bundles)) throw new Error(`dist/${action} is missing: run npm run build`);
  for (const file of readdirSync(bundles)) copyFileSync(join(bundles, file), join(tree, 'dist', file));
  const metadata = readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8');
  const rewritten = metadata.replaceAll(`../../dist/${action}/`, 'dist/');
  writeFileSync(join(tree, 'action.yml'), rewritten);
  const entries = checkEntries(tree, (parse(rewritten) as { runs: Runs }).runs);
  // A code file no entry names is a bundler chunk the entry would load: the bundle is not self-contained.
  const stray = readdirSync(join(tree, 'dist')).filter(
    (file) => /\.[cm]?js$/.test(file) && !entries.includes(`dist/${file}`),
  );
  if (stray.length > 0) throw new Error(`dist/${action} holds files no entry names: ${stray.join(', ')}`);
  const readme = readFileSync(join(root, 'actions', action, 'README.md'), 'utf8');
  writeFileSync(join(tree, 'README.md'), rewriteLinks(readme, { action, ...links }));
  copyFileSync(join(root, 'LICENSE'), join(tree, 'LICENSE'));
}

function publishCommands(directory: string, repository: string, version: string, notes: string): string {
  const major = `v${version.split('.')[0]}`;
  return [
    `( cd ${directory} &&`,
    `  git tag -a v${version} -m "v${version}" && git push origin v${version} &&`,
    `  gh release create v${version} --repo ${repository} --verify-tag --title v${version} --notes-file ${notes} &&`,
    `  git tag -f ${major} v${version}^{} && git push -f origin ${major} )`,
  ].join('\n');
}

function main(): void {
  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'release' },
      org: { type: 'string', default: 'cloudcreds' },
      repo: { type: 'string', default: packageJson.name },
      version: { type: 'string', default: packageJson.version },
    },
  });
  const version = values.version ?? packageJson.version;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`--version must be X.Y.Z, not '${version}'`);
  const org = values.org ?? 'cloudcreds';
  const repo = values.repo ?? packageJson.name;
  const outRoot = resolve(values.out ?? 'release');
  const notes = releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
  if (!notes) throw new Error(`CHANGELOG.md has no '## [${version}]' section: write the release notes first`);
  mkdirSync(outRoot, { recursive: true });
  const notesFile = join(outRoot, `RELEASE_NOTES-v${version}.md`);
  writeFileSync(notesFile, `${notes}\n`);

  const actions = readdirSync(join(root, 'actions')).filter((name) =>
    existsSync(join(root, 'actions', name, 'action.yml')),
  );
  for (const action of actions) {
    const tree = join(outRoot, action);
    buildTree(action, tree, { org, repo, version });
    const repository = `${org}/${action}`;
    console.log(`# ${repository} v${version}: ${tree}`);
    // Continues the repository's history when it has one, so each release is a reviewable diff.
    console.log(
      [
        `( cd ${tree} && git init -q -b main && git remote add origin https://github.com/${repository}.git &&`,
        '  { git fetch -q origin main && git reset -q --soft FETCH_HEAD || true; } &&',
        `  git add -A && git commit -qm "${action} v${version}" && git push origin main )`,
      ].join('\n'),
    );
    console.log(publishCommands(tree, repository, version, notesFile));
    console.log('');
  }
  console.log(
    `# ${org}/${repo} v${version}: the monorepo (uses: ${org}/${repo}@v1, ${org}/${repo}/actions/<name>@v1)`,
  );
  console.log(publishCommands(root.replace(/\/$/, ''), `${org}/${repo}`, version, notesFile));
  console.log('');
  console.log(
    `# v${version} gets a release (immutable once published); v${version.split('.')[0]} is a plain tag with no release, so it can move.`,
  );
}

if (import.meta.main) main();
