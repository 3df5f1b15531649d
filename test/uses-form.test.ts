// Users copy the `uses:` line they see first. Each action has one canonical channel, its own
// repository, so every document shows exactly one form: `<org>/<name>@v1`, which the release
// rewrites to the real owner in each action's repository (scripts/distribution/tree.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../scripts/distribution/repository.ts';

const ACTIONS = ['swr-login', 'cse-token', 'ucloud-authconfig'];
// docs/specs/ is reference material about the runner and the services, not instructions to users:
// it discusses every form GitHub accepts.
const documents = listFiles(repoRoot, { untracked: true }).filter(
  (path) => path.endsWith('.md') && !path.startsWith('docs/specs/') && existsSync(join(repoRoot, path)),
);

/** Every way a document can name one of the actions as something to use, other than the canonical one. */
function otherForms(markdown: string): string[] {
  const named = new RegExp(`[\\w<>.-]+/[\\w<>./-]*?\\b(?:${ACTIONS.join('|')})@[\\w.-]+`, 'g');
  const references = [...markdown.matchAll(named)].map((match) => match[0]);
  const canonical = new Set(ACTIONS.map((action) => `<org>/${action}@v1`));
  return [
    ...new Set([
      ...references.filter((reference) => !canonical.has(reference)),
      ...[...markdown.matchAll(/<org>\/<repo>\S*|uses:\s*\.\/\S*/g)].map((match) => match[0]),
    ]),
  ];
}

describe('one uses: form per action', () => {
  it('is the only form any document shows', () => {
    expect(documents.length).toBeGreaterThan(5);
    const found = documents.flatMap((path) =>
      otherForms(readFileSync(join(repoRoot, path), 'utf8')).map((form) => `${path}: ${form}`),
    );
    expect(found).toEqual([]);
  });

  it.each(ACTIONS)('is shown for %s in the README and in its own README', (action) => {
    for (const path of ['README.md', `actions/${action}/README.md`]) {
      expect(readFileSync(join(repoRoot, path), 'utf8'), path).toMatch(
        new RegExp(`^\\s*(?:- )?uses: <org>/${action}@v1$`, 'm'),
      );
    }
  });

  it.each([
    ['uses: <org>/<repo>/actions/cse-token@v1', 1],
    ['`<org>/<repo>@v1` (root = swr-login)', 1],
    ['uses: cloudcreds/swr-login@v1', 1],
    ['uses: <owner>/<repo>/actions/cse-token@v1', 1],
    ['uses: <org>/ucloud-authconfig@main', 1],
    ['uses: ./actions/swr-login', 1],
    ['uses: <org>/swr-login@v1', 0],
    ['unlike huaweicloud/swr-login v2.1.0, it logs out', 0],
    ['uses: actions/checkout@v5', 0],
  ])('counts %s as %i other form(s)', (line, count) => {
    expect(otherForms(line)).toHaveLength(count);
  });
});
