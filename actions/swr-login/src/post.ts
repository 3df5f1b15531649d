import { getExecOutput } from '@actions/exec';
import { runPost } from '@cloudcreds/core';
import { logout } from './logout.ts';

await runPost(() => logout({ env: process.env, exec: getExecOutput }));
