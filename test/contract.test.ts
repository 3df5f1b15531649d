// One contract, checked the same way for every action: what action.yml declares, what the code
// reads and writes, and what the README tells users are the same inputs, defaults, env fallbacks
// and outputs. A new input or output that is missing from any of the three fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputDefinition } from '@cloudcreds/core';
import { readActionMetadata, repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import * as cseInputs from '../actions/cse-token/src/inputs.ts';
import * as cseOutputs from '../actions/cse-token/src/outputs.ts';
import * as swrInputs from '../actions/swr-login/src/inputs.ts';
import * as swrOutputs from '../actions/swr-login/src/outputs.ts';
import * as ucloudInputs from '../actions/ucloud-authconfig/src/inputs.ts';
import * as ucloudOutputs from '../actions/ucloud-authconfig/src/outputs.ts';

interface Contract {
  action: string;
  definitions: Record<string, InputDefinition<unknown>>;
  outputs: readonly string[];
}

const CONTRACTS: Contract[] = [
  { action: 'swr-login', definitions: swrInputs.definitions, outputs: swrOutputs.OUTPUT_NAMES },
  { action: 'cse-token', definitions: cseInputs.definitions, outputs: cseOutputs.OUTPUT_NAMES },
  {
    action: 'ucloud-authconfig',
    definitions: ucloudInputs.definitions,
    outputs: ucloudOutputs.OUTPUT_NAMES,
  },
];

/** The default as the runner would pass it: action.yml defaults are strings. */
function asInputText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof URL) return value.href.replace(/\/$/, '');
  return String(value);
}

interface TableRow {
  name: string;
  cells: string[];
}

/** The rows of the first Markdown table under `## <heading>` whose first cell is a `code` name. */
function readmeTable(readme: string, heading: string): TableRow[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
  const rows: TableRow[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const name = /^`([a-z][a-z0-9-]*)`$/.exec(cells[0] ?? '')?.[1];
    if (name) rows.push({ name, cells: cells.slice(1) });
  }
  return rows;
}

interface ExampleStep {
  id?: string;
  with: Record<string, unknown>;
}

/** Every step in the README's YAML examples that uses this action. */
function exampleSteps(readme: string, action: string): ExampleStep[] {
  const steps: ExampleStep[] = [];
  for (const block of readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    for (const document of parseAllDocuments(block[1] ?? '')) {
      const found: ExampleStep[] = [];
      collectSteps(document.toJS(), action, found);
      steps.push(...found);
    }
  }
  return steps;
}

function collectSteps(node: unknown, action: string, found: ExampleStep[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectSteps(item, action, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  const uses = record['uses'];
  if (typeof uses === 'string' && usesThisAction(uses, action)) {
    const id = typeof record['id'] === 'string' ? record['id'] : undefined;
    found.push({
      ...(id ? { id } : {}),
      with: (record['with'] as Record<string, unknown> | undefined) ?? {},
    });
  }
  for (const value of Object.values(record)) collectSteps(value, action, found);
}

function usesThisAction(uses: string, action: string): boolean {
  const target = uses.split('@')[0] ?? '';
  return target.endsWith(`/${action}`) || target === `./actions/${action}`;
}

describe.each(CONTRACTS)('$action contract', ({ action, definitions, outputs }) => {
  const metadata = readActionMetadata(action);
  const readme = readFileSync(join(repoRoot, 'actions', action, 'README.md'), 'utf8');
  const inputDefinitions = Object.values(definitions);

  describe('action.yml against the code', () => {
    it('declares exactly the inputs the code reads, in the same order', () => {
      expect(Object.keys(metadata.inputs)).toEqual(inputDefinitions.map((definition) => definition.name));
    });

    it('gives each input the default the code applies, and no default where the code has none', () => {
      for (const definition of inputDefinitions) {
        const declared = metadata.inputs[definition.name]?.default;
        expect(declared, definition.name).toBe(asInputText(definition.fallback));
      }
    });

    it('marks no input required: the code enforces required inputs itself, after their env fallbacks', () => {
      for (const [name, input] of Object.entries(metadata.inputs))
        expect(input.required ?? false, name).toBe(false);
    });

    it('declares exactly the outputs the code can set', () => {
      expect(Object.keys(metadata.outputs).sort()).toEqual([...outputs].sort());
      expect(outputs).toContain('skipped');
    });

    it('offers if-no-credentials, and counts at least one input as a credential', () => {
      expect(metadata.inputs['if-no-credentials']?.default).toBe('fail');
      expect(inputDefinitions.some((definition) => definition.credential)).toBe(true);
    });
  });

  describe('README against action.yml', () => {
    const inputs = readmeTable(readme, 'Inputs');
    const documentedOutputs = readmeTable(readme, 'Outputs');

    it('lists every input, in the order of action.yml', () => {
      expect(inputs.map((row) => row.name)).toEqual(Object.keys(metadata.inputs));
    });

    it('states each default as action.yml does, and each env fallback as the code reads it', () => {
      for (const row of inputs) {
        const definition = inputDefinitions.find((candidate) => candidate.name === row.name);
        const cell = row.cells[0] ?? '';
        const declared = metadata.inputs[row.name]?.default;
        if (declared !== undefined) expect(cell, row.name).toBe(`\`${declared}\``);
        else expect(cell, row.name).not.toMatch(/^`[^`]*`$/);
        const fallbacks = [...cell.matchAll(/env `([A-Z0-9_]+)`/g)].map((match) => match[1]);
        expect(fallbacks, `${row.name}: env fallbacks`).toEqual([...(definition?.env ?? [])]);
      }
    });

    it('lists every output, in the order of action.yml', () => {
      expect(documentedOutputs.map((row) => row.name)).toEqual(Object.keys(metadata.outputs));
    });

    it('uses only declared inputs in every example step', () => {
      const steps = exampleSteps(readme, action);
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        for (const name of Object.keys(step.with)) expect(Object.keys(metadata.inputs), name).toContain(name);
      }
    });

    it('reads only declared outputs of its steps in the examples', () => {
      const ids = exampleSteps(readme, action).flatMap((step) => (step.id ? [step.id] : []));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) {
        for (const [, name] of readme.matchAll(
          new RegExp(`steps\\.${id}\\.outputs\\.([a-z][a-z0-9-]*)`, 'g'),
        )) {
          expect(Object.keys(metadata.outputs), `steps.${id}.outputs.${name}`).toContain(name);
        }
      }
    });
  });
});
