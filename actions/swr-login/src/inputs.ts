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
  type InputValues,
  integer,
  optional,
  pattern,
  readInputs,
  required,
  text,
} from '@cloudcreds/core';
import { REGION_ID, resolveEndpoint } from './endpoint.ts';
import { chooseRoute, type Route } from './federation/route.ts';
import type { Credentials } from './swr.ts';

/** Names IAM5 allows in URNs: letters, digits and `:_+=,.@/-`. */
const URN = /^[A-Za-z0-9:_+=,.@/-]{1,1500}$/;

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
  identityProvider: optional(
    'identity-provider',
    pattern(/^[A-Za-z0-9_-]{1,64}$/, 'must be an identity provider id (letters, digits, _ and -)'),
  ),
  agencyUrn: optional(
    'agency-urn',
    pattern(URN, 'must be an agency URN such as iam::<account-id>:agency:<name>'),
  ),
  providerUrn: optional(
    'provider-urn',
    pattern(URN, 'must be an identity provider URN such as iam::<account-id>:identity-provider:<name>'),
  ),
  audience: optional('audience', text()),
  iamEndpoint: optional('iam-endpoint', baseUrl()),
  stsEndpoint: optional('sts-endpoint', baseUrl()),
  ...commonInputs,
};

/** How CreateSecret is authenticated: credentials given as inputs, or OIDC federation to get them. */
export type Authentication = { kind: 'static'; credentials: Credentials } | Federation;

export interface Federation {
  kind: 'federated';
  route: Exclude<Route, { kind: 'static' }>;
  /** 'iam-endpoint' (route A) or 'sts-endpoint' (route B); the default follows from the region. */
  endpointOverride?: URL;
  /** ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN: set only for jobs with `id-token: write`. */
  idTokenRequest: { requestUrl?: string; requestToken?: string };
  /** GITHUB_RUN_ID / GITHUB_RUN_ATTEMPT, which name the STS session (route B). */
  run: { id?: string; attempt?: string };
}

export interface Settings {
  region: string;
  authentication: Authentication;
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
    authentication: authenticationOf(inputs, env),
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

/** The route is chosen first: a federated run has no stored credentials to resolve. */
function authenticationOf(inputs: InputValues<typeof definitions>, env: Environment): Authentication {
  const route = chooseRoute(inputs);
  if (route.kind === 'static') return { kind: 'static', credentials: resolveCredentials(inputs) };
  const endpointOverride = route.kind === 'identity-provider' ? inputs.iamEndpoint : inputs.stsEndpoint;
  return {
    kind: 'federated',
    route,
    ...(endpointOverride ? { endpointOverride } : {}),
    idTokenRequest: definedOnly({
      requestUrl: env['ACTIONS_ID_TOKEN_REQUEST_URL'],
      requestToken: env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
    }),
    run: definedOnly({ id: env['GITHUB_RUN_ID'], attempt: env['GITHUB_RUN_ATTEMPT'] }),
  };
}

function definedOnly<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value)) as {
    [K in keyof T]?: string;
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
      `No credentials: set ${ACCESS_KEY} and ${SECRET_KEY} (plus 'security-token' for temporary keys), or 'auth-token', or use OIDC federation with 'identity-provider' (or 'agency-urn' and 'provider-urn'). ${FORK_HINT}`,
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
