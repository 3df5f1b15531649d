// What the main step does once its inputs are valid: check that docker can log in → credentials
// (given, or through OIDC federation) → the registry logins SWR hands out, from CreateSecret,
// CreateAuthorizationToken or Enterprise instances, for every region or instance (grants.ts) →
// masks → docker login to each → outputs and summary. main.ts loads this module only then: it brings the HTTP client and
// @actions/core. Every effect goes through `deps`.
import {
  type Deps,
  type Environment,
  plainHttpWarning,
  printable,
  publish,
  runnerDeps,
  type SendOptions,
  userAgent,
  writeSummary,
} from '@cloudcreds/core';
import { authorizationMessageDebugLine } from './authorization-message.ts';
import { type DockerLogin, keepLoggedIn, logInToEach } from './docker-logins.ts';
import { checkDockerPrerequisites, type DockerTarget, dockerTarget } from './docker-preflight.ts';
import { type Grants, requestGrants } from './grants.ts';
import type { Inputs } from './inputs.ts';
import { type DockerOutcome, loginPublication, loginSummary } from './outputs.ts';
import type { Credentials } from './swr.ts';

export async function act(inputs: Inputs, deps: Deps): Promise<void> {
  const { logger } = deps;
  const docker = prepareDocker(inputs, deps);
  for (const warning of plainHttpWarnings(inputs)) logger.warning(warning);

  // The default policy suits SWR, IAM and STS alike (docs/specs/swr.md §4): network errors, 429 and 5xx; never
  // a 4xx, since repeating a rejected signature counts towards locking the access key.
  const sendOptions: SendOptions = {
    transport: deps.transport,
    maxAttempts: inputs.maxAttempts,
    timeoutMs: inputs.timeoutSeconds * 1000,
    clock: deps.clock,
    onRetry: (message) => logger.info(message),
  };
  const { credentials, description } = await authenticate(inputs, deps, sendOptions);
  const grants = await requestGrantsExplained(inputs, credentials, deps, sendOptions);

  let outcome: DockerOutcome = { loggedIn: false };
  if (docker) {
    const logins: DockerLogin[] = grants.flatMap((grant) =>
      grant.logins.map((login) => ({ ...login, enterprise: grant.enterprise })),
    );
    await logInToEach(logins, docker.configDir, deps);
    outcome = { loggedIn: true, configDir: docker.configDir, exportedConfigDir: inputs.dockerConfigDir };
  } else {
    const registries = grants.flatMap((grant) => grant.logins.map((login) => printable(login.registry)));
    logger.info(
      `login: false, so docker is not run; the outputs carry the credentials for ${registries.join(', ')}`,
    );
  }
  publish(loginPublication(grants, outcome));
  await writeSummary(loginSummary(grants, outcome, description));
  // Only now: a step that failed or was cancelled before this point leaves no login behind.
  if (docker && !inputs.logout) keepLoggedIn();
}

/**
 * Endpoints given as plain http://. Route A warns about its own IAM endpoint; the Enterprise project
 * lookup uses `iam-endpoint` whatever the route, unless `project-id` makes it unnecessary.
 */
function plainHttpWarnings(inputs: Inputs): string[] {
  const warnings = [plainHttpWarning('endpoint', [inputs.regions[0].endpoint])];
  const routeA =
    inputs.authentication.kind === 'federated' && inputs.authentication.route.kind === 'identity-provider';
  if (inputs.iamEndpoint && !routeA && inputs.api.kind === 'enterprise' && !inputs.projectId) {
    warnings.push(plainHttpWarning('iam-endpoint', [inputs.iamEndpoint]));
  }
  return warnings.filter((warning) => warning !== undefined);
}

/**
 * Where docker logs in, checked before any request: a credential minted for a docker that cannot
 * log in would be wasted. Undefined with `login: false`.
 */
function prepareDocker(inputs: Inputs, deps: Deps): DockerTarget | undefined {
  if (!inputs.login) {
    if (inputs.dockerConfigDir)
      deps.logger.warning("Input 'docker-config-dir' is ignored with 'login: false'");
    return undefined;
  }
  const target = dockerTarget(inputs.dockerConfigDir, deps.env, deps.workingDirectory);
  for (const warning of checkDockerPrerequisites(target, deps.env)) deps.logger.warning(warning);
  return target;
}

/** The runner's deps: HTTP with the action's user agent, the runner's exec, logger and clock. */
export function defaultDeps(_inputs: Inputs, env: Environment): Deps {
  return runnerDeps({ userAgent: userAgent('swr-login') }, env);
}

/**
 * The credentials SWR is asked with, and how they were obtained (for the summary; never a
 * secret). The federation modules load only when a federation route was chosen.
 */
async function authenticate(
  inputs: Inputs,
  deps: Deps,
  sendOptions: SendOptions,
): Promise<{ credentials: Credentials; description: string }> {
  const authentication = inputs.authentication;
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
    region: inputs.regions[0].region,
    project: inputs.projectId
      ? { id: inputs.projectId }
      : {
          name:
            inputs.api.kind === 'create-secret'
              ? (inputs.api.projectName ?? inputs.regions[0].region)
              : inputs.regions[0].region,
        },
    getIdToken: deps.getIdToken,
    logger: deps.logger,
    sendOptions,
  });
}

/**
 * requestGrants, and with step debug on, the encoded_authorization_message of an IAM5 refusal
 * (never in the error line: it is long and opaque).
 */
async function requestGrantsExplained(
  inputs: Inputs,
  credentials: Credentials,
  deps: Deps,
  sendOptions: SendOptions,
): Promise<Grants> {
  try {
    return await requestGrants(inputs, credentials, deps, sendOptions);
  } catch (error) {
    const line = authorizationMessageDebugLine(error);
    if (line) deps.logger.debug(line);
    throw error;
  }
}
