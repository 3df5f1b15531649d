// cse-token: inputs → TLS choices → login (POST /v4/token) → mask → outputs and summary (act.ts).
// The inputs are read and checked before anything else loads: the HTTP client, TLS and
// @actions/core cost a run that fails on its inputs more than everything it needs (bench/README.md).
// webpackMode "eager" keeps act.ts in this one bundle file (no chunk) and only defers evaluating it.
import { runMain } from '@cloudcreds/core';
import { readCseTokenInputs } from './inputs.ts';

await runMain(async () => {
  const inputs = readCseTokenInputs();
  const { issueToken } = await import(/* webpackMode: "eager" */ './act.ts');
  await issueToken(inputs);
});
