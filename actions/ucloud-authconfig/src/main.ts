// ucloud-authconfig: inputs → GetAuthConfig calls → mask every key → select → file and outputs
// (act.ts). The inputs are read and checked before anything else loads: the HTTP client and
// @actions/core cost a run that fails on its inputs more than everything it needs (bench/README.md).
// webpackMode "eager" keeps act.ts in this one bundle file (no chunk) and only defers evaluating it.
import { runMain } from '@cloudcreds/core';
import { readUcloudInputs } from './inputs.ts';

await runMain(async () => {
  const inputs = readUcloudInputs();
  const { publishAuthConfigs } = await import(/* webpackMode: "eager" */ './act.ts');
  await publishAuthConfigs(inputs);
});
