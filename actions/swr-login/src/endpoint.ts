// Where the CreateSecret API lives. Region lists grow (swr.md §1), so any well-formed region id is
// accepted and turned into the documented host; the one known exception is eu-west-101 (.eu).

/** A region id as it appears in a hostname: lower-case DNS label with at least one hyphen. */
export const REGION_ID = /^(?=.{1,63}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/** Regions whose public endpoints live under myhuaweicloud.eu instead of myhuaweicloud.com. */
const EU_DOMAIN_REGIONS = new Set(['eu-west-101']);

export function defaultEndpoint(region: string): URL {
  if (!REGION_ID.test(region)) throw new Error(`not a region id: ${JSON.stringify(region)}`);
  const domain = EU_DOMAIN_REGIONS.has(region) ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
  return new URL(`https://swr-api.${region}.${domain}`);
}

/** The `endpoint` input wins; without it the endpoint follows from the region. */
export function resolveEndpoint(region: string, override: URL | undefined): URL {
  return override ?? defaultEndpoint(region);
}

/** The CreateSecret URL under a base that may carry a path prefix (an API gateway in front). */
export function createSecretPath(endpoint: URL): string {
  return `${endpoint.pathname.replace(/\/+$/, '')}/v2/manage/utils/secret`;
}
