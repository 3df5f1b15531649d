// Every committed bundle, run exactly as the runner runs it, must start on Node 24 and fail
// cleanly without inputs: exit 1, one `::error::` line naming the first missing input.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputDefinition } from '@cloudcreds/core';
import { readActionMetadata, repoRoot, runAction } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { definitions as cseToken } from '../actions/cse-token/src/inputs.ts';
import { definitions as swrLogin } from '../actions/swr-login/src/inputs.ts';
import { definitions as ucloudAuthconfig } from '../actions/ucloud-authconfig/src/inputs.ts';

const DEFINITIONS: Record<string, Record<string, InputDefinition<unknown>>> = {
  'swr-login': swrLogin,
  'cse-token': cseToken,
  'ucloud-authconfig': ucloudAuthconfig,
};

const actions = readdirSync(join(repoRoot, 'actions')).filter((name) =>
  existsSync(join(repoRoot, 'actions', name, 'action.yml')),
);

/** Inputs are read in definition order, so the first required one is the first to be missing. */
function firstRequiredInput(action: string): string {
  const first = Object.values(DEFINITIONS[action] ?? {}).find((definition) => definition.required);
  if (!first) throw new Error(`${action}: no required input in its definitions`);
  return first.name;
}

describe.each(actions)('%s bundle', (action) => {
  const metadata = readActionMetadata(action);

  it('declares node24 and points at committed self-contained .mjs bundles under dist/', () => {
    expect(metadata.runs.using).toBe('node24');
    const entries = [metadata.runs.main, metadata.runs.post].filter(
      (entry): entry is string => entry !== undefined,
    );
    for (const entry of entries) {
      expect(entry).toMatch(new RegExp(`^\\.\\./\\.\\./dist/${action}/(main|post)\\.mjs$`));
      expect(existsSync(join(repoRoot, 'actions', action, entry))).toBe(true);
    }
    const files = readdirSync(join(repoRoot, 'dist', action));
    expect(files.filter((file) => /\.(c|m)?js$/.test(file)).sort()).toEqual(
      entries.map((entry) => entry.split('/').pop()).sort(),
    );
  });

  it('keeps each bundle under 500 kB, ASCII-only, without the undici code http-client never reaches', () => {
    for (const entry of [metadata.runs.main, metadata.runs.post]) {
      if (entry === undefined) continue;
      const bundle = readFileSync(join(repoRoot, 'actions', action, entry), 'utf8');
      expect(Buffer.byteLength(bundle)).toBeLessThan(500 * 1024);
      // undici's global dispatcher symbol: present wherever undici's own code is bundled.
      expect(bundle).not.toContain('undici.globalDispatcher');
      // scripts/build.ts lighten(): built-ins without createRequire, a one-byte source for V8.
      expect(bundle).not.toContain('createRequire');
      expect(bundle).toMatch(/^[\x00-\x7f]*$/);
    }
  });

  it('run with no inputs exits 1 with exactly one ::error:: line naming the first missing input', async () => {
    const result = await runAction({ action, inputs: {} });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`Input '${firstRequiredInput(action)}' is required`);
    expect(result.stderr).toBe('');
    expect(result.outputs).toEqual({});
    expect(result.exported).toEqual({});
  });
});

describe('root action.yml', () => {
  it('is swr-login: same inputs, outputs and runtime, with paths from the repository root', () => {
    const root = readActionMetadata('.');
    const swr = readActionMetadata('swr-login');
    expect(root.inputs).toEqual(swr.inputs);
    expect(root.outputs).toEqual(swr.outputs);
    expect(root.runs).toEqual({
      ...swr.runs,
      main: swr.runs.main.replace('../../', ''),
      ...(swr.runs.post ? { post: swr.runs.post.replace('../../', '') } : {}),
    });
  });
});
