// What the token says about itself. service-center signs its JWTs with a private key whose public
// half no endpoint publishes (server/plugin/auth/buildin/buildin.go in
// https://github.com/apache/servicecomb-service-center), so the action cannot verify them and
// need not: it only reads the payload to report the expiry, the account and its roles.

export interface TokenClaims {
  account?: string;
  roles: string[];
  /** Undefined when the token carries no numeric `exp`: the expiry is then unknown. */
  expiresAt?: Date;
}

/** Decodes the payload of `header.payload.signature` without verifying it; no claims if it is not a JWT. */
export function readTokenClaims(token: string): TokenClaims {
  const payload = decodePayload(token);
  if (payload === undefined) return { roles: [] };
  const claims: TokenClaims = { roles: rolesOf(payload) };
  if (typeof payload['account'] === 'string' && payload['account'] !== '')
    claims.account = payload['account'];
  const exp = payload['exp'];
  if (typeof exp === 'number' && Number.isFinite(exp)) claims.expiresAt = new Date(exp * 1000);
  return claims;
}

function decodePayload(token: string): Record<string, unknown> | undefined {
  const segments = token.split('.');
  if (segments.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(segments[1] ?? '')) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segments[1]!, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `roles` (string array); older issuers wrote a single `role`, which verifiers still accept. */
function rolesOf(payload: Record<string, unknown>): string[] {
  const roles = payload['roles'];
  if (Array.isArray(roles))
    return roles.filter((role): role is string => typeof role === 'string' && role !== '');
  const role = payload['role'];
  return typeof role === 'string' && role !== '' ? [role] : [];
}
