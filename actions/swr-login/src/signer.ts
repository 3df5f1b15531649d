// SDK-HMAC-SHA256, Huawei Cloud's API-gateway signature (docs/specs/swr.md §5), as a pure function: the
// request goes in, every intermediate string comes out, so the vectors can check each step.
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';

export interface SigningRequest {
  method: string;
  /** The path as sent, without query. */
  path: string;
  /** Query parameters in any order; repeated names allowed. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Exactly the headers to sign, as sent (any case); must include X-Sdk-Date. */
  headers: Readonly<Record<string, string>>;
  /** The exact body bytes sent, as UTF-8 text ('' for none). */
  body: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  authorization: string;
}

/** RFC 3986 unreserved characters stay; every other UTF-8 byte becomes %XX (upper-case hex). */
export function encodeRfc3986(value: string): string {
  // encodeURIComponent leaves !'()* raw; the gateway canonicalises them escaped.
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Each path segment encoded, always ending in `/` (the signing form, not the wire form). */
export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => encodeRfc3986(segment))
    .join('/');
  if (encoded === '') return '/';
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/**
 * Names sorted by byte order, values sorted within a name, `name=value` joined by `&`.
 * The same string is the query sent on the wire, so the gateway sees what was signed.
 */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) => compareBytes(nameA, nameB) || compareBytes(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** `YYYYMMDDTHHMMSSZ` in UTC, the X-Sdk-Date format. */
export function formatSdkDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function sign(request: SigningRequest): SignedRequest {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => compareBytes(a, b));
  const date = headers.find(([name]) => name === 'x-sdk-date')?.[1];
  if (!date) throw new Error('SDK-HMAC-SHA256 needs an X-Sdk-Date header among the signed headers');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const stringToSign = [ALGORITHM, date, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', Buffer.from(request.secretAccessKey, 'utf8'))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signature,
    signedHeaders,
    authorization: `${ALGORITHM} Access=${request.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
