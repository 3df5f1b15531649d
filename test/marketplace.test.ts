// Each action is published to the GitHub Marketplace from its own repository, whose root
// action.yml is actions/<name>/action.yml. The Marketplace refuses a listing whose metadata breaks
// its rules only when someone ticks "Publish this Action" on a release page, so the rules GitHub
// documents (and the description limit its form enforces) are checked here, on every action.yml.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Metadata {
  name?: unknown;
  description?: unknown;
  author?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  runs?: unknown;
}

const branding = JSON.parse(
  readFileSync(join(repoRoot, 'test/fixtures/marketplace/branding.json'), 'utf8'),
) as { colors: string[]; featherIcons: string[]; omittedIcons: string[]; brandIcons: string[] };

const actions = readdirSync(join(repoRoot, 'actions')).filter((name) =>
  existsSync(join(repoRoot, 'actions', name, 'action.yml')),
);
const read = (path: string): Metadata => parse(readFileSync(join(repoRoot, path), 'utf8')) as Metadata;
const files = ['action.yml', ...actions.map((action) => `actions/${action}/action.yml`)];

/** What each description must still say: what the action gives, and why it is the safer choice. */
const pitch: Record<string, RegExp[]> = {
  'swr-login': [/temporary/i, /docker login/i, /masked/i, /logged out/i],
  'cse-token': [/short-lived/i, /token/i, /masked/i, /lockout/i],
  'ucloud-authconfig': [/UCDN/, /keys/i, /masked/i],
};

describe.each(files)('%s (Marketplace rules)', (file) => {
  const metadata = read(file);

  it('has the keys the metadata syntax requires, and an author', () => {
    for (const key of ['name', 'description', 'author'] as const) {
      expect(typeof metadata[key], key).toBe('string');
      expect(String(metadata[key]).trim(), key).not.toBe('');
    }
    expect(metadata.runs).toBeTypeOf('object');
  });

  it('has a description under 125 characters, on one line', () => {
    const description = String(metadata.description);
    expect(description.length).toBeLessThan(125);
    expect(description).not.toContain('\n');
  });

  it('uses a badge colour and icon the Marketplace accepts', () => {
    expect(branding.colors).toContain(metadata.branding?.color);
    const icon = String(metadata.branding?.icon);
    expect(branding.featherIcons).toContain(icon);
    expect([...branding.omittedIcons, ...branding.brandIcons]).not.toContain(icon);
  });
});

describe('the three listings', () => {
  it('have names unique among themselves', () => {
    const names = actions.map((action) => String(read(`actions/${action}/action.yml`).name).toLowerCase());
    expect(new Set(names).size).toBe(actions.length);
  });

  it.each(Object.entries(pitch))('%s still says what it gives and why it is safer', (action, words) => {
    const description = String(read(`actions/${action}/action.yml`).description);
    for (const word of words) expect(description).toMatch(word);
  });

  it('cover every action', () => {
    expect(Object.keys(pitch).sort()).toEqual([...actions].sort());
  });

  it('the monorepo root action.yml is swr-login, which is listed from its own repository only', () => {
    const root = read('action.yml');
    const swrLogin = read('actions/swr-login/action.yml');
    expect([root.name, root.description, root.branding]).toEqual([
      swrLogin.name,
      swrLogin.description,
      swrLogin.branding,
    ]);
  });
});

describe('the branding data', () => {
  it('holds Feather 4.28.0 (286 icons), the 9 colours and the 13 omitted icons GitHub documents', () => {
    expect(branding.featherIcons).toHaveLength(286);
    expect(branding.colors).toHaveLength(9);
    expect(branding.omittedIcons).toHaveLength(13);
    for (const icon of [...branding.omittedIcons, ...branding.brandIcons])
      expect(branding.featherIcons).toContain(icon);
  });
});
