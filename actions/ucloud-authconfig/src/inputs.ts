// The action's inputs, read once at the door. The private key, security token and channel key are
// masked the moment their text is read. public-key is first: a run without inputs names it.
import { isAbsolute, resolve } from 'node:path';
import {
  baseUrl,
  ConfigError,
  commonInputs,
  type Environment,
  type InputValues,
  list,
  optional,
  parseInputs,
  pattern,
  required,
  text,
} from '@cloudcreds/core';

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Domain names go into a signed parameter as they are; this only keeps separators and spaces out.
const DOMAIN = /^[\p{L}\p{N}*][\p{L}\p{N}*._-]*$/u;

export const DEFAULT_BASE_URL = 'https://api.ucloud.cn';

export const definitions = {
  // The public key is half of the key pair: given alone, the run is partly configured, not skipped.
  publicKey: required('public-key', text(), { env: ['UCLOUD_PUBLIC_KEY'], credential: true }),
  privateKey: required('private-key', text(), { env: ['UCLOUD_PRIVATE_KEY'], secret: true }),
  region: required('region', pattern(IDENTIFIER, 'must be a region id such as cn-bj2'), {
    env: ['UCLOUD_REGION'],
  }),
  zone: required('zone', pattern(IDENTIFIER, 'must be a zone id such as cn-bj2-04'), {
    env: ['UCLOUD_ZONE'],
  }),
  projectId: optional('project-id', pattern(IDENTIFIER, 'must be a project id such as org-abc123'), {
    env: ['UCLOUD_PROJECT_ID'],
  }),
  domains: optional(
    'domain',
    list(pattern(DOMAIN, 'must list domain names such as cdn.example.com'), 'domain'),
    { multiline: true },
  ),
  type: optional('type', pattern(/^\S+$/, 'must be one auth type such as pkey, ksc or typeA')),
  baseUrl: optional('base-url', baseUrl(), { default: new URL(DEFAULT_BASE_URL) }),
  // Secret, but it only routes a key pair to its channel's user store: no credential on its own.
  channelKey: optional('channel-key', text(), { secret: true, credential: false }),
  securityToken: optional('security-token', text(), { secret: true }),
  outputFile: optional('output-file', text()),
  ...commonInputs,
};

export type Inputs = Omit<InputValues<typeof definitions>, 'domains' | 'outputFile'> & {
  /** Lower case, distinct, in the order given; undefined means every domain. */
  domains: string[] | undefined;
  /** Absolute path. */
  outputFile: string | undefined;
};

export function readInputs(env: Environment): Inputs {
  const values = parseInputs(definitions, env);
  return {
    ...values,
    domains: values.domains ? distinctDomains(values.domains) : undefined,
    outputFile: values.outputFile === undefined ? undefined : outputPath(values.outputFile, env),
  };
}

/**
 * DNS names are case-insensitive: `CDN.example.com` and `cdn.example.com` are one domain, asked
 * for once, in lower case.
 */
function distinctDomains(domains: readonly string[]): string[] {
  return [...new Set(domains.map((domain) => domain.toLowerCase()))];
}

/** Relative paths are relative to the workspace, as every other path in a workflow is. */
function outputPath(path: string, env: Environment): string {
  if (path.endsWith('/')) throw new ConfigError(`Input 'output-file' must name a file, not a directory`);
  if (isAbsolute(path)) return resolve(path);
  const workspace = env['GITHUB_WORKSPACE'];
  if (!workspace) {
    throw new ConfigError(
      `Input 'output-file' is relative, but GITHUB_WORKSPACE is not set: use an absolute path`,
    );
  }
  return resolve(workspace, path);
}
