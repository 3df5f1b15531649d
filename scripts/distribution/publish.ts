// The commands that publish a release, written as a script (publish.sh) so that a maintainer can
// read exactly what will be pushed before running it, and the release workflow runs the same.
// Each tree becomes the next commit of its repository's main branch and gets an immutable
// `vX.Y.Z` release; the major tag `vX` is a plain tag with no release, because a release's tag
// can never move once releases are immutable (GitHub Docs, "Using immutable releases and tags").

export interface Publication {
  org: string;
  repo: string;
  version: string;
  /** The monorepo commit the trees were built from. */
  commit: string;
  monorepoDir: string;
  monorepoNotes: string;
  trees: Array<{ action: string; dir: string; notes: string }>;
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function publishScript(publication: Publication): string {
  const { org, repo, version, commit } = publication;
  const tag = `v${version}`;
  const major = `v${version.split('.')[0]}`;
  const url = (name: string): string => quote(`https://github.com/${org}/${name}.git`);
  const release = (name: string, notes: string): string =>
    `gh release create ${tag} --repo ${quote(`${org}/${name}`)} --verify-tag --title ${tag} --notes-file ${quote(notes)}`;
  const monorepo = quote(publication.monorepoDir);
  return [
    '#!/usr/bin/env bash',
    `# Publishes ${tag} of ${org}/${repo}@${commit}, as written by scripts/release.ts. Needs git and an`,
    `# authenticated gh (GH_TOKEN) allowed to push to ${[repo, ...publication.trees.map((tree) => tree.action)].map((name) => `${org}/${name}`).join(', ')}.`,
    'set -euo pipefail',
    'gh auth setup-git',
    '',
    `# ${org}/${repo}: the sources. The trees' READMEs link into this tag. Not listed on the Marketplace.`,
    `git -C ${monorepo} tag -a ${tag} -m ${tag} ${commit}`,
    `git -C ${monorepo} push -q ${url(repo)} refs/tags/${tag}`,
    release(repo, publication.monorepoNotes),
    ...publication.trees.flatMap(({ action, dir, notes }) => [
      '',
      `# ${org}/${action}`,
      `cd ${quote(dir)}`,
      'git init -q -b main',
      `git remote add origin ${url(action)}`,
      '# The next commit of the repository, so each release is a reviewable diff (exit 2: no main yet).',
      'git ls-remote --exit-code --heads origin main > /dev/null && found=0 || found=$?',
      'case $found in',
      '  0) git fetch -q --depth=1 origin main && git reset -q --soft FETCH_HEAD ;;',
      '  2) ;;',
      '  *) exit "$found" ;;',
      'esac',
      'git add -A',
      `git commit -q -m ${quote(`${action} ${tag}`)} -m ${quote(`Built from ${org}/${repo}@${commit}.`)}`,
      'git push -q origin HEAD:refs/heads/main',
      `git tag -a ${tag} -m ${tag}`,
      `git push -q origin refs/tags/${tag}`,
      release(action, notes),
      `git tag -f ${major} ${quote(`${tag}^{}`)}`,
      `git push -q -f origin refs/tags/${major}`,
    ]),
    '',
  ].join('\n');
}
