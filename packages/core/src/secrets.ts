// The one place secrets are registered with the runner. The runner masks a value and a few
// encodings of it, but not values derived from it (runner.md §4): those are registered here too.
// `::add-mask::` is written directly (commands.ts): masking must not load @actions/core.
import { issueCommand } from './commands.ts';

export type MaskFunction = (value: string) => void;

let register: MaskFunction = (value) => issueCommand('add-mask', value);

/** Tests replace the runner command with a recorder. */
export function setMaskFunction(fn: MaskFunction): void {
  register = fn;
}

function registerOnce(value: string, seen: Set<string>): void {
  if (value.trim() === '' || seen.has(value)) return;
  seen.add(value);
  register(value);
}

/**
 * Masks a secret and the encodings of it the runner does not cover: URL forms
 * (`encodeURIComponent`, form-urlencoding) and base64url.
 */
export function maskSecret(value: string): void {
  if (value.trim() === '') throw new Error('refusing to register an empty secret');
  const seen = new Set<string>();
  registerOnce(value, seen);
  registerOnce(encodeURIComponent(value), seen);
  registerOnce(new URLSearchParams({ v: value }).toString().slice(2), seen);
  registerOnce(Buffer.from(value).toString('base64url'), seen);
}

/** `user:password` and its base64, as docker config files and Basic auth carry it. */
export function maskBasicAuth(username: string, password: string): void {
  maskSecret(password);
  const pair = `${username}:${password}`;
  maskSecret(pair);
  maskSecret(Buffer.from(pair).toString('base64'));
}

/** A bearer token, its `Bearer` header form, and (for JWTs) each signed segment. */
export function maskBearer(token: string): void {
  maskSecret(token);
  maskSecret(`Bearer ${token}`);
  for (const segment of token.split('.')) {
    // The header segment of a JWT is public and common to every token: masking it would hide
    // unrelated text. The payload and signature are what identify this token.
    if (segment.length >= 16 && segment !== token.split('.')[0]) maskSecret(segment);
  }
}
