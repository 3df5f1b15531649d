// Which keys the workflow asked for. Pure: configs and criteria in, a selection (or one error that
// lists what does exist: domains, types and key counts, never a key) out. Domains and types come
// from the network, so they are made printable before they reach a message.
import { ConfigError, printable } from '@cloudcreds/core';
import type { DomainAuthConfig } from './client.ts';

export interface Criteria {
  /** Named domains, in lower case; undefined means every domain. */
  domains?: readonly string[] | undefined;
  type?: string | undefined;
}

export interface KeyPair {
  key: string;
  iv: string;
}

export interface Selection {
  /** Every key of the selected domains (and type), in answer order. */
  keys: KeyPair[];
  /** The first key, only when exactly one domain and a type are named: a single unambiguous key. */
  first?: KeyPair;
}

/** How many domains a message or the summary lists before it only counts the rest. */
export const LISTED_DOMAINS = 20;

/** DNS names are case-insensitive; the answer's spelling is kept everywhere else. */
const sameDomain = (config: DomainAuthConfig, domain: string): boolean =>
  config.Domain.toLowerCase() === domain;

/** Named domains the answers do not cover. */
export function missingDomains(configs: readonly DomainAuthConfig[], domains: readonly string[] | undefined) {
  return (domains ?? []).filter((domain) => !configs.some((config) => sameDomain(config, domain)));
}

/**
 * Selects keys. Every named domain must have an auth config, and the `type` when one is named;
 * the selection must hold at least one key. `catalogue` (what the key pair can see) only feeds the
 * error message.
 */
export function select(
  configs: readonly DomainAuthConfig[],
  criteria: Criteria,
  catalogue: readonly DomainAuthConfig[] = configs,
): Selection {
  const fail = (problem: string): never => {
    throw new ConfigError(`${problem}. ${describeCatalogue(catalogue)}`);
  };
  const missing = missingDomains(configs, criteria.domains);
  if (missing.length > 0) fail(`Input 'domain': no auth config for ${missing.join(', ')}`);

  const named = criteria.domains;
  const inScope = named
    ? configs.filter((config) => named.some((domain) => sameDomain(config, domain)))
    : configs;
  const { type } = criteria;
  if (type !== undefined) {
    const withType = inScope.filter((config) => config.Config.some((auth) => auth.Type === type));
    const lacking = inScope.filter((config) => !withType.includes(config)).map((config) => config.Domain);
    if (withType.length === 0 || (named && lacking.length > 0)) {
      fail(
        `Input 'type': no '${type}' auth config for ${named ? printable(lacking.join(', ')) : 'any domain'}`,
      );
    }
  }

  const keys = inScope.flatMap((config) =>
    config.Config.filter((auth) => type === undefined || auth.Type === type).flatMap((auth) =>
      auth.Keys.map((pair) => ({ key: pair.Key, iv: pair.Iv })),
    ),
  );
  if (keys.length === 0) fail(noKey(criteria));
  const single = named?.length === 1 && type !== undefined;
  return single ? { keys, first: keys[0] as KeyPair } : { keys };
}

function noKey({ domains, type }: Criteria): string {
  if (domains && type !== undefined) return "Inputs 'domain' and 'type' select no key";
  if (domains) return "Input 'domain' selects no key";
  if (type !== undefined) return "Input 'type' selects no key";
  return "UCloud returned no key for this key pair; name a 'domain' that has one";
}

export const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `pkey: 1 key, ksc: 2 keys`: what a domain's config holds, without its values. */
export function describeTypes(config: DomainAuthConfig): string {
  const types = config.Config.map(
    (auth) => `${printable(auth.Type, 50)}: ${plural(auth.Keys.length, 'key')}`,
  );
  return types.length > 0 ? types.join(', ') : 'no auth types';
}

export function describeCatalogue(catalogue: readonly DomainAuthConfig[]): string {
  if (catalogue.length === 0) {
    return "This key pair sees no domain with an auth config (check 'project-id': sub-accounts see only their project)";
  }
  const listed = catalogue
    .slice(0, LISTED_DOMAINS)
    .map((config) => `${printable(config.Domain, 200)} (${describeTypes(config)})`);
  const more = catalogue.length - listed.length;
  return `Domains with auth configs: ${listed.join('; ')}${more > 0 ? `; and ${plural(more, 'more domain')}` : ''}`;
}
