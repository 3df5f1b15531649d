// RS256 JSON Web Tokens for the federation emulators: the GitHub token endpoint signs with it, the
// IAM and STS emulators verify with it against a JWKS, as the real services do (RFC 7515/7517/7518).
// It is the emulators' own code, independent of anything in the actions, so a client bug cannot
// hide behind a shared implementation.
import {
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

export interface Jwks {
  keys: JsonWebKey[];
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public half as a JWK with `kid`, `alg`, `use`, as GitHub publishes it. */
  publicJwk: JsonWebKey;
}

export type JwtHeader = Record<string, unknown> & { alg?: unknown; kid?: unknown; typ?: unknown };
export type JwtPayload = Record<string, unknown>;

/** A fresh 2048-bit RSA key (GitHub's keys are 2048-bit RSA). */
export function createSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export function signJwt(payload: JwtPayload, key: SigningKey, header: JwtHeader = {}): string {
  const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...header }));
  const body = base64url(JSON.stringify(payload));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), key.privateKey);
  return `${head}.${body}.${signature.toString('base64url')}`;
}

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS without verifying it; a string says why it is not one. */
export function decodeJwt(token: string): DecodedJwt | string {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    return 'not a compact JWS (three base64url segments)';
  }
  const [head, body, signature] = parts as [string, string, string];
  const header = parseSegment(head);
  const payload = parseSegment(body);
  if (header === undefined) return 'the header is not a JSON object';
  if (payload === undefined) return 'the payload is not a JSON object';
  return { header, payload, signingInput: `${head}.${body}`, signature: Buffer.from(signature, 'base64url') };
}

export type Verification =
  | { ok: true; header: JwtHeader; payload: JwtPayload }
  | {
      ok: false;
      reason: 'malformed' | 'unsupported-algorithm' | 'unknown-key' | 'bad-signature';
      detail: string;
    };

/**
 * Verifies an RS256 signature with the JWKS key named by `kid` (or, without `kid`, any RSA key in
 * the set, as verifiers that accept kid-less tokens do). Claims are the caller's business.
 */
export function verifyJwt(token: string, jwks: Jwks): Verification {
  const decoded = decodeJwt(token);
  if (typeof decoded === 'string') return { ok: false, reason: 'malformed', detail: decoded };
  if (decoded.header.alg !== 'RS256') {
    return {
      ok: false,
      reason: 'unsupported-algorithm',
      detail: `alg ${String(decoded.header.alg)} is not RS256`,
    };
  }
  const kid = decoded.header.kid;
  const candidates = jwks.keys.filter((jwk) => jwk.kty === 'RSA' && (kid === undefined || jwk.kid === kid));
  if (candidates.length === 0) {
    return { ok: false, reason: 'unknown-key', detail: `no key with kid ${String(kid)} in the JWKS` };
  }
  const data = Buffer.from(decoded.signingInput);
  const valid = candidates.some((jwk) => {
    try {
      return verify('sha256', data, createPublicKey({ key: jwk, format: 'jwk' }), decoded.signature);
    } catch {
      return false;
    }
  });
  return valid
    ? { ok: true, header: decoded.header, payload: decoded.payload }
    : { ok: false, reason: 'bad-signature', detail: 'the signature does not verify' };
}

/** `*` matches any run of characters (StringLike); everything else is literal. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** A claim as the string(s) it holds: `aud` may be a string or an array (RFC 7519 §4.1.3). */
export function claimValues(payload: JwtPayload, claim: string): string[] {
  const value = payload[claim];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
