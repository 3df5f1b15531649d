// The post step's work: docker logout from every registry main saved, with the same DOCKER_CONFIG
// and under the config directory's lock. Idempotent: a registry config.json holds no login for
// (main was cancelled before docker wrote it, or something logged out already) is nothing to undo.
// Cleanup never fails the job: each failure is a warning, and the other registries still get one.
import {
  type Clock,
  type Environment,
  type Exec,
  failureMessage,
  type Logger,
  printable,
  ToolError,
} from '@cloudcreds/core';
import { dockerLogout } from './docker.ts';
import { effectiveConfigDir, holdsLogin } from './docker-config.ts';
import { withConfigLock } from './docker-lock.ts';
import type { SavedLogin } from './state.ts';

export interface LogoutDeps {
  env: Environment;
  exec: Exec;
  logger: Logger;
  clock: Clock;
}

export async function logout(saved: SavedLogin, deps: LogoutDeps): Promise<void> {
  if (saved.registries.length === 0) return;
  const { logger } = deps;
  if (!saved.logout) {
    logger.info(`logout: false, so docker stays logged in to ${saved.registries.map(shown).join(', ')}`);
    return;
  }
  const docker = { exec: deps.exec, env: deps.env, configDir: saved.configDir };
  const dir = effectiveConfigDir(saved.configDir, deps.env);
  for (const registry of saved.registries) {
    if (holdsLogin(dir, registry) === false) {
      logger.info(`Docker is not logged in to ${shown(registry)} (any more): nothing to undo`);
      continue;
    }
    try {
      await withConfigLock(dir, deps.clock, () => dockerLogout(docker, registry));
      logger.info(`Logged out of ${shown(registry)}`);
    } catch (error) {
      logger.warning(failureMessage(error));
      // docker cannot run at all, or the directory stays locked: the other registries would only
      // repeat the same warning (and the same wait).
      if (error instanceof ToolError && error.exitCode === undefined) return;
    }
  }
}

/** Registries came from SWR's answer: printed only once made inert. */
function shown(registry: string): string {
  return printable(registry, 300);
}
