// The post step: docker logout from every registry main logged into, with the same DOCKER_CONFIG.
// Cleanup never fails the job: each failure is a warning, and the other registries still get one.
import { type Environment, failureMessage, info, warning } from '@cloudcreds/core';
import { dockerLogout, type Exec } from './docker.ts';
import { readLogoutSetting } from './inputs.ts';
import { readSavedLogin } from './state.ts';

export interface LogoutDeps {
  env: Environment;
  exec: Exec;
}

export async function logout(deps: LogoutDeps): Promise<void> {
  const saved = readSavedLogin(deps.env);
  if (saved.registries.length === 0) {
    info('Nothing to log out of: the main step logged in nowhere');
    return;
  }
  if (!readLogoutSetting(deps.env)) {
    info(`logout: false, so docker stays logged in to ${saved.registries.join(', ')}`);
    return;
  }
  for (const registry of saved.registries) {
    try {
      await dockerLogout({ exec: deps.exec, env: deps.env, configDir: saved.configDir }, registry);
      info(`Logged out of ${registry}`);
    } catch (error) {
      warning(failureMessage(error));
    }
  }
}
