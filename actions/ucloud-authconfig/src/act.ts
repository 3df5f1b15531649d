// What the main step does once its inputs are valid: GetAuthConfig calls → mask every key → select →
// file and outputs. main.ts loads this module only then, with the HTTP client and @actions/core.
import * as core from '@actions/core';
import { createHttpTransport, publish, userAgent, warnIfPlainHttp, writeSummary } from '@cloudcreds/core';
import { type ApiOptions, type DomainAuthConfig, getAuthConfig, getAuthConfigs } from './client.ts';
import type { UcloudInputs } from './inputs.ts';
import { maskAuthKeys } from './masking.ts';
import { writePrivateFile } from './output-file.ts';
import { describeTypes, missingDomains, select } from './select.ts';

export async function publishAuthConfigs(inputs: UcloudInputs): Promise<void> {
  warnIfPlainHttp(inputs.baseUrl, 'base-url');
  const api: ApiOptions = {
    ...inputs,
    credentials: inputs,
    transport: createHttpTransport({ userAgent: userAgent('ucloud-authconfig') }),
    timeoutMs: inputs.timeoutSeconds * 1000,
    onRetry: core.info,
    debug: core.debug,
  };

  const configs = await getAuthConfigs(api, inputs.domains);
  maskAuthKeys(configs);
  const selection = select(configs, inputs, await catalogueFor(configs, inputs.domains, api));

  const json = JSON.stringify(configs);
  if (inputs.outputFile) await writePrivateFile(inputs.outputFile, json);
  publish({
    outputs: {
      'auth-configs': json,
      domains: configs.map((config) => config.Domain).join(','),
      key: selection.first?.key,
      iv: selection.first?.iv,
      keys: JSON.stringify(selection.keys),
      file: inputs.outputFile,
    },
  });
  core.info(
    `UCloud returned auth configs for ${configs.length} domain(s); ${selection.keys.length} key(s) selected`,
  );
  await writeSummary({
    title: 'UCloud UCDN auth config',
    rows: [
      ['API', inputs.baseUrl.host],
      ['Region / zone', `${inputs.region} / ${inputs.zone}`],
      ['Project', inputs.projectId ?? '(default project)'],
      ...configs.map((config): [string, string] => [config.Domain, describeTypes(config)]),
      ['Selected', `${selection.keys.length} key(s)${inputs.type ? ` of type ${inputs.type}` : ''}`],
      ...(inputs.outputFile ? [['Output file', inputs.outputFile] as [string, string]] : []),
    ],
    notes: [
      'Keys are masked in logs. Outputs holding them reach later steps of this job only, not other jobs.',
    ],
  });
}

/**
 * What the key pair can see, for the error message when a named domain came back empty: one more
 * call, for all domains. If that call fails too, the message lists what the first calls returned.
 */
async function catalogueFor(
  configs: DomainAuthConfig[],
  domains: string[] | undefined,
  api: ApiOptions,
): Promise<DomainAuthConfig[]> {
  if (missingDomains(configs, domains).length === 0) return configs;
  const everything = await getAuthConfig({ ...api, maxAttempts: 1 }).catch(() => configs);
  maskAuthKeys(everything);
  return everything;
}
