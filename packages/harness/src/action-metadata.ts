import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export const repoRoot = new URL('../../..', import.meta.url).pathname;

export interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/** The directory holding an action.yml: `actions/<name>`, the repository root for `.`, or any absolute path. */
export function actionDirectory(action: string): string {
  if (action === '.') return repoRoot;
  if (isAbsolute(action)) return action;
  return join(repoRoot, 'actions', action);
}

/** Reads an action.yml (see actionDirectory for what `action` may name). */
export function readActionMetadata(action: string): ActionMetadata {
  const path = join(actionDirectory(action), 'action.yml');
  const metadata = parse(readFileSync(path, 'utf8')) as ActionMetadata;
  return { ...metadata, inputs: metadata.inputs ?? {}, outputs: metadata.outputs ?? {} };
}
