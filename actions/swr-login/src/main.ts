// swr-login main step: skip a run without credentials → read and check every input → check
// docker, get the login, docker login, outputs (act.ts). Inputs are read and checked before
// anything else loads: the HTTP client, TLS and @actions/core cost a run that fails on its inputs
// more than everything it needs (bench/README.md). webpackMode "eager" keeps act.ts in this one
// bundle file (no chunk) and only defers evaluating it.
import { type Environment, runMain, skipIfNoCredentials } from '@cloudcreds/core';
import { definitions, readInputs } from './inputs.ts';

export async function run(env: Environment = process.env): Promise<void> {
  await runMain(async () => {
    if (skipIfNoCredentials(definitions, env)) return;
    const inputs = readInputs(env);
    const { act, defaultDeps } = await import(/* webpackMode: "eager" */ './act.ts');
    await act(inputs, defaultDeps(inputs, env));
  });
}
