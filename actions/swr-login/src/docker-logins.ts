// The docker half of the main step: one `docker login` per registry of the answer. Before each
// login starts, the state says what post must undo; each login holds the config directory's lock
// (docker-lock.ts) and is checked to be in config.json afterwards. If a later login fails, the
// earlier ones are undone at once: a failed main step leaves no docker login behind (a logout
// that fails stays in the state, for the post step to retry).
import * as core from '@actions/core';
import { type Deps, failureMessage, printable, ToolError } from '@cloudcreds/core';
import { type DockerContext, dockerLogin, dockerLogout } from './docker.ts';
import { effectiveConfigDir, holdsLogin } from './docker-config.ts';
import { withConfigLock } from './docker-lock.ts';
import { STATE } from './state.ts';
import type { RegistryLogin } from './swr.ts';

/** A registry to log in to; `enterprise` adds the network hint when docker cannot reach it. */
export type DockerLogin = RegistryLogin & { enterprise?: boolean };

/**
 * docker's words for a registry it could not reach (Go's net errors): a refused connection or a
 * timeout, as a new Enterprise instance's closed public access produces.
 */
const UNREACHABLE = /connection refused|i\/o timeout|timed? ?out|deadline exceeded|no route to host/i;

const ENTERPRISE_NETWORK_HINT =
  'New SWR Enterprise instances block public access: turn on public access for the instance and add the ' +
  "runner's egress address to its whitelist, or run the job inside an allowed VPC";

export async function logInToEach(
  logins: readonly DockerLogin[],
  configDir: string | undefined,
  deps: Deps,
): Promise<void> {
  const docker: DockerContext = { exec: deps.exec, env: deps.env, configDir };
  const dir = effectiveConfigDir(configDir, deps.env);
  core.saveState(STATE.dockerConfig, configDir ?? '');
  const loggedIn: string[] = [];
  try {
    for (const login of logins) {
      core.saveState(STATE.registries, JSON.stringify([...loggedIn, login.registry]));
      await withConfigLock(dir, deps.clock, async () => {
        await dockerLogin(docker, login).catch((error: unknown) => {
          throw login.enterprise ? withNetworkHint(error) : error;
        });
        if (holdsLogin(dir, login.registry) === false) throw lostLogin(login.registry, dir);
      });
      loggedIn.push(login.registry);
      deps.logger.info(`Logged in to ${printable(login.registry)} as ${printable(login.username)}`);
    }
  } catch (error) {
    const stillLoggedIn: string[] = [];
    for (const registry of loggedIn) {
      try {
        await withConfigLock(dir, deps.clock, () => dockerLogout(docker, registry));
        deps.logger.info(`Logged out of ${printable(registry)} again, since the step failed`);
      } catch (logoutError) {
        stillLoggedIn.push(registry);
        deps.logger.warning(failureMessage(logoutError));
      }
    }
    core.saveState(STATE.registries, JSON.stringify(stillLoggedIn));
    throw error;
  }
}

/** Called once the step succeeded: with `logout: false` the post step leaves the logins alone. */
export function keepLoggedIn(): void {
  core.saveState(STATE.logout, 'false');
}

function withNetworkHint(error: unknown): unknown {
  if (!(error instanceof ToolError) || error.exitCode === undefined || !UNREACHABLE.test(error.message)) {
    return error;
  }
  return new ToolError('docker', error.exitCode, `${error.message} ${ENTERPRISE_NETWORK_HINT}`);
}

function lostLogin(registry: string, dir: string): ToolError {
  return new ToolError(
    'docker',
    0,
    `docker login to ${printable(registry, 300)} exited 0, but ${dir}/config.json holds no login for it: another program rewrote the file at the same moment. Give each job its own 'docker-config-dir' (e.g. \${{ runner.temp }}/docker-config)`,
  );
}
