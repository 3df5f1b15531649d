// The README's input and output tables are the user's reference: they must list exactly what
// action.yml declares, with the same defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readActionMetadata, repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const readme = readFileSync(join(repoRoot, 'actions/swr-login/README.md'), 'utf8');
const metadata = readActionMetadata('swr-login');

/** Rows of the markdown table under `## <heading>`: first cell (backticks stripped) → second cell. */
function table(heading: string): Map<string, string> {
  const section = readme.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README has no "## ${heading}" section`);
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const name = /^`([a-z-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (name) rows.set(name, cells[1] ?? '');
  }
  return rows;
}

describe('swr-login README', () => {
  it('lists every input of action.yml, and no other', () => {
    expect([...table('Inputs').keys()].sort()).toEqual(Object.keys(metadata.inputs).sort());
  });

  it('gives the same defaults as action.yml', () => {
    const documented = table('Inputs');
    for (const [name, input] of Object.entries(metadata.inputs)) {
      if (input.default !== undefined) expect(documented.get(name), name).toBe(`\`${input.default}\``);
      else expect(documented.get(name), name).not.toMatch(/^`(true|false|\d+)`$/);
    }
  });

  it('lists every output of action.yml, and no other', () => {
    expect([...table('Outputs').keys()].sort()).toEqual(Object.keys(metadata.outputs).sort());
  });

  it('marks no env-fallback input as required in action.yml (the action enforces them itself)', () => {
    for (const [name, input] of Object.entries(metadata.inputs))
      expect(input.required ?? false, name).toBe(false);
  });

  it('names the IAM permission and the troubleshooting cases', () => {
    for (const text of [
      'swr::createLoginSecret',
      'fork',
      '15 minutes',
      'APIGW.0301',
      'masked outputs cannot cross jobs',
    ]) {
      expect(readme).toContain(text);
    }
  });

  it('documents OIDC federation: permissions, both routes, the one-time setup and its troubleshooting', () => {
    for (const text of [
      '## OIDC federation (no stored secrets)',
      'id-token: write',
      'contents: read',
      'identity-provider: github-actions',
      'agency-urn: iam::',
      'provider-urn: iam::',
      'https://token.actions.githubusercontent.com/.well-known/jwks',
      'oidc:sub',
      'client_id',
      'Pull requests from forks never get an ID token',
      'rotates its signing keys',
    ]) {
      expect(readme).toContain(text);
    }
  });

  it('uses only inputs action.yml declares in every workflow snippet', () => {
    const steps = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((match) => {
      const parsed = parse(match[1] ?? '') as unknown;
      const jobs = (parsed as { jobs?: Record<string, { steps?: unknown[] }> } | null)?.jobs;
      const list = jobs ? Object.values(jobs).flatMap((job) => job.steps ?? []) : parsed;
      return Array.isArray(list) ? (list as Array<{ uses?: string; with?: Record<string, unknown> }>) : [];
    });
    const ours = steps.filter((step) => step.uses?.startsWith('cloudcreds/swr-login@'));
    expect(ours.length).toBeGreaterThanOrEqual(6);
    for (const step of ours) {
      for (const name of Object.keys(step.with ?? {})) expect(metadata.inputs, name).toHaveProperty(name);
    }
  });
});
