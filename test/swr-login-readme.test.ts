// The README's input and output tables are the user's reference: they must list exactly what
// action.yml declares, with the same defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readActionMetadata, repoRoot } from './harness/index.ts';

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
});
