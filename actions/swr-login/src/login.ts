// The main step as a table of contents: inputs → credentials (given, or through OIDC federation)
// → request → answer → masks → docker login → outputs. Everything with a side effect outside the
// runner's files is injected (deps).
import * as core from '@actions/core';
import {
  type Clock,
  type Environment,
  failureMessage,
  maskBasicAuth,
  maskSecret,
  publish,
  type SendOptions,
  send,
  type Transport,
  warnIfPlainHttp,
  writeSummary,
} from '@cloudcreds/core';
import { type DockerContext, dockerLogin, dockerLogout, type Exec } from './docker.ts';
import type { IdTokenSource } from './federation/id-token.ts';
import { readSettings, type Settings } from './inputs.ts';
import { STATE } from './state.ts';
import { type Credentials, createSecretRequest, readCreateSecretAnswer, type TemporaryLogin } from './swr.ts';

export interface LoginDeps {
  env: Environment;
  /** Where a relative docker-config-dir is resolved (the step's working directory). */
  workingDirectory: string;
  transport: Transport;
  exec: Exec;
  clock: Clock;
  /** The GitHub ID token for an audience (`core.getIDToken`); only OIDC federation calls it. */
  getIdToken: IdTokenSource;
}

/** `settings` are read from `deps.env` unless main.ts read them already, before loading this module. */
export async function login(
  deps: LoginDeps,
  settings: Settings = readSettings(deps.env, deps.workingDirectory),
): Promise<void> {
  warnIfPlainHttp(settings.endpoint, 'endpoint');
  // The default policy suits SWR, IAM and STS alike (swr.md §4): network errors, 429 and 5xx; never
  // a 4xx, since repeating a rejected signature counts towards locking the access key.
  const sendOptions = {
    transport: deps.transport,
    maxAttempts: settings.maxAttempts,
    timeoutMs: settings.timeoutSeconds * 1000,
    clock: deps.clock,
    onRetry: core.info,
  };
  const { credentials, description } = await authenticate(settings, deps, sendOptions);

  core.info(
    `Requesting a temporary SWR login for project ${settings.projectName} from ${settings.endpoint.host}`,
  );
  const response = await send(
    createSecretRequest({ ...settings, credentials }, deps.clock.now()),
    sendOptions,
  );
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
      ['Authenticated with', description],
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

/**
 * The credentials CreateSecret is signed with, and how they were obtained (for the summary; never a
 * secret). The federation modules load only when a federation route was chosen.
 */
async function authenticate(
  settings: Settings,
  deps: LoginDeps,
  sendOptions: SendOptions,
): Promise<{ credentials: Credentials; description: string }> {
  const authentication = settings.authentication;
  if (authentication.kind === 'static') {
    const credentials = authentication.credentials;
    const description =
      credentials.kind === 'iam-token'
        ? 'IAM token (auth-token)'
        : credentials.securityToken
          ? 'temporary access key and security token'
          : 'access key';
    return { credentials, description };
  }
  const { federate } = await import(/* webpackMode: "eager" */ './federation/federate.ts');
  return federate(authentication, {
    region: settings.region,
    project: settings.projectId ? { id: settings.projectId } : { name: settings.projectName },
    getIdToken: deps.getIdToken,
    sendOptions,
  });
}

/** Every form of every credential in the answer, registered before anything can print one. */
function maskAnswer(answer: TemporaryLogin): void {
  for (const entry of answer.logins) maskBasicAuth(entry.username, entry.password);
  maskSecret(answer.loginCommand);
  if (answer.loginHeader) maskSecret(answer.loginHeader);
}

/**
 * Logs in to each registry, saving the state after every success. If a later login fails, the
 * earlier ones are undone at once: a failed main step leaves no docker login behind (actions.md),
 * whatever `logout` says. A logout that fails stays in the state, for the post step to retry.
 */
async function loginToEach(answer: TemporaryLogin, docker: DockerContext): Promise<void> {
  core.saveState(STATE.dockerConfig, docker.configDir ?? '');
  const loggedIn: string[] = [];
  try {
    for (const entry of answer.logins) {
      await dockerLogin(docker, entry);
      loggedIn.push(entry.registry);
      core.saveState(STATE.registries, JSON.stringify(loggedIn));
      core.info(`Logged in to ${entry.registry} as ${entry.username}`);
    }
  } catch (error) {
    const stillLoggedIn: string[] = [];
    for (const registry of loggedIn) {
      try {
        await dockerLogout(docker, registry);
        core.info(`Logged out of ${registry} again, since the step failed`);
      } catch (logoutError) {
        stillLoggedIn.push(registry);
        core.warning(failureMessage(logoutError));
      }
    }
    if (loggedIn.length > 0) core.saveState(STATE.registries, JSON.stringify(stillLoggedIn));
    throw error;
  }
}
