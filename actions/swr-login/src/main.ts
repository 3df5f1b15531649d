// swr-login main step: inputs → CreateSecret → masks → docker login → outputs (login.ts).
// The inputs are read and checked before anything else loads: login.ts, the HTTP client, TLS and
// @actions/core once they are valid, @actions/exec only when docker actually runs. Loaded up front,
// they cost a run that fails on its inputs more than everything it needs (bench/README.md).
// webpackMode "eager" keeps each in this one bundle file (no chunk) and only defers evaluating it.
import { runMain, systemClock, userAgent } from '@cloudcreds/core';
import type { Exec } from './docker.ts';
import type { IdTokenSource } from './federation/id-token.ts';
import { readSettings } from './inputs.ts';

const exec: Exec = async (tool, args, options) => {
  const { getExecOutput } = await import(/* webpackMode: "eager" */ '@actions/exec');
  return getExecOutput(tool, args, options);
};

const getIdToken: IdTokenSource = async (audience) => {
  const { getIDToken } = await import(/* webpackMode: "eager" */ '@actions/core');
  return getIDToken(audience);
};

await runMain(async () => {
  const settings = readSettings(process.env, process.cwd());
  const { createHttpTransport } = await import(/* webpackMode: "eager" */ '@cloudcreds/core');
  const { login } = await import(/* webpackMode: "eager" */ './login.ts');
  await login(
    {
      env: process.env,
      workingDirectory: process.cwd(),
      transport: createHttpTransport({ userAgent: userAgent('swr-login') }),
      exec,
      clock: systemClock,
      getIdToken,
    },
    settings,
  );
});
