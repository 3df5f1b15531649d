// The root documents are what a newcomer reads first: the setup commands must stay the first
// lines, every link must lead somewhere, and every workflow snippet must be one that would run
// (the action exists, each `with:` key is one of its inputs).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readActionMetadata, repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const readme = read('README.md');
const documents = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md'];

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const headings = markdown.match(/^#{1,6} .+$/gm) ?? [];
  return new Set(
    headings.map((heading) =>
      heading
        .replace(/^#+ /, '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** `<org>/<name>@v1`, `<org>/<repo>@v1` (root = swr-login), `<org>/<repo>/actions/<name>@v1`. */
function actionOf(uses: string): string | undefined {
  const monorepo = /^<org>\/<repo>(?:\/actions\/([a-z-]+))?@v\d+$/.exec(uses);
  if (monorepo) return monorepo[1] ?? 'swr-login';
  return /^<org>\/([a-z-]+)@v\d+$/.exec(uses)?.[1];
}

describe('root README', () => {
  it('starts with the two setup commands, exactly', () => {
    expect(readme.split('\n').slice(0, 4)).toEqual([
      '```sh',
      'bash scripts/install.sh   # Debian packages for the e2e tests + npm ci (brings Node 24)',
      'npm test                  # unit, emulator and end-to-end tests of the built bundles, on Node 24',
      '```',
    ]);
  });

  it('keeps the benchmark markers under a Performance heading that says how to fill them', () => {
    const performance = readme.slice(readme.indexOf('\n## Performance\n'));
    expect(performance).toContain('`npm run bench` fills this section.');
    const start = performance.indexOf('<!-- bench:start -->');
    expect(start).toBeGreaterThan(-1);
    expect(performance.indexOf('<!-- bench:end -->')).toBeGreaterThan(start);
    expect(performance.slice(1).indexOf('\n## ')).toBeGreaterThan(performance.indexOf('<!-- bench:end -->'));
  });

  it('has the sections a user looks for', () => {
    for (const heading of [
      'Why this one',
      'Quick start',
      'Security model',
      'Permissions',
      'Troubleshooting',
      'Development',
      'Architecture',
    ]) {
      expect(readme).toContain(`\n## ${heading}\n`);
    }
    expect(readme).toContain('npm run demo');
  });

  it('gives every quick-start snippet an action that exists and inputs it declares', () => {
    const snippets = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const steps = snippets.flatMap((snippet) => {
      const parsed = parse(snippet) as unknown;
      return Array.isArray(parsed)
        ? (parsed as Array<{ uses?: string; with?: Record<string, unknown> }>)
        : [];
    });
    const used = steps.filter((step) => step.uses);
    expect(used.map((step) => actionOf(step.uses ?? '')).sort()).toEqual([
      'cse-token',
      'swr-login',
      'ucloud-authconfig',
    ]);
    for (const step of used) {
      const inputs = readActionMetadata(actionOf(step.uses ?? '') ?? '').inputs;
      for (const name of Object.keys(step.with ?? {}))
        expect(inputs, `${step.uses} ${name}`).toHaveProperty(name);
    }
  });
});

describe.each(documents)('%s', (document) => {
  it('links only to files and headings that exist', () => {
    const text = read(document);
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
    for (const link of links.filter((target) => !/^[a-z]+:/.test(target))) {
      const [path = '', fragment] = link.split('#');
      const target = path === '' ? document : join(dirname(document), path);
      expect(existsSync(join(repoRoot, target)), `${document} → ${link}`).toBe(true);
      if (fragment) {
        const file = target.endsWith('.md') ? target : join(target, 'README.md');
        expect([...anchors(read(file))], `${document} → ${link}`).toContain(fragment);
      }
    }
  });
});
