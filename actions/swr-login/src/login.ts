// The main step as a table of contents: inputs → request → answer → masks → docker login →
// outputs. Everything with a side effect outside the runner's files is injected (deps).
import * as core from '@actions/core';
import {
  type Clock,
  type Environment,
  maskBasicAuth,
  maskSecret,
  publish,
  send,
  type Transport,
  warnIfPlainHttp,
  writeSummary,
} from '@cloudcreds/core';
import { type DockerContext, dockerLogin, type Exec } from './docker.ts';
import { readSettings } from './inputs.ts';
import { STATE } from './state.ts';
import { createSecretRequest, readCreateSecretAnswer, type TemporaryLogin } from './swr.ts';

export interface LoginDeps {
  env: Environment;
  /** Where a relative docker-config-dir is resolved (the step's working directory). */
  workingDirectory: string;
  transport: Transport;
  exec: Exec;
  clock: Clock;
}

export async function login(deps: LoginDeps): Promise<void> {
  const settings = readSettings(deps.env, deps.workingDirectory);
  warnIfPlainHttp(settings.endpoint, 'endpoint');

  core.info(
    `Requesting a temporary SWR login for project ${settings.projectName} from ${settings.endpoint.host}`,
  );
  const response = await send(createSecretRequest(settings, deps.clock.now()), {
    transport: deps.transport,
    maxAttempts: settings.maxAttempts,
    timeoutMs: settings.timeoutSeconds * 1000,
    clock: deps.clock,
    // The default policy is SWR's (swr.md §4): network errors, 429 and 5xx; never a 4xx, since
    // repeating a rejected signature counts towards locking the access key.
    onRetry: core.info,
  });
  const answer = readCreateSecretAnswer(response);
  maskAnswer(answer);
  for (const warning of answer.warnings) core.warning(warning);

  const first = answer.logins[0];
  const configDir = settings.dockerConfigDir ?? (deps.env['DOCKER_CONFIG'] || undefined);
  if (settings.login) {
    await loginToEach(answer, { exec: deps.exec, env: deps.env, configDir });
  } else {
    core.info(`login: false, so docker is not run; the outputs carry the credentials for ${first.registry}`);
    if (settings.dockerConfigDir) core.warning("Input 'docker-config-dir' is ignored with 'login: false'");
  }

  const exportsConfig = settings.login && settings.dockerConfigDir !== undefined;
  publish({
    outputs: {
      registry: first.registry,
      username: first.username,
      password: first.password,
      'login-command': answer.loginCommand,
      'expires-at': answer.expiresAt,
      'docker-config-dir': exportsConfig ? settings.dockerConfigDir : undefined,
    },
    variables: exportsConfig ? { DOCKER_CONFIG: settings.dockerConfigDir as string } : {},
  });
  await writeSummary({
    title: 'SWR temporary login',
    rows: [
      ['Registry', answer.logins.map((entry) => entry.registry).join(', ')],
      ['User', first.username],
      ['Expires', answer.expiresAt ?? 'not stated by SWR'],
      [
        'docker login',
        settings.login ? `done${configDir ? ` (DOCKER_CONFIG ${configDir})` : ''}` : 'skipped (login: false)',
      ],
    ],
  });
}

/** Every form of every credential in the answer, registered before anything can print one. */
function maskAnswer(answer: TemporaryLogin): void {
  for (const entry of answer.logins) maskBasicAuth(entry.username, entry.password);
  maskSecret(answer.loginCommand);
  if (answer.loginHeader) maskSecret(answer.loginHeader);
}

/**
 * Logs in to each registry. State is saved after every success, so that if a later login fails,
 * the post step (which runs after a failed main too) still logs out of what was logged into.
 */
async function loginToEach(answer: TemporaryLogin, docker: DockerContext): Promise<void> {
  core.saveState(STATE.dockerConfig, docker.configDir ?? '');
  const loggedIn: string[] = [];
  for (const entry of answer.logins) {
    await dockerLogin(docker, entry);
    loggedIn.push(entry.registry);
    core.saveState(STATE.registries, JSON.stringify(loggedIn));
    core.info(`Logged in to ${entry.registry} as ${entry.username}`);
  }
}
