// `npm run release -- --org <org>`: the per-action repository trees of one release, and the script
// that publishes them. See USAGE below and CONTRIBUTING.md ("Releasing").
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { releaseNotes } from './distribution/changelog.ts';
import { freshBuildDifferences } from './distribution/fresh-build.ts';
import { publishScript } from './distribution/publish.ts';
import { headCommit, listFiles, uncommittedChanges } from './distribution/repository.ts';
import { buildTree, ORG_PLACEHOLDER } from './distribution/tree.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

const USAGE = `Usage: npm run release -- --org <org> [--version X.Y.Z] [--repo <name>] [--out <dir>]

Builds one repository tree per action, for \`uses: <org>/<name>@v1\`: action.yml at its root, the
bundles, README, CHANGELOG, SECURITY.md and LICENSE; then writes <out>/publish.sh, which pushes
each tree, releases vX.Y.Z and moves the plain vX tag. Refuses uncommitted changes, and a dist/
that differs from a fresh build of the sources.

  --org <org>      GitHub owner of the per-action repositories (required)
  --version X.Y.Z  the version being released; must be package.json's (default: package.json's)
  --repo <name>    this repository's name, for links to files no tree carries (default: ${packageJson.name})
  --out <dir>      where the trees and publish.sh go (default: release)
  --help           print this text
`;

class UsageError extends Error {}

function options(): { org: string; version: string; repo: string; out: string } | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        org: { type: 'string' },
        version: { type: 'string' },
        repo: { type: 'string', default: packageJson.name },
        out: { type: 'string', default: 'release' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['help']) return undefined;
  const org = String(values['org'] ?? '');
  if (!/^[A-Za-z\d](?:[A-Za-z\d-]{0,38})$/.test(org)) {
    throw new UsageError(org ? `--org '${org}' is not a GitHub owner name` : '--org <org> is required');
  }
  const version = String(values['version'] ?? packageJson.version);
  if (version !== packageJson.version) {
    throw new Error(
      `--version ${version} is not package.json's ${packageJson.version}: bump the version (it is in every User-Agent), rebuild and commit first`,
    );
  }
  return { org, version, repo: String(values['repo']), out: resolve(String(values['out'])) };
}

/** The release notes of `version` in `changelog`, with the placeholder org made real. */
function notesOf(changelog: string, version: string, org: string): string {
  const notes = releaseNotes(readFileSync(join(root, changelog), 'utf8'), version);
  if (!notes) throw new Error(`${changelog} has no '## [${version}]' section: write the release notes first`);
  return `${notes.replaceAll(`${ORG_PLACEHOLDER}/`, `${org}/`)}\n`;
}

function main(): void {
  const chosen = options();
  if (!chosen) {
    process.stdout.write(USAGE);
    return;
  }
  const { org, version, repo, out } = chosen;
  const actions = readdirSync(join(root, 'actions'))
    .filter((name) => existsSync(join(root, 'actions', name, 'action.yml')))
    .sort();
  const notes = new Map([
    [repo, notesOf('CHANGELOG.md', version, org)],
    ...actions.map((action) => [action, notesOf(`actions/${action}/CHANGELOG.md`, version, org)] as const),
  ]);

  const changes = uncommittedChanges(root);
  if (changes.length > 0) {
    const shown =
      changes
        .slice(0, 5)
        .map((change) => change.trim())
        .join(', ') + (changes.length > 5 ? ', …' : '');
    throw new Error(`uncommitted changes (${shown}): a release is built from a commit, so commit them first`);
  }
  const differences = freshBuildDifferences(root, listFiles(root));
  if (differences.length > 0) {
    throw new Error(
      `dist/ does not match a fresh build of the sources: ${differences.join(', ')}; run npm run build and commit`,
    );
  }

  mkdirSync(join(out, 'notes'), { recursive: true });
  for (const [name, text] of notes) writeFileSync(join(out, 'notes', `${name}.md`), text);
  for (const action of actions) {
    buildTree(root, join(out, action), { action, org, repo, version });
    console.log(`${org}/${action} v${version}: ${join(out, action)}`);
  }
  const script = join(out, 'publish.sh');
  writeFileSync(
    script,
    publishScript({
      org,
      repo,
      version,
      commit: headCommit(root),
      monorepoDir: root.replace(/\/$/, ''),
      monorepoNotes: join(out, 'notes', `${repo}.md`),
      trees: actions.map((action) => ({
        action,
        dir: join(out, action),
        notes: join(out, 'notes', `${action}.md`),
      })),
    }),
  );
  chmodSync(script, 0o755);
  console.log(`Read ${script}, then run it with GH_TOKEN set to publish v${version}.`);
}

try {
  main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`release: ${message}${error instanceof UsageError ? ' (see --help)' : ''}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
