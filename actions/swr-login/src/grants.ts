// Credentials → the registry logins the chosen SWR API hands out, in the order the inputs list
// them: CreateSecret or CreateAuthorizationToken once per region (docs/specs/swr.md §2, §11, §12),
// or one Enterprise temporary credential per instance of the one region (§10). Every form of every
// password is masked before this returns; every oddity worth a warning is logged here.
import { type Deps, maskBasicAuth, maskSecret, printable, type SendOptions, send } from '@cloudcreds/core';
import { createAuthorizationToken } from './enhanced.ts';
import { showInstance } from './enterprise/instance.ts';
import { lookupProjectId } from './enterprise/project.ts';
import { createTempCredential, enterpriseLoginCommand } from './enterprise/temp-credential.ts';
import { resolveIamEndpoint } from './federation/endpoints.ts';
import type { Inputs, LoginApi, RegionTarget } from './inputs.ts';
import {
  type Credentials,
  createSecretRequest,
  type RegistryLogin,
  readCreateSecretAnswer,
  type TemporaryLogin,
} from './swr.ts';

/** One answer of an SWR API: the registries it opens, and what the outputs say about them. */
export interface Grant {
  logins: [RegistryLogin, ...RegistryLogin[]];
  /** The full login command for the first registry (holds the password; masked). */
  loginCommand: string;
  /** ISO-8601 UTC, when the answer states one unambiguously. */
  expiresAt?: string;
  /** Enterprise only: the temporary credential's `token_id`, when SWR sent a usable one. */
  credentialId?: string;
  /** Enterprise instances block public access by default: a failed docker login says so. */
  enterprise: boolean;
}

export type Grants = [Grant, ...Grant[]];

export async function requestGrants(
  inputs: Inputs,
  credentials: Credentials,
  deps: Deps,
  sendOptions: SendOptions,
): Promise<Grants> {
  const api = inputs.api;
  if (api.kind === 'enterprise') {
    const [target] = inputs.regions;
    const projectId = await enterpriseProjectId(inputs, target, credentials, deps, sendOptions);
    const grants: Grant[] = [];
    for (const instanceId of api.instanceIds) {
      const request = {
        endpoint: target.endpoint,
        region: target.region,
        projectId,
        instanceId,
        credentials,
      };
      let registry = api.registry;
      if (registry === undefined) {
        deps.logger.info(`Looking up SWR Enterprise instance ${instanceId} in ${target.endpoint.host}`);
        const instance = await showInstance(request, sendOptions);
        warnAll(instance.warnings, deps);
        registry = instance.registry;
      }
      deps.logger.info(
        `Requesting a temporary credential for SWR Enterprise instance ${instanceId} (${printable(registry, 300)}) from ${target.endpoint.host}`,
      );
      const credential = await createTempCredential(request, sendOptions);
      warnAll(credential.warnings, deps);
      const loginCommand = enterpriseLoginCommand(credential, registry);
      maskSecret(loginCommand);
      grants.push({
        logins: [{ registry, username: credential.userId, password: credential.authToken }],
        loginCommand,
        ...(credential.expiresAt !== undefined ? { expiresAt: credential.expiresAt } : {}),
        ...(credential.credentialId !== undefined ? { credentialId: credential.credentialId } : {}),
        enterprise: true,
      });
    }
    return grants as Grants;
  }

  const grants: Grant[] = [];
  for (const target of inputs.regions) {
    const answer =
      api.kind === 'enhanced'
        ? await enhancedLogin(inputs, target, credentials, deps, sendOptions)
        : await secretLogin(api, inputs.projectId, target, credentials, deps, sendOptions);
    warnAll(answer.warnings, deps);
    grants.push({
      logins: answer.logins,
      loginCommand: answer.loginCommand,
      ...(answer.expiresAt !== undefined ? { expiresAt: answer.expiresAt } : {}),
      enterprise: false,
    });
  }
  return grants as Grants;
}

async function secretLogin(
  api: Extract<LoginApi, { kind: 'create-secret' }>,
  projectId: string | undefined,
  target: RegionTarget,
  credentials: Credentials,
  deps: Deps,
  sendOptions: SendOptions,
): Promise<TemporaryLogin> {
  const projectName = api.projectName ?? target.region;
  deps.logger.info(
    `Requesting a temporary SWR login for project ${projectName} from ${target.endpoint.host}`,
  );
  const request = {
    endpoint: target.endpoint,
    projectName,
    ...(projectId ? { projectId } : {}),
    ...(api.durationSeconds !== undefined ? { durationSeconds: api.durationSeconds } : {}),
    credentials,
  };
  const response = await send(createSecretRequest(request, deps.clock.now()), sendOptions);
  const answer = readCreateSecretAnswer(response, target.endpoint.host);
  for (const entry of answer.logins) maskBasicAuth(entry.username, entry.password);
  maskSecret(answer.loginCommand);
  if (answer.loginHeader) maskSecret(answer.loginHeader);
  return answer;
}

async function enhancedLogin(
  inputs: Inputs,
  target: RegionTarget,
  credentials: Credentials,
  deps: Deps,
  sendOptions: SendOptions,
): Promise<TemporaryLogin> {
  deps.logger.info(
    `Requesting an enhanced temporary SWR login (CreateAuthorizationToken) from ${target.endpoint.host}`,
  );
  return createAuthorizationToken(
    {
      endpoint: target.endpoint,
      ...(inputs.projectId ? { projectId: inputs.projectId } : {}),
      credentials,
    },
    sendOptions,
  );
}

/** The `project-id` input, else IAM's id of the project named as the region (docs/specs/swr.md §10). */
async function enterpriseProjectId(
  inputs: Inputs,
  target: RegionTarget,
  credentials: Credentials,
  deps: Deps,
  sendOptions: SendOptions,
): Promise<string> {
  if (inputs.projectId) return inputs.projectId;
  const iamEndpoint = resolveIamEndpoint(target.region, inputs.iamEndpoint);
  deps.logger.info(
    `Looking up the id of project ${target.region} at IAM ${iamEndpoint.host} (set 'project-id' to skip this)`,
  );
  return lookupProjectId({ iamEndpoint, region: target.region, credentials }, sendOptions);
}

function warnAll(warnings: readonly string[], deps: Deps): void {
  for (const warning of warnings) deps.logger.warning(warning);
}
