import { getExecOutput } from '@actions/exec';
import { createHttpTransport, runMain, systemClock, userAgent } from '@cloudcreds/core';
import { login } from './login.ts';

await runMain(() =>
  login({
    env: process.env,
    workingDirectory: process.cwd(),
    transport: createHttpTransport({ userAgent: userAgent('swr-login') }),
    exec: getExecOutput,
    clock: systemClock,
  }),
);
