// Every Key and Iv is a URL-signing secret. They are registered before any output is set, together
// with the one derived form the outputs carry that the runner's own variants may miss: the JSON
// string escape (`auth-configs` and `keys` are JSON; JS and the runner's encoder differ on
// characters such as U+2028).
import { maskValue } from '@cloudcreds/core';
import type { DomainAuthConfig } from './client.ts';

/** The distinct non-empty Key and Iv values of the answers. */
export function secretsOf(configs: readonly DomainAuthConfig[]): string[] {
  const values = configs.flatMap((config) =>
    config.Config.flatMap((auth) => auth.Keys.flatMap((pair) => [pair.Key, pair.Iv])),
  );
  // An empty Iv (some types have none) cannot be masked and needs no mask.
  return [...new Set(values.filter((value) => value.trim() !== ''))];
}

export function maskAuthKeys(configs: readonly DomainAuthConfig[]): void {
  for (const value of secretsOf(configs)) {
    maskValue(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) maskValue(escaped);
  }
}
