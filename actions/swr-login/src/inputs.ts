// The action's inputs (actions.md, swr-login), read once at the door. Inputs with an env fallback
// are not `required: true` in action.yml (the runner would refuse before the fallback is read),
// so the checks live here.
import { resolve } from 'node:path';
import {
  baseUrl,
  boolean,
  ConfigError,
  commonInputs,
  type Environment,
  integer,
  optional,
  pattern,
  readInputs,
  required,
  text,
} from '@cloudcreds/core';
import { REGION_ID, resolveEndpoint } from './endpoint.ts';
import type { Credentials } from './swr.ts';

const definitions = {
  region: required('region', pattern(REGION_ID, 'must be a region id such as cn-north-4 or eu-west-101'), {
    env: ['HUAWEI_CLOUD_REGION'],
  }),
  // The AK is an identifier rather than a secret, but masked like aws-actions do: it names the account.
  accessKeyId: optional('access-key-id', pattern(/^[A-Za-z0-9]{8,128}$/, 'must be letters and digits'), {
    env: ['HUAWEI_CLOUD_ACCESS_KEY_ID'],
    secret: true,
  }),
  secretAccessKey: optional('access-key-secret', text(), {
    env: ['HUAWEI_CLOUD_SECRET_ACCESS_KEY'],
    secret: true,
  }),
  securityToken: optional('security-token', text(), { env: ['HUAWEI_CLOUD_SECURITY_TOKEN'], secret: true }),
  authToken: optional('auth-token', text(), { secret: true }),
  projectName: optional(
    'project-name',
    pattern(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/,
      'must be a project name such as cn-north-4 or cn-north-4_sub',
    ),
  ),
  projectId: optional('project-id', pattern(/^[A-Za-z0-9-]{1,64}$/, 'must be a project id (hex digits)'), {
    env: ['HUAWEI_CLOUD_PROJECT_ID'],
  }),
  endpoint: optional('endpoint', baseUrl()),
  durationSeconds: optional('duration-seconds', integer(900, 86400)),
  login: optional('login', boolean(), { default: true }),
  dockerConfigDir: optional('docker-config-dir', text()),
  ...commonInputs,
};

export interface Settings {
  region: string;
  credentials: Credentials;
  projectName: string;
  projectId?: string;
  endpoint: URL;
  durationSeconds?: number;
  login: boolean;
  /** Absolute path, when the input is set. */
  dockerConfigDir?: string;
  maxAttempts: number;
  timeoutSeconds: number;
}

export function readSettings(env: Environment, workingDirectory: string): Settings {
  const inputs = readInputs(definitions, env);
  return {
    region: inputs.region,
    credentials: resolveCredentials(inputs),
    projectName: inputs.projectName ?? inputs.region,
    ...(inputs.projectId ? { projectId: inputs.projectId } : {}),
    endpoint: resolveEndpoint(inputs.region, inputs.endpoint),
    ...(inputs.durationSeconds !== undefined ? { durationSeconds: inputs.durationSeconds } : {}),
    login: inputs.login,
    ...(inputs.dockerConfigDir ? { dockerConfigDir: resolve(workingDirectory, inputs.dockerConfigDir) } : {}),
    maxAttempts: inputs.maxAttempts,
    timeoutSeconds: inputs.timeoutSeconds,
  };
}

/** `logout` is the only input the post step reads. */
export function readLogoutSetting(env: Environment): boolean {
  return readInputs({ logout: optional('logout', boolean(), { default: true }) }, env).logout;
}

const FORK_HINT =
  'If this run was triggered by a pull request from a fork, GitHub does not pass secrets to it.';
const ACCESS_KEY = "'access-key-id' (or HUAWEI_CLOUD_ACCESS_KEY_ID)";
const SECRET_KEY = "'access-key-secret' (or HUAWEI_CLOUD_SECRET_ACCESS_KEY)";

interface CredentialInputs {
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  securityToken?: string | undefined;
  authToken?: string | undefined;
}

/** Exactly one complete way to authenticate: AK/SK, AK/SK + security token, or an IAM token. */
export function resolveCredentials(inputs: CredentialInputs): Credentials {
  const { accessKeyId, secretAccessKey, securityToken, authToken } = inputs;
  const anyAccessKey = Boolean(accessKeyId || secretAccessKey || securityToken);
  if (authToken) {
    if (anyAccessKey) {
      throw new ConfigError(
        "Both 'auth-token' and access keys are set (inputs or HUAWEI_CLOUD_* variables): pass either 'auth-token' or 'access-key-id' + 'access-key-secret', not both",
      );
    }
    return { kind: 'iam-token', token: authToken };
  }
  if (accessKeyId && secretAccessKey) {
    return {
      kind: 'access-key',
      accessKeyId,
      secretAccessKey,
      ...(securityToken ? { securityToken } : {}),
    };
  }
  if (!anyAccessKey) {
    throw new ConfigError(
      `No credentials: set ${ACCESS_KEY} and ${SECRET_KEY} (plus 'security-token' for temporary keys), or 'auth-token'. ${FORK_HINT}`,
    );
  }
  const missing = [!accessKeyId && ACCESS_KEY, !secretAccessKey && SECRET_KEY].filter(Boolean).join(' and ');
  const present = [
    accessKeyId && "'access-key-id'",
    secretAccessKey && "'access-key-secret'",
    securityToken && "'security-token'",
  ]
    .filter(Boolean)
    .join(', ');
  throw new ConfigError(`Incomplete access key: ${missing} is missing (given: ${present}). ${FORK_HINT}`);
}
