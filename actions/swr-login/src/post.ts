// swr-login post step: docker logout from what main saved in state (logout.ts), never from its
// inputs: main validated them, and a post step that parsed them again would carry the input
// schemas for nothing. A run where main saved nothing does nothing, silently. @actions/exec loads
// only when there is something to log out of (webpackMode "eager": same bundle file, deferred).
import { type Environment, type Exec, runnerLogger, runPost, systemClock } from '@cloudcreds/core';
import { logout } from './logout.ts';
import { readSavedLogin } from './state.ts';

const exec: Exec = async (tool, args, options) => {
  const { getExecOutput } = await import(/* webpackMode: "eager" */ '@actions/exec');
  return getExecOutput(tool, args, options);
};

export async function run(env: Environment = process.env): Promise<void> {
  await runPost(() => logout(readSavedLogin(env), { env, exec, logger: runnerLogger, clock: systemClock }));
}
