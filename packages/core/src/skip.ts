// `if-no-credentials: skip` (every action): a run that was given no credential at all — typically
// a pull request from a fork or a Dependabot run, which get no secrets — succeeds without doing
// anything, so such pipelines can keep the step unconditional. Decided from the raw inputs before
// they are parsed, because a missing required secret would otherwise fail the parse.
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { notice } from './commands.ts';
import {
  commonInputs,
  type Environment,
  type InputDefinition,
  parseInputs,
  rawInput,
  SECRETS_NOT_PASSED,
} from './inputs.ts';

/**
 * With `if-no-credentials: skip` and every credential input (and its env fallbacks) empty: one
 * notice, the output `skipped=true`, and true — the caller then does nothing else. Otherwise false.
 */
export function skipIfNoCredentials(
  definitions: Record<string, InputDefinition<unknown>>,
  env: Environment,
): boolean {
  const { ifNoCredentials } = parseInputs({ ifNoCredentials: commonInputs.ifNoCredentials }, env);
  if (ifNoCredentials !== 'skip') return false;
  const credentials = Object.values(definitions).filter((definition) => definition.credential);
  if (credentials.some((definition) => rawInput(definition, env) !== '')) return false;

  notice(
    `Skipped: no credential was given (${credentials.map(describe).join(', ')}) and 'if-no-credentials' is 'skip'. ${SECRETS_NOT_PASSED}.`,
  );
  // A constant name and value: the `name=value` form carries no injection risk (docs/specs/runner.md §3).
  const outputFile = env['GITHUB_OUTPUT'];
  if (outputFile) appendFileSync(outputFile, `skipped=true${EOL}`);
  else process.stdout.write(`::set-output name=skipped::true${EOL}`);
  return true;
}

function describe(definition: InputDefinition<unknown>): string {
  const fallbacks = definition.env.length > 0 ? ` or ${definition.env.join(' or ')}` : '';
  return `'${definition.name}'${fallbacks}`;
}
