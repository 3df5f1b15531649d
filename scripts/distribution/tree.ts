// One action as a repository of its own: `uses: <org>/<name>@v1` needs action.yml at a
// repository root, and so does a Marketplace listing. The tree holds that action.yml (entries
// pointing inside the tree), the bundles, the README, CHANGELOG, SECURITY.md and LICENSE.
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
import { parse } from 'yaml';

export interface TreeTarget {
  action: string;
  org: string;
  /** The monorepo's name: links to files no tree carries point into it, at the release tag. */
  repo: string;
  version: string;
}

/** The sources' one spelling of an action's `uses:` (`<org>/<name>@v1`), made real per tree. */
export const ORG_PLACEHOLDER = '<org>';

/** The monorepo files a tree carries, by their path in the tree. */
function treeFiles(action: string): Map<string, string> {
  return new Map([
    [`actions/${action}/action.yml`, 'action.yml'],
    [`actions/${action}/README.md`, 'README.md'],
    [`actions/${action}/CHANGELOG.md`, 'CHANGELOG.md'],
    ['SECURITY.md', 'SECURITY.md'],
    ['LICENSE', 'LICENSE'],
  ]);
}

/**
 * Markdown moves from `source` (its monorepo path) to the root of the action's tree: relative
 * links to files the tree carries are rewritten to their place in the tree; all others point
 * into the monorepo at the release tag, so they neither break nor drift.
 */
export function rewriteLinks(markdown: string, source: string, target: TreeTarget): string {
  const carried = treeFiles(target.action);
  const rewrite = (link: string): string => {
    if (/^[a-z][a-z\d+.-]*:/i.test(link) || link.startsWith('#') || link.startsWith('/')) return link;
    const hash = link.indexOf('#');
    const path = hash < 0 ? link : link.slice(0, hash);
    const fragment = hash < 0 ? '' : link.slice(hash);
    const inMonorepo = posix.normalize(posix.join(posix.dirname(source), path)).replace(/\/$/, '');
    if (inMonorepo.startsWith('..')) return link;
    const inTree = carried.get(inMonorepo);
    return inTree
      ? `${inTree}${fragment}`
      : `https://github.com/${target.org}/${target.repo}/blob/v${target.version}/${inMonorepo}${fragment}`;
  };
  return markdown
    .replace(
      /(\]\()([^)\s]+)(\))/g,
      (_, open: string, link: string, close: string) => open + rewrite(link) + close,
    )
    .replace(/^(\[[^\]]+\]:\s*)(\S+)/gm, (_, label: string, link: string) => label + rewrite(link));
}

/** `<org>/<name>@v1` → `<the org>/<name>@v1`; any other use of the placeholder is a mistake. */
export function rewriteOrg(markdown: string, source: string, org: string): string {
  const rewritten = markdown.replaceAll(`${ORG_PLACEHOLDER}/`, `${org}/`);
  const left = rewritten.split('\n').findIndex((line) => line.includes(ORG_PLACEHOLDER));
  if (left >= 0) throw new Error(`${source}:${left + 1} uses ${ORG_PLACEHOLDER} other than as <org>/<name>`);
  return rewritten;
}

interface Runs {
  main: string;
  post?: string;
}

/** The tree's entry files; throws unless each is a file inside the tree. */
function entriesOf(tree: string, runs: Runs): string[] {
  return [runs.main, ...(runs.post ? [runs.post] : [])].map((entry) => {
    const inTree = relative(tree, resolve(tree, entry));
    if (inTree.startsWith('..') || !existsSync(join(tree, inTree))) {
      throw new Error(`${tree}/action.yml: runs entry '${entry}' is not a file inside the tree`);
    }
    return inTree;
  });
}

/** Writes the tree of `target.action` into `dir` (replacing what was there). */
export function buildTree(root: string, dir: string, target: TreeTarget): void {
  const { action } = target;
  const bundles = join(root, 'dist', action);
  if (!existsSync(bundles)) throw new Error(`dist/${action} is missing: run npm run build`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
  for (const file of readdirSync(bundles)) copyFileSync(join(bundles, file), join(dir, 'dist', file));

  const metadata = readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8').replaceAll(
    `../../dist/${action}/`,
    'dist/',
  );
  writeFileSync(join(dir, 'action.yml'), metadata);
  const entries = entriesOf(dir, (parse(metadata) as { runs: Runs }).runs);
  // A code file no entry names is a chunk an entry would load: the bundle is not self-contained.
  const stray = readdirSync(join(dir, 'dist')).filter(
    (file) => /\.[cm]?js$/.test(file) && !entries.includes(`dist/${file}`),
  );
  if (stray.length > 0) throw new Error(`dist/${action} holds files no entry names: ${stray.join(', ')}`);

  for (const [source, inTree] of treeFiles(action)) {
    if (!inTree.endsWith('.md')) continue;
    if (!existsSync(join(root, source))) throw new Error(`${source} is missing: every tree carries one`);
    const markdown = readFileSync(join(root, source), 'utf8');
    writeFileSync(join(dir, inTree), rewriteOrg(rewriteLinks(markdown, source, target), source, target.org));
  }
  copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
}
