// Which way the action authenticates, decided from the inputs alone (pure). Federation is explicit:
// `identity-provider` means route A (IAM identity provider → IAM token), `agency-urn` plus
// `provider-urn` means route B (STS agency → temporary AK/SK). Anything else is left to the static
// credentials (AK/SK, security token, auth-token). A mix is refused rather than guessed at: a
// workflow that sets both a federation input and keys has a mistake in it, and picking one
// silently would hide it.
import { ConfigError } from '@cloudcreds/core';

export type Route =
  | { kind: 'identity-provider'; identityProvider: string; audience?: string }
  | { kind: 'agency'; agencyUrn: string; providerUrn: string; audience?: string }
  | { kind: 'static' };

export interface RouteInputs {
  identityProvider?: string | undefined;
  agencyUrn?: string | undefined;
  providerUrn?: string | undefined;
  audience?: string | undefined;
  iamEndpoint?: URL | undefined;
  stsEndpoint?: URL | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  securityToken?: string | undefined;
  authToken?: string | undefined;
}

export function chooseRoute(inputs: RouteInputs): Route {
  const routeA = Boolean(inputs.identityProvider);
  const routeB = Boolean(inputs.agencyUrn || inputs.providerUrn);
  if (routeA && routeB) {
    throw new ConfigError(
      `'identity-provider' (IAM identity provider) and ${given(inputs, ['agencyUrn', 'providerUrn'])} (STS agency) are both set: use one way of federation`,
    );
  }
  if (routeA || routeB) {
    const statics = given(inputs, ['accessKeyId', 'secretAccessKey', 'securityToken', 'authToken']);
    if (statics) {
      throw new ConfigError(
        `${routeA ? "'identity-provider'" : given(inputs, ['agencyUrn', 'providerUrn'])} (OIDC federation) is set together with ${statics} (inputs or HUAWEI_CLOUD_* variables): federation replaces stored credentials, so remove one of them`,
      );
    }
  }
  const audience = inputs.audience ? { audience: inputs.audience } : {};
  if (routeA) {
    if (inputs.stsEndpoint) {
      throw new ConfigError(
        "'sts-endpoint' is set, but 'identity-provider' uses IAM: set 'iam-endpoint' instead",
      );
    }
    return { kind: 'identity-provider', identityProvider: inputs.identityProvider as string, ...audience };
  }
  if (routeB) {
    const missing = !inputs.agencyUrn ? "'agency-urn'" : !inputs.providerUrn ? "'provider-urn'" : undefined;
    if (missing) {
      throw new ConfigError(
        `STS federation needs both 'agency-urn' and 'provider-urn'; ${missing} is missing`,
      );
    }
    if (inputs.iamEndpoint) {
      throw new ConfigError("'iam-endpoint' is set, but 'agency-urn' uses STS: set 'sts-endpoint' instead");
    }
    return {
      kind: 'agency',
      agencyUrn: inputs.agencyUrn as string,
      providerUrn: inputs.providerUrn as string,
      ...audience,
    };
  }
  const stray = given(inputs, ['audience', 'iamEndpoint', 'stsEndpoint']);
  if (stray) {
    throw new ConfigError(
      `${stray} ${stray.includes(',') ? 'apply' : 'applies'} only to OIDC federation: set 'identity-provider', or 'agency-urn' and 'provider-urn', or remove ${stray.includes(',') ? 'them' : 'it'}`,
    );
  }
  return { kind: 'static' };
}

const INPUT_NAMES: Record<keyof RouteInputs, string> = {
  identityProvider: 'identity-provider',
  agencyUrn: 'agency-urn',
  providerUrn: 'provider-urn',
  audience: 'audience',
  iamEndpoint: 'iam-endpoint',
  stsEndpoint: 'sts-endpoint',
  accessKeyId: 'access-key-id',
  secretAccessKey: 'access-key-secret',
  securityToken: 'security-token',
  authToken: 'auth-token',
};

/** The quoted names of the inputs among `keys` that are set, joined, or '' when none is. */
function given(inputs: RouteInputs, keys: Array<keyof RouteInputs>): string {
  return keys
    .filter((key) => Boolean(inputs[key]))
    .map((key) => `'${INPUT_NAMES[key]}'`)
    .join(', ');
}
