// The action's inputs (actions/swr-login/action.yml), read and checked once, before any request.
// Inputs with an env fallback are not `required: true` in action.yml (the runner would refuse
// before the fallback is read), so the checks live here. Every input is read here, `logout` too
// although only the post step acts on it: a typo must fail the main step, not a cleanup.
import { resolve } from 'node:path';
import {
  baseUrl,
  boolean,
  ConfigError,
  commonInputs,
  type Environment,
  type InputValues,
  integer,
  lazy,
  list,
  optional,
  parseInputs,
  pattern,
  required,
  SECRETS_HINT,
  text,
} from '@cloudcreds/core';
import * as z from 'zod/mini';
import { defaultEndpoint, REGION_ID } from './endpoint.ts';
import { resourceIdProblem } from './enterprise/ids.ts';
import { chooseRoute, type Route } from './federation/route.ts';
import { registryHostProblem } from './registry-host.ts';
import type { Credentials } from './swr.ts';

/** Names IAM5 allows in URNs: letters, digits and `:_+=,.@/-`. */
const URN = /^[A-Za-z0-9:_+=,.@/-]{1,1500}$/;

/** In the order of action.yml (the contract test compares them). */
export const definitions = {
  // Several regions (comma- or newline-separated) get one login each (docs/specs/swr.md §12).
  regions: required(
    'region',
    list(pattern(REGION_ID, 'must be a region id such as cn-north-4 or eu-west-101'), 'region'),
    { env: ['HUAWEI_CLOUD_REGION'], multiline: true },
  ),
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
  // Not secrets, but each names a way to authenticate: `if-no-credentials: skip` must not skip a
  // run that asks for OIDC federation.
  identityProvider: optional(
    'identity-provider',
    pattern(/^[A-Za-z0-9_-]{1,64}$/, 'must be an identity provider id (letters, digits, _ and -)'),
    { credential: true },
  ),
  agencyUrn: optional(
    'agency-urn',
    pattern(URN, 'must be an agency URN such as iam::<account-id>:agency:<name>'),
    { credential: true },
  ),
  providerUrn: optional(
    'provider-urn',
    pattern(URN, 'must be an identity provider URN such as iam::<account-id>:identity-provider:<name>'),
    { credential: true },
  ),
  audience: optional('audience', text()),
  iamEndpoint: optional('iam-endpoint', baseUrl()),
  stsEndpoint: optional('sts-endpoint', baseUrl()),
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
  // SWR Enterprise Edition (docs/specs/swr.md §10): instances of one region, each its own registry.
  instanceIds: optional(
    'instance-id',
    list(
      lazy(() =>
        z
          .string()
          .check(
            z.refine(
              (id) => resourceIdProblem(id) === undefined,
              'must list instance ids (letters, digits, - and _)',
            ),
          ),
      ),
      'instance id',
    ),
    { multiline: true },
  ),
  registry: optional(
    'registry',
    lazy(() =>
      z
        .string()
        .check(
          z.refine(
            (host) => registryHostProblem(host) === undefined,
            'must be host[:port], without scheme or path',
          ),
        ),
    ),
  ),
  enhanced: optional('enhanced', boolean(), { default: false }),
  login: optional('login', boolean(), { default: true }),
  dockerConfigDir: optional('docker-config-dir', text()),
  logout: optional('logout', boolean(), { default: true }),
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

/** Which SWR API hands out the registry logins. */
export type LoginApi =
  /** CreateSecret (docs/specs/swr.md §2): the shared registry; `projectName` undefined = each region's own. */
  | { kind: 'create-secret'; projectName?: string; durationSeconds?: number }
  /** CreateAuthorizationToken (§11), for principals of the new IAM plane. */
  | { kind: 'enhanced' }
  /** CreateInstanceTempCredential (§10), one login per Enterprise instance of the one region. */
  | { kind: 'enterprise'; instanceIds: [string, ...string[]]; registry?: string };

/** A region and the SWR endpoint its logins come from. */
export interface RegionTarget {
  region: string;
  endpoint: URL;
}

export interface Inputs {
  /** In the order given; the first also serves federation and the project lookup. */
  regions: [RegionTarget, ...RegionTarget[]];
  api: LoginApi;
  authentication: Authentication;
  projectId?: string;
  /** The `iam-endpoint` input: IAM for route A and for the Enterprise project lookup. */
  iamEndpoint?: URL;
  login: boolean;
  /** Absolute path, when the input is set. */
  dockerConfigDir?: string;
  /** Whether the post step logs out of what main logged into (main saves it for post). */
  logout: boolean;
  maxAttempts: number;
  timeoutSeconds: number;
}

export function readInputs(env: Environment, workingDirectory: string = process.cwd()): Inputs {
  const inputs = parseInputs(definitions, env);
  checkConflicts(inputs);
  const [first, ...others] = inputs.regions as [string, ...string[]];
  return {
    regions: [
      { region: first, endpoint: inputs.endpoint ?? defaultEndpoint(first) },
      ...others.map((region) => ({ region, endpoint: defaultEndpoint(region) })),
    ],
    api: loginApiOf(inputs),
    authentication: authenticationOf(inputs, env),
    ...(inputs.projectId ? { projectId: inputs.projectId } : {}),
    ...(inputs.iamEndpoint ? { iamEndpoint: inputs.iamEndpoint } : {}),
    login: inputs.login,
    ...(inputs.dockerConfigDir ? { dockerConfigDir: resolve(workingDirectory, inputs.dockerConfigDir) } : {}),
    logout: inputs.logout,
    maxAttempts: inputs.maxAttempts,
    timeoutSeconds: inputs.timeoutSeconds,
  };
}

function loginApiOf(inputs: InputValues<typeof definitions>): LoginApi {
  if (inputs.instanceIds) {
    return {
      kind: 'enterprise',
      instanceIds: inputs.instanceIds as [string, ...string[]],
      ...(inputs.registry ? { registry: inputs.registry } : {}),
    };
  }
  if (inputs.enhanced) return { kind: 'enhanced' };
  return {
    kind: 'create-secret',
    ...(inputs.projectName ? { projectName: inputs.projectName } : {}),
    ...(inputs.durationSeconds !== undefined ? { durationSeconds: inputs.durationSeconds } : {}),
  };
}

/**
 * Inputs that cannot all hold at once (docs/specs/actions.md, swr-login), refused before any
 * request, each in one line. Values are never echoed: a list may hold a pasted secret by mistake.
 */
function checkConflicts(inputs: InputValues<typeof definitions>): void {
  const regions = inputs.regions;
  const instances = inputs.instanceIds ?? [];
  const api =
    instances.length > 0
      ? "'instance-id' (SWR Enterprise Edition)"
      : "'enhanced: true' (CreateAuthorizationToken)";
  const problems: Array<[boolean, string]> = [
    [hasDuplicates(regions), "Input 'region' names the same region twice"],
    [hasDuplicates(instances), "Input 'instance-id' names the same instance twice"],
    [
      instances.length > 0 && inputs.enhanced,
      "Inputs 'instance-id' and 'enhanced: true' exclude each other: an Enterprise instance has its own temporary credential, so remove one of them",
    ],
    [
      (instances.length > 0 || inputs.enhanced) && inputs.durationSeconds !== undefined,
      `Input 'duration-seconds' cannot be used with ${api}: that API has no lifetime parameter`,
    ],
    [
      (instances.length > 0 || inputs.enhanced) && inputs.projectName !== undefined,
      `Input 'project-name' cannot be used with ${api}: that API takes no project name (set 'project-id' to choose the project)`,
    ],
    [
      inputs.registry !== undefined && instances.length !== 1,
      "Input 'registry' names the host of one Enterprise instance: it needs exactly one 'instance-id'",
    ],
    [
      regions.length > 1 && inputs.endpoint !== undefined,
      "Input 'endpoint' serves one region: with several regions each uses its own default endpoint, so remove 'endpoint' or list one region",
    ],
    [
      regions.length > 1 && instances.length > 0,
      "Input 'instance-id' lists instances of one region: list one region, or use one swr-login step per region",
    ],
    [
      regions.length > 1 && inputs.projectName !== undefined,
      "Input 'project-name' names a project of one region: with several regions each uses its own, so remove 'project-name' or list one region",
    ],
    [
      regions.length > 1 && inputs.projectId !== undefined,
      "Input 'project-id' (or HUAWEI_CLOUD_PROJECT_ID) names a project of one region: remove it or list one region",
    ],
    [
      regions.length > 1 && (inputs.authToken !== undefined || inputs.identityProvider !== undefined),
      "An IAM token ('auth-token' or 'identity-provider') is scoped to one region's project: list one region, or use access keys or 'agency-urn' for several",
    ],
  ];
  for (const [conflict, message] of problems) if (conflict) throw new ConfigError(message);
}

function hasDuplicates(values: readonly string[]): boolean {
  return new Set(values).size !== values.length;
}

/** The route is chosen first: a federated run has no stored credentials to resolve. */
function authenticationOf(inputs: InputValues<typeof definitions>, env: Environment): Authentication {
  // In Enterprise mode 'iam-endpoint' also names IAM for the project lookup, whatever the route.
  const route = chooseRoute(inputs.instanceIds ? { ...inputs, iamEndpoint: undefined } : inputs);
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
      `No credentials: set ${ACCESS_KEY} and ${SECRET_KEY} (plus 'security-token' for temporary keys), or 'auth-token', or use OIDC federation with 'identity-provider' (or 'agency-urn' and 'provider-urn'). ${SECRETS_HINT}`,
    );
  }
  const missing = [!accessKeyId && ACCESS_KEY, !secretAccessKey && SECRET_KEY].filter(Boolean);
  const present = [
    accessKeyId && "'access-key-id'",
    secretAccessKey && "'access-key-secret'",
    securityToken && "'security-token'",
  ]
    .filter(Boolean)
    .join(', ');
  throw new ConfigError(
    `Incomplete access key: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${present}). ${SECRETS_HINT}`,
  );
}
