// The one place secrets are registered with the runner. The runner masks a value and a few
// encodings of it, but not values derived from it (docs/specs/runner.md §4): those are registered here too.
// `::add-mask::` is written directly (commands.ts): masking must not load @actions/core.
import { issueCommand } from './commands.ts';

export type MaskFunction = (value: string) => void;

let register: MaskFunction = (value) => issueCommand('add-mask', value);
/**
 * Every value registered in this process. The runner needs each mask once; an answer listing the
 * same key for 2,500 domains would otherwise print 30,000 `::add-mask::` lines.
 */
let registered = new Set<string>();

/** Tests replace the runner command with a recorder (and start from nothing registered). */
export function setMaskFunction(fn: MaskFunction): void {
  register = fn;
  registered = new Set();
}

function registerOnce(value: string): void {
  if (value.trim() === '' || registered.has(value)) return;
  registered.add(value);
  register(value);
}

/**
 * Masks a secret and the encodings of it the runner does not cover: URL forms
 * (`encodeURIComponent`, form-urlencoding) and base64url.
 */
export function maskSecret(value: string): void {
  if (value.trim() === '') throw new Error('refusing to register an empty secret');
  registerOnce(value);
  registerOnce(encodeURIComponent(value));
  registerOnce(new URLSearchParams({ v: value }).toString().slice(2));
  registerOnce(Buffer.from(value).toString('base64url'));
}

/**
 * A value the action prints, if ever, only as it is (a CDN key in an output): the value alone,
 * without the derived encodings maskSecret adds. An answer of thousands of keys then costs one
 * `::add-mask::` line per key instead of two.
 */
export function maskValue(value: string): void {
  if (value.trim() === '') throw new Error('refusing to register an empty secret');
  registerOnce(value);
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
