// What main hands to post: the registries post must log out of, the docker config directory used,
// and whether to keep the logins. Never a secret: state is a plain file on the runner. Main saves
// each registry before its docker login starts, so a job cancelled during the login still has post
// undo it; `logout: false` is saved only once the step succeeded, so a failed or cancelled step
// leaves no login behind whatever `logout` says.
import type { Environment } from '@cloudcreds/core';

export const STATE = {
  registries: 'registries',
  dockerConfig: 'docker-config',
  logout: 'logout',
} as const;

export interface SavedLogin {
  registries: string[];
  /** undefined = docker's default config directory. */
  configDir: string | undefined;
  /** False only when main succeeded with `logout: false`. */
  logout: boolean;
}

/** Reads the state main saved (STATE_<name>); missing or damaged state means nothing to undo. */
export function readSavedLogin(env: Environment): SavedLogin {
  let registries: string[] = [];
  try {
    const parsed: unknown = JSON.parse(env[`STATE_${STATE.registries}`] || '[]');
    if (Array.isArray(parsed)) registries = parsed.filter((item): item is string => typeof item === 'string');
  } catch {
    registries = [];
  }
  return {
    registries,
    configDir: env[`STATE_${STATE.dockerConfig}`] || undefined,
    logout: env[`STATE_${STATE.logout}`] !== 'false',
  };
}
