import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const repoRoot = new URL('../..', import.meta.url).pathname;

export interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/** Reads an action.yml: `actions/<name>/action.yml`, or the root one for `.`. */
export function readActionMetadata(action: string): ActionMetadata {
  const path =
    action === '.' ? join(repoRoot, 'action.yml') : join(repoRoot, 'actions', action, 'action.yml');
  const metadata = parse(readFileSync(path, 'utf8')) as ActionMetadata;
  return { ...metadata, inputs: metadata.inputs ?? {}, outputs: metadata.outputs ?? {} };
}
