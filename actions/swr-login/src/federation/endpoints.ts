// Where IAM and STS live for a region (docs/specs/swr.md §1). Decision: the `.eu` rule that applies to SWR
// applies here too. eu-west-101's public APIs all sit under myhuaweicloud.eu (the Terraform
// provider picks the domain per region for every service, not per service), so a `.com` IAM host
// for that region would be a guess against the evidence. Every other region uses
// myhuaweicloud.com. The `iam-endpoint` / `sts-endpoint` inputs override the result (another
// cloud, a proxy, a test emulator). IAM also has a global host (iam.myhuaweicloud.com); the
// regional one is used because route A scopes the token to a project of that region.
import { cloudDomain, pathUnder } from '../endpoint.ts';

export function defaultIamEndpoint(region: string): URL {
  return new URL(`https://iam.${region}.${cloudDomain(region)}`);
}

/** STS exists in 12 regions only (docs/specs/swr.md §1); any region's STS host can be named, others fail to resolve. */
export function defaultStsEndpoint(region: string): URL {
  return new URL(`https://sts.${region}.${cloudDomain(region)}`);
}

export function resolveIamEndpoint(region: string, override: URL | undefined): URL {
  return override ?? defaultIamEndpoint(region);
}

export function resolveStsEndpoint(region: string, override: URL | undefined): URL {
  return override ?? defaultStsEndpoint(region);
}

/** An API path under a base URL that may carry a path prefix (a gateway in front). */
export function apiUrl(endpoint: URL, path: string): string {
  return `${endpoint.origin}${pathUnder(endpoint, path)}`;
}
