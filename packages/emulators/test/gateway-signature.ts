// SDK-HMAC-SHA256 spelled out for emulator tests of APIs no official vector covers: the test
// writes the canonical URI and query itself (trailing slash included), so what the gateway must
// accept is visible in the test, and neither the emulator's verifier nor the action's signer is used.
import { createHash, createHmac } from 'node:crypto';

export interface LiteralSigning {
  method: 'GET' | 'POST';
  /** Exactly as the canonical request has it, e.g. `/v2/<project>/instances/<id>/`. */
  canonicalUri: string;
  canonicalQuery?: string;
  /** Every header sent and signed (X-Sdk-Date is added). */
  headers: Record<string, string>;
  accessKeyId: string;
  secretAccessKey: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  date: string;
}

/** The headers to send: the given ones, X-Sdk-Date and the Authorization over all of them. */
export function signLiterally(request: LiteralSigning): Record<string, string> {
  const headers = { ...request.headers, 'X-Sdk-Date': request.date };
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const canonical = [
    request.method,
    request.canonicalUri,
    request.canonicalQuery ?? '',
    names.map((name) => `${name}:${lower[name]?.trim()}\n`).join(''),
    names.join(';'),
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${request.date}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', request.secretAccessKey).update(toSign).digest('hex');
  return {
    ...headers,
    Authorization: `SDK-HMAC-SHA256 Access=${request.accessKeyId}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

export function sdkDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
