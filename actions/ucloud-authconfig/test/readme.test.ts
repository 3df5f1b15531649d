// The README is part of the contract: its tables must say what action.yml and inputs.ts do.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ucloudInputs } from '../src/inputs.ts';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${root}README.md`, 'utf8');
const metadata = parse(readFileSync(`${root}action.yml`, 'utf8')) as {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, unknown>;
};

/** Rows of the table under a `## <heading>`: first cell (unquoted) → second cell. */
function table(heading: string): Map<string, string> {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => /^\| `/.test(line));
  return new Map(
    rows.map((row) => {
      const cells = row.split('|').map((cell) => cell.trim());
      return [(cells[1] ?? '').replace(/`/g, ''), cells[2] ?? ''];
    }),
  );
}

describe('README', () => {
  const inputs = table('Inputs');
  const outputs = table('Outputs');

  it('lists exactly the inputs and outputs of action.yml', () => {
    expect([...inputs.keys()].sort()).toEqual(Object.keys(metadata.inputs).sort());
    expect([...outputs.keys()].sort()).toEqual(Object.keys(metadata.outputs).sort());
  });

  it('states each default as action.yml and inputs.ts apply it', () => {
    const definitions = Object.values(ucloudInputs);
    for (const [name, cell] of inputs) {
      const definition = definitions.find((candidate) => candidate.name === name);
      expect(definition, name).toBeDefined();
      const literal = /^`([^`]+)`$/.exec(cell)?.[1];
      const fallback = /^env `([A-Z_]+)`$/.exec(cell)?.[1];
      expect(literal ?? fallback ?? cell, `${name}: default cell`).toBe(literal ?? fallback ?? '');
      expect(metadata.inputs[name]?.default, name).toBe(literal);
      expect(definition?.env, name).toEqual(fallback ? [fallback] : []);
    }
  });

  it('never marks an input required in action.yml (env fallbacks are enforced by the action)', () => {
    for (const [name, input] of Object.entries(metadata.inputs)) expect(input.required, name).toBe(false);
  });

  it('examples use only real inputs and outputs, and pass the key through env', () => {
    const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      for (const [, name] of example.matchAll(/^ {10}([a-z-]+):/gm))
        expect(Object.keys(metadata.inputs)).toContain(name);
      for (const [, name] of example.matchAll(/steps\.ucdn\.outputs\.([a-z-]+)/g)) {
        expect(Object.keys(metadata.outputs)).toContain(name);
      }
    }
    expect(readme).toMatch(/env:\n\s+CDN_KEY: \$\{\{ steps\.ucdn\.outputs\.key \}\}/);
  });

  it('covers the RetCodes users hit and the cross-job limit', () => {
    for (const code of ['171', '172', '294']) expect(readme).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
    expect(readme).toMatch(/^\| 171 .*must set `channel-key`/m);
    expect(readme).toMatch(/^\| 294 .*GitHub-hosted runner IPs change/m);
    expect(readme).toContain('Masked outputs cannot cross jobs');
  });
});
