// What main hands to post: the registries actually logged into and the docker config directory
// used. Never a secret: state is a plain file on the runner.
import type { Environment } from '@cloudcreds/core';

export const STATE = {
  registries: 'registries',
  dockerConfig: 'docker-config',
} as const;

export interface SavedLogin {
  registries: string[];
  /** undefined = docker's default config directory. */
  configDir: string | undefined;
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
  return { registries, configDir: env[`STATE_${STATE.dockerConfig}`] || undefined };
}
