// UCloud API signature (https://docs.ucloud.cn/api/summary/signature): flatten the parameters, sort
// the keys by byte order, join `key + value` with no separator, append the private key, SHA-1,
// lower-case hex. No timestamp or nonce enters the string, so a signed request replays until the
// key pair is rotated: it is only ever sent in a POST body, never logged, never put in a URL.
import { createHash } from 'node:crypto';

export type ParamValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly ParamValue[]
  | { readonly [name: string]: ParamValue };

export type Params = Readonly<Record<string, ParamValue>>;
export type FlatParams = Record<string, string>;

export interface Credentials {
  publicKey: string;
  privateKey: string;
  securityToken?: string | undefined;
}

/**
 * Flattens nested values the way the SDKs' form encoders do: arrays 0-based (`Name.0`), objects
 * by field (`Name.Field`), recursively; null and undefined are dropped.
 */
export function flatten(params: Params): FlatParams {
  const flat: FlatParams = {};
  const visit = (name: string, value: ParamValue): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const [index, item] of (value as readonly ParamValue[]).entries()) visit(`${name}.${index}`, item);
    } else if (typeof value === 'object') {
      for (const [field, item] of Object.entries(value)) visit(`${name}.${field}`, item);
    } else {
      flat[name] = scalarText(value as string | number | boolean);
    }
  };
  for (const [name, value] of Object.entries(params)) visit(name, value);
  return flat;
}

function scalarText(value: string | number | boolean): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  // The server compares against its own decimal rendering; `1e+21` or `NaN` can never match it.
  if (!Number.isFinite(value) || /e/i.test(text)) {
    throw new RangeError(`cannot sign the number ${text}: only plain decimals are signed`);
  }
  return text;
}

/** Ordinal UTF-8 byte order: `CPU` < `ChargeType`, `Backends.10` < `Backends.2` (never localeCompare). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The concatenation that is hashed, before the private key is appended. `Signature` never enters it. */
export function stringToSign(flat: FlatParams): string {
  return Object.keys(flat)
    .filter((name) => name !== 'Signature')
    .sort(byteOrder)
    .map((name) => name + flat[name])
    .join('');
}

export function signature(flat: FlatParams, privateKey: string): string {
  return createHash('sha1')
    .update(stringToSign(flat) + privateKey, 'utf8')
    .digest('hex');
}

/** The flat parameters as sent: the request's own, PublicKey, SecurityToken when set, and Signature. */
export function signParams(params: Params, credentials: Credentials): FlatParams {
  const flat = flatten({
    ...params,
    PublicKey: credentials.publicKey,
    ...(credentials.securityToken ? { SecurityToken: credentials.securityToken } : {}),
  });
  return { ...flat, Signature: signature(flat, credentials.privateKey) };
}
