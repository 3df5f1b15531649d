// What the action hands on: outputs, the optional env exports, the job summary and the warnings
// of a successful run, built as plain data (pure) so tests can read them without a runner.
// Secrets are masked before this.
import { type Publication, printable, type SummaryContent } from '@cloudcreds/core';
import { endpointText } from './client.ts';
import type { TokenClaims } from './jwt.ts';

/** Every output the action can set (`skipped` only by core's skipIfNoCredentials). */
export const OUTPUT_NAMES = [
  'token',
  'authorization',
  'expires-at',
  'account',
  'roles',
  'endpoint',
  'skipped',
] as const;

export interface IssuedToken {
  token: string;
  endpoint: URL;
  claims: TokenClaims;
}

export interface ExportChoice {
  exportEnv: boolean;
  envPrefix: string;
}

export function exportedNames(
  prefix: string,
): Record<'token' | 'authorization' | 'expiresAt' | 'endpoint', string> {
  return {
    token: `${prefix}_TOKEN`,
    authorization: `${prefix}_AUTHORIZATION`,
    expiresAt: `${prefix}_TOKEN_EXPIRES_AT`,
    endpoint: `${prefix}_ENDPOINT`,
  };
}

export function tokenPublication(issued: IssuedToken, choice: ExportChoice): Publication {
  const authorization = `Bearer ${issued.token}`;
  const expiresAt = issued.claims.expiresAt?.toISOString();
  const endpoint = endpointText(issued.endpoint);
  const names = exportedNames(choice.envPrefix);
  const variables: Record<string, string> = {};
  if (choice.exportEnv) {
    variables[names.token] = issued.token;
    variables[names.authorization] = authorization;
    if (expiresAt !== undefined) variables[names.expiresAt] = expiresAt;
    variables[names.endpoint] = endpoint;
  }
  return {
    outputs: {
      token: issued.token,
      authorization,
      'expires-at': expiresAt,
      account: issued.claims.account,
      roles: issued.claims.roles.join(','),
      endpoint,
    },
    variables,
  };
}

const ONE_HOUR_MS = 60 * 60 * 1000;

/** Later steps cannot refresh the token: say so when it will not outlive a typical test job. */
export function expiryWarning(claims: TokenClaims, nowMs: number): string | undefined {
  if (claims.expiresAt === undefined) {
    return "The token carries no 'exp' claim: its expiry is unknown, so 'expires-at' is not set";
  }
  const remainingMs = claims.expiresAt.getTime() - nowMs;
  if (remainingMs >= ONE_HOUR_MS) return undefined;
  const when = claims.expiresAt.toISOString();
  if (remainingMs <= 0)
    return `The token expired already (exp ${when}): check the clock of the engine and of this runner`;
  return `The token expires within the hour (at ${when}, in ${Math.ceil(remainingMs / 60_000)} min) and later steps cannot refresh it; set 'token-expiration' longer (up to 24h) if the job needs it longer`;
}

export function tokenSummary(issued: IssuedToken, choice: ExportChoice, nowMs: number): SummaryContent {
  const names = exportedNames(choice.envPrefix);
  const expiresAt = issued.claims.expiresAt;
  return {
    title: 'CSE token issued',
    rows: [
      ['Endpoint', endpointText(issued.endpoint)],
      // Claims are the engine's text: printed only once made inert.
      [
        'Account',
        issued.claims.account !== undefined ? printable(issued.claims.account, 100) : '(not in the token)',
      ],
      ['Roles', printable(issued.claims.roles.join(', '), 300) || '(none in the token)'],
      [
        'Expires at',
        expiresAt
          ? `${expiresAt.toISOString()} (in ${describeSpan(expiresAt.getTime() - nowMs)})`
          : 'unknown',
      ],
      [
        'Exported',
        choice.exportEnv
          ? Object.values(names)
              .filter((name) => expiresAt !== undefined || name !== names.expiresAt)
              .join(', ')
          : 'nothing (export-env: false)',
      ],
    ],
  };
}

function describeSpan(ms: number): string {
  if (ms <= 0) return 'the past';
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

/** The endpoints a login passed over, as the one warning of a run that still got its token. */
export function passedOverWarning(
  passedOver: ReadonlyArray<{ endpoint: URL }>,
  endpoint: URL,
): string | undefined {
  if (passedOver.length === 0) return undefined;
  const hosts = listHosts(passedOver.map((failure) => failure.endpoint));
  return `${hosts} failed before ${endpoint.host} gave the token; the log says what happened at each`;
}

/** Hosts for one line: a long list is cut to its first three and a count. */
function listHosts(urls: readonly URL[]): string {
  const hosts = urls.map((url) => url.host);
  return hosts.length > 4 ? `${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more` : hosts.join(', ');
}
