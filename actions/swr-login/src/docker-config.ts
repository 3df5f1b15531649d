// The docker config directory a login goes into: which directory docker really uses, and whether
// its config.json holds a login for a registry. Read by main (to check a login landed) and by post
// (to skip what is not there any more), so it stays free of anything heavy.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Environment, isObject } from '@cloudcreds/core';

/** DOCKER_CONFIG as given to docker, or docker's default, ~/.docker. */
export function effectiveConfigDir(configDir: string | undefined, env: Environment): string {
  return configDir ?? join(env['HOME'] || homedir(), '.docker');
}

/**
 * Whether `dir`/config.json has an `auths` entry for `registry`; undefined when the file exists
 * but is not docker's JSON. Docker writes the entry for credential helpers too (without the
 * secret), and may key it by URL (`https://host/v1/`), so keys are compared as host[:port].
 */
export function holdsLogin(dir: string, registry: string): boolean | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'config.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    return undefined;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(config)) return undefined;
  const auths = config['auths'];
  if (auths === undefined) return false;
  if (!isObject(auths)) return undefined;
  return Object.keys(auths).some((key) => hostOf(key) === registry);
}

function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
}
