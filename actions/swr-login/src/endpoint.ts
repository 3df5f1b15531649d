// Where the CreateSecret API lives. Region lists grow (docs/specs/swr.md §1), so any well-formed region id is
// accepted and turned into the documented host; the one known exception is eu-west-101 (.eu).

/** A region id as it appears in a hostname: lower-case DNS label with at least one hyphen. */
export const REGION_ID = /^(?=.{1,63}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/** Regions whose public endpoints live under myhuaweicloud.eu instead of myhuaweicloud.com. */
const EU_DOMAIN_REGIONS = new Set(['eu-west-101']);

/** The domain of every public Huawei Cloud API of a region (SWR, IAM, STS alike). */
export function cloudDomain(region: string): string {
  if (!REGION_ID.test(region)) throw new Error(`not a region id: ${JSON.stringify(region)}`);
  return EU_DOMAIN_REGIONS.has(region) ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
}

export function defaultEndpoint(region: string): URL {
  return new URL(`https://swr-api.${region}.${cloudDomain(region)}`);
}

/** The `endpoint` input wins; without it the endpoint follows from the region. */
export function resolveEndpoint(region: string, override: URL | undefined): URL {
  return override ?? defaultEndpoint(region);
}

/** An API path under a base URL that may carry a path prefix (an API gateway in front). */
export function pathUnder(endpoint: URL, path: string): string {
  return `${endpoint.pathname.replace(/\/+$/, '')}${path}`;
}

/** CreateSecret, under the endpoint's path (docs/specs/swr.md §2). */
export const CREATE_SECRET_PATH = '/v2/manage/utils/secret';
