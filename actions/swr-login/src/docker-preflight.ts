// What a docker login needs, checked before any request mints a credential: the docker CLI on
// PATH, and a config directory that is not a file. A config directory inside the workspace works,
// but leaves the registry credential in the checkout until the post step, where a cache or
// artifact step may pick it up: that earns a warning.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, type Environment } from '@cloudcreds/core';

export interface DockerTarget {
  /** DOCKER_CONFIG for docker; undefined = docker's default, ~/.docker. */
  configDir: string | undefined;
  /** Who chose the directory, as messages name it. */
  chosenBy: "Input 'docker-config-dir'" | 'DOCKER_CONFIG' | undefined;
}

// A workflow expression, not a placeholder: printed as the user writes it.
const RUNNER_TEMP_EXAMPLE = `docker-config-dir: \${{ runner.temp }}/docker-config`;

/** The input wins; a DOCKER_CONFIG from an earlier step comes next; else docker's default. */
export function dockerTarget(
  dockerConfigDir: string | undefined,
  env: Environment,
  workingDirectory: string,
): DockerTarget {
  if (dockerConfigDir !== undefined)
    return { configDir: dockerConfigDir, chosenBy: "Input 'docker-config-dir'" };
  const fromEnv = env['DOCKER_CONFIG'];
  if (fromEnv) return { configDir: resolve(workingDirectory, fromEnv), chosenBy: 'DOCKER_CONFIG' };
  return { configDir: undefined, chosenBy: undefined };
}

/** Throws a ConfigError when docker cannot log in; returns the warnings worth printing. */
export function checkDockerPrerequisites(target: DockerTarget, env: Environment): string[] {
  if (!onPath('docker', env)) {
    throw new ConfigError(
      "The docker CLI is not on PATH: install docker on the runner, or set 'login' to false to only get the outputs",
    );
  }
  if (target.configDir === undefined || target.chosenBy === undefined) return [];
  if (notADirectory(target.configDir)) {
    throw new ConfigError(
      `${target.chosenBy} names a file (or a path through one), not a directory: docker keeps config.json in a directory, so set 'docker-config-dir' to one, e.g. ${RUNNER_TEMP_EXAMPLE}`,
    );
  }
  const workspace = env['GITHUB_WORKSPACE'];
  // RUNNER_TEMP is what the warning recommends, wherever the runner put it.
  const runnerTemp = env['RUNNER_TEMP'];
  const inRunnerTemp =
    runnerTemp !== undefined && runnerTemp !== '' && isInside(target.configDir, runnerTemp);
  if (workspace && isInside(target.configDir, workspace) && !inRunnerTemp) {
    return [
      `${target.chosenBy} is inside the workspace (GITHUB_WORKSPACE): the registry login stays in the checkout until the post step, where a cache or artifact step can pick it up. Use a directory under the runner's temporary directory instead: ${RUNNER_TEMP_EXAMPLE}`,
    ];
  }
  return [];
}

/** As @actions/exec finds a tool: an executable file in one of PATH's directories. */
function onPath(tool: string, env: Environment): boolean {
  return (env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      const file = join(dir, tool);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

function notADirectory(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch (error) {
    // Missing is fine (docker creates it); ENOTDIR means a part of the path is a file.
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR';
  }
}

function isInside(path: string, directory: string): boolean {
  const rest = relative(resolve(directory), resolve(path));
  return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
}
