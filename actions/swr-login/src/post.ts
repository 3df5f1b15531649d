// swr-login post step: docker logout from what main logged into (logout.ts). @actions/exec loads
// only when there is something to log out of (webpackMode "eager": same bundle file, deferred).
import { runPost } from '@cloudcreds/core';
import type { Exec } from './docker.ts';
import { logout } from './logout.ts';

const exec: Exec = async (tool, args, options) => {
  const { getExecOutput } = await import(/* webpackMode: "eager" */ '@actions/exec');
  return getExecOutput(tool, args, options);
};

await runPost(() => logout({ env: process.env, exec }));
