// What the main step does once its inputs are valid: GetAuthConfig calls → mask every key → select →
// file and outputs → summary, with every effect through `deps`. main.ts loads this module only
// then, with the HTTP client and @actions/core.
import * as core from '@actions/core';
import {
  type Deps,
  type Environment,
  plainHttpWarning,
  publish,
  runnerDeps,
  userAgent,
  writeSummary,
} from '@cloudcreds/core';
import {
  type ApiDeps,
  type ApiSettings,
  type DomainAuthConfig,
  getAuthConfig,
  getAuthConfigs,
} from './client.ts';
import type { Inputs } from './inputs.ts';
import { maskAuthKeys } from './masking.ts';
import { TEMPORARY_FILE_STATE, writePrivateFile } from './output-file.ts';
import {
  authConfigPublication,
  authConfigSummary,
  authConfigsJson,
  type Fetched,
  fetchedLine,
} from './outputs.ts';
import { missingDomains, select } from './select.ts';

/** The runner's dependencies; GetAuthConfig needs no TLS options of its own. */
export function defaultDeps(_inputs: Inputs, env: Environment): Deps {
  return runnerDeps({ userAgent: userAgent('ucloud-authconfig') }, env);
}

export async function act(inputs: Inputs, deps: Deps): Promise<void> {
  const plainHttp = plainHttpWarning('base-url', [inputs.baseUrl]);
  if (plainHttp) deps.logger.warning(plainHttp);
  const settings = apiSettings(inputs);
  const configs = await getAuthConfigs(settings, deps, inputs.domains);
  maskAuthKeys(configs);
  const selection = select(configs, inputs, await catalogueFor(configs, inputs.domains, settings, deps));

  if (inputs.outputFile) {
    writePrivateFile(inputs.outputFile, authConfigsJson(configs), (temporary) =>
      // Saved before the file exists, so the post step can remove it after a cancel.
      core.saveState(TEMPORARY_FILE_STATE, temporary),
    );
  }
  const fetched: Fetched = { configs, selection, file: inputs.outputFile };
  publish(authConfigPublication(fetched));
  deps.logger.info(fetchedLine(fetched));
  await writeSummary(authConfigSummary(fetched, inputs));
}

function apiSettings(inputs: Inputs): ApiSettings {
  const { publicKey, privateKey, securityToken } = inputs;
  return {
    baseUrl: inputs.baseUrl,
    credentials: { publicKey, privateKey, securityToken },
    channelKey: inputs.channelKey,
    region: inputs.region,
    zone: inputs.zone,
    projectId: inputs.projectId,
    maxAttempts: inputs.maxAttempts,
    timeoutMs: inputs.timeoutSeconds * 1000,
  };
}

/**
 * What the key pair can see, for the error message when a named domain came back empty: one more
 * call, for all domains. If that call fails too, the message lists what the first calls returned.
 */
async function catalogueFor(
  configs: DomainAuthConfig[],
  domains: string[] | undefined,
  settings: ApiSettings,
  deps: ApiDeps,
): Promise<DomainAuthConfig[]> {
  if (missingDomains(configs, domains).length === 0) return configs;
  const everything = await getAuthConfig({ ...settings, maxAttempts: 1 }, deps).catch(() => configs);
  maskAuthKeys(everything);
  return everything;
}
