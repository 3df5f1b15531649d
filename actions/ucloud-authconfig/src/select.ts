// Which keys the workflow asked for. Pure: configs and criteria in, a selection (or one error that
// lists what does exist: domains, types and key counts, never a key) out.
import { ConfigError } from '@cloudcreds/core';
import type { DomainAuthConfig } from './client.ts';

export interface Criteria {
  /** Named domains; undefined means every domain. */
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

/** Named domains the answers do not cover. */
export function missingDomains(configs: readonly DomainAuthConfig[], domains: readonly string[] | undefined) {
  const present = new Set(configs.map((config) => config.Domain));
  return (domains ?? []).filter((domain) => !present.has(domain));
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
  const inScope = named ? configs.filter((config) => named.includes(config.Domain)) : configs;
  const { type } = criteria;
  if (type !== undefined) {
    const withType = inScope.filter((config) => config.Config.some((auth) => auth.Type === type));
    const lacking = inScope.filter((config) => !withType.includes(config)).map((config) => config.Domain);
    if (withType.length === 0 || (named && lacking.length > 0)) {
      fail(`Input 'type': no '${type}' auth config for ${named ? lacking.join(', ') : 'any domain'}`);
    }
  }

  const keys = inScope.flatMap((config) =>
    config.Config.filter((auth) => type === undefined || auth.Type === type).flatMap((auth) =>
      auth.Keys.map((pair) => ({ key: pair.Key, iv: pair.Iv })),
    ),
  );
  if (keys.length === 0) fail('The selection holds no key');
  const single = named?.length === 1 && type !== undefined;
  return single ? { keys, first: keys[0] as KeyPair } : { keys };
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `pkey: 1 key, ksc: 2 keys`: what a domain's config holds, without its values. */
export function describeTypes(config: DomainAuthConfig): string {
  const types = config.Config.map((auth) => `${auth.Type}: ${plural(auth.Keys.length, 'key')}`);
  return types.length > 0 ? types.join(', ') : 'no auth types';
}

export function describeCatalogue(catalogue: readonly DomainAuthConfig[]): string {
  if (catalogue.length === 0) {
    return 'UCloud returned no domain with an auth config for this key pair (check project-id: sub-accounts see only their project)';
  }
  return `Domains with auth configs: ${catalogue.map((config) => `${config.Domain} (${describeTypes(config)})`).join('; ')}`;
}
