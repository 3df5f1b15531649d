// The README's tables are what users read: they must list exactly the inputs and outputs of
// action.yml, with the same defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readActionMetadata, repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(repoRoot, 'actions', 'cse-token', 'README.md'), 'utf8');
const metadata = readActionMetadata('cse-token');

/** Rows of the markdown table under `## <heading>`: first cell (unquoted) → second cell. */
function table(heading: string): Map<string, string> {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells[2] ?? '');
  }
  return rows;
}

describe('actions/cse-token/README.md', () => {
  it('lists every input of action.yml, in order, with its default', () => {
    const inputs = table('Inputs');
    expect([...inputs.keys()]).toEqual(Object.keys(metadata.inputs));
    for (const [name, definition] of Object.entries(metadata.inputs)) {
      const documented = inputs.get(name) ?? '';
      if (definition.default === undefined) expect(documented, name).not.toMatch(/^`[^`]*`$/);
      else expect(documented, name).toBe(`\`${definition.default}\``);
      expect(definition.required ?? false, name).toBe(false);
    }
    expect(inputs.get('endpoint')).toBe('env `PAAS_CSE_SC_ENDPOINT`');
  });

  it('lists every output of action.yml, in order', () => {
    expect([...table('Outputs').keys()]).toEqual(Object.keys(metadata.outputs));
  });

  it('shows passing the authorization to a test command through env:', () => {
    expect(readme).toMatch(
      /env:\n\s+#[^\n]*\n\s+SC_AUTHORIZATION: \$\{\{ steps\.cse\.outputs\.authorization \}\}/,
    );
    expect(readme).toContain('Masked outputs cannot cross jobs');
  });
});
