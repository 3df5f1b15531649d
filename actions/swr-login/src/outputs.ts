// What the action hands on once everything succeeded: outputs, DOCKER_CONFIG for later steps and
// the job summary, built as plain data (pure). Secrets are masked before this; text from SWR is
// made printable before it reaches the summary.
import { type Publication, printable, type SummaryContent } from '@cloudcreds/core';
import type { Grants } from './grants.ts';

/** Every output the action can set (`skipped` only by core's skipIfNoCredentials). */
export const OUTPUT_NAMES = [
  'registry',
  'username',
  'password',
  'login-command',
  'expires-at',
  'docker-config-dir',
  'registries',
  'skipped',
] as const;

/** What docker did: nothing (`login: false`), or logins into this config directory. */
export type DockerOutcome =
  | { loggedIn: false }
  | {
      loggedIn: true;
      /** DOCKER_CONFIG docker ran with; undefined = docker's default. */
      configDir: string | undefined;
      /** The `docker-config-dir` input, which is exported to later steps. */
      exportedConfigDir: string | undefined;
    };

/** One entry of the `registries` output: never a password. */
export interface RegistryEntry {
  registry: string;
  username: string;
  'expires-at': string | null;
  /** Enterprise logins only: the temporary credential's id (`token_id`), null when SWR sent none. */
  'credential-id'?: string | null;
}

export function registryEntries(grants: Grants): RegistryEntry[] {
  return grants.flatMap((grant) =>
    grant.logins.map((login) => ({
      registry: login.registry,
      username: login.username,
      'expires-at': grant.expiresAt ?? null,
      ...(grant.enterprise ? { 'credential-id': grant.credentialId ?? null } : {}),
    })),
  );
}

/** The first registry keeps the single-value outputs; `registries` lists every one. */
export function loginPublication(grants: Grants, docker: DockerOutcome): Publication {
  const [grant] = grants;
  const first = grant.logins[0];
  const exported = docker.loggedIn ? docker.exportedConfigDir : undefined;
  return {
    outputs: {
      registry: first.registry,
      username: first.username,
      password: first.password,
      'login-command': grant.loginCommand,
      'expires-at': grant.expiresAt,
      'docker-config-dir': exported,
      registries: JSON.stringify(registryEntries(grants)),
    },
    variables: exported !== undefined ? { DOCKER_CONFIG: exported } : {},
  };
}

/** `authenticatedWith` says how, never with what: it names a route or a principal, not a secret. */
export function loginSummary(
  grants: Grants,
  docker: DockerOutcome,
  authenticatedWith: string,
): SummaryContent {
  const entries = registryEntries(grants);
  return {
    title: 'SWR temporary login',
    rows: [
      ['Authenticated with', authenticatedWith],
      ...entries.map((entry, index): [string, string] => [
        entries.length > 1 ? `Registry ${index + 1}` : 'Registry',
        describeEntry(entry),
      ]),
      [
        'docker login',
        docker.loggedIn
          ? `done${docker.configDir ? ` (DOCKER_CONFIG ${docker.configDir})` : ''}`
          : 'skipped (login: false)',
      ],
    ],
  };
}

/** Host, user, expiry and credential id came from SWR: made printable. */
function describeEntry(entry: RegistryEntry): string {
  const parts = [
    `${printable(entry.registry, 300)} as ${printable(entry.username, 300)}`,
    `expires ${entry['expires-at'] ?? 'not stated by SWR'}`,
  ];
  if (entry['credential-id']) parts.push(`credential id ${printable(entry['credential-id'], 130)}`);
  return parts.join(', ');
}
