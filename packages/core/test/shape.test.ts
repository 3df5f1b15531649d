// The pieces every action shares since the actions took one shape: skipping a run that was given
// no credential, warning about secrets too short to mask sensibly, masking each value once, and
// making network text inert before it is printed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  commonInputs,
  maskSecret,
  optional,
  parseInputs,
  plainHttpWarning,
  printable,
  required,
  SHORT_SECRET_LENGTH,
  sentence,
  setMaskFunction,
  skipIfNoCredentials,
  text,
} from '../src/index.ts';

let written: string[] = [];
const lines = (): string[] => written.join('').split('\n').filter(Boolean);
const masked: string[] = [];

beforeEach(() => {
  written = [];
  masked.length = 0;
  setMaskFunction((value) => masked.push(value));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const definitions = {
  endpoint: required('endpoint', text()),
  username: optional('username', text()),
  password: required('password', text(), { secret: true, env: ['APP_PASSWORD'] }),
  provider: optional('identity-provider', text(), { credential: true }),
  ...commonInputs,
};

describe('skipIfNoCredentials', () => {
  function outputFile(): string {
    return join(mkdtempSync(join(tmpdir(), 'skip-')), 'output');
  }

  it('skips with one notice and skipped=true when no credential input or fallback is set', () => {
    const file = outputFile();
    const env = {
      INPUT_ENDPOINT: 'https://x',
      INPUT_USERNAME: 'me',
      'INPUT_IF-NO-CREDENTIALS': 'skip',
      GITHUB_OUTPUT: file,
    };
    expect(skipIfNoCredentials(definitions, env)).toBe(true);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(
      /^::notice::Skipped: no credential was given \('password' or APP_PASSWORD, 'identity-provider'\)/,
    );
    expect(lines()[0]).toMatch(/fork or by Dependabot\.$/);
    expect(readFileSync(file, 'utf8')).toBe('skipped=true\n');
  });

  it('does not skip when any credential is given: an input, an env fallback, or an OIDC route', () => {
    const skip = { 'INPUT_IF-NO-CREDENTIALS': 'skip', GITHUB_OUTPUT: outputFile() };
    expect(skipIfNoCredentials(definitions, { ...skip, INPUT_PASSWORD: 'pw-123456' })).toBe(false);
    expect(skipIfNoCredentials(definitions, { ...skip, APP_PASSWORD: 'pw-123456' })).toBe(false);
    expect(skipIfNoCredentials(definitions, { ...skip, 'INPUT_IDENTITY-PROVIDER': 'github' })).toBe(false);
    expect(written).toEqual([]);
    expect(readFileSync(skip.GITHUB_OUTPUT, { encoding: 'utf8', flag: 'a+' })).toBe('');
  });

  it('never skips with the default, fail', () => {
    expect(skipIfNoCredentials(definitions, { GITHUB_OUTPUT: outputFile() })).toBe(false);
    expect(written).toEqual([]);
  });

  it('refuses an unknown mode before anything else', () => {
    expect(() => skipIfNoCredentials(definitions, { 'INPUT_IF-NO-CREDENTIALS': 'maybe' })).toThrow(
      "Input 'if-no-credentials' must be fail or skip",
    );
  });
});

describe('secrets', () => {
  it('warns about a secret input shorter than the masking minimum, naming the input, never the value', () => {
    parseInputs({ password: required('password', text(), { secret: true }) }, { INPUT_PASSWORD: 'abc' });
    expect(masked).toContain('abc');
    expect(lines()).toEqual([
      expect.stringMatching(
        /^::warning::Input 'password' is only 3 characters long: the runner replaces every occurrence/,
      ),
    ]);
    expect(lines()[0]).not.toContain('abc');
  });

  it(`does not warn from ${SHORT_SECRET_LENGTH} characters on`, () => {
    parseInputs(
      { password: required('password', text(), { secret: true }) },
      { INPUT_PASSWORD: 'x'.repeat(SHORT_SECRET_LENGTH) },
    );
    expect(written).toEqual([]);
  });

  it('registers each distinct value once per process, however often it is derived again', () => {
    for (let index = 0; index < 100; index++) maskSecret('same-key-value');
    maskSecret('other-key-value');
    expect(masked.filter((value) => value === 'same-key-value')).toHaveLength(1);
    expect(masked.filter((value) => value === 'other-key-value')).toHaveLength(1);
  });
});

describe('printable', () => {
  it('keeps ordinary text as it is', () => {
    expect(printable('Incorrect IAM authentication information: verify aksk signature fail')).toBe(
      'Incorrect IAM authentication information: verify aksk signature fail',
    );
    expect(printable('host:443 a: b')).toBe('host:443 a: b');
  });

  it('breaks every workflow command and folds control characters', () => {
    const out = printable('::error::forged\r\n::add-mask::x ##[error]forged\u001b[31m\u0085next\u2028line');
    expect(out).not.toMatch(/::|##\[|[\u0000-\u001f\u007f-\u009f\u2028]/);
    expect(out.replace(/\u200b/g, '')).toBe('::error::forged ::add-mask::x ##[error]forged [31m next line');
  });

  it('bounds the length', () => {
    expect(printable('a'.repeat(10_000), 50)).toHaveLength(50);
  });
});

describe('plainHttpWarning', () => {
  const urls = (...list: string[]) => list.map((url) => new URL(url));

  it('warns once about plain http, for every such URL of the input', () => {
    expect(plainHttpWarning('endpoint', urls('https://a', 'https://b'))).toBeUndefined();
    expect(plainHttpWarning('endpoint', urls('http://a:1', 'https://b', 'http://c:2'))).toBe(
      "Input 'endpoint' uses plain http:// for a:1, c:2: credentials and tokens travel unencrypted",
    );
    expect(
      plainHttpWarning('endpoint', urls(...Array.from({ length: 200 }, (_, index) => `http://n${index}`))),
    ).toBe(
      "Input 'endpoint' uses plain http:// for n0, n1, n2 and 197 more: credentials and tokens travel unencrypted",
    );
  });
});

describe('sentence', () => {
  it('ends with exactly one full stop', () => {
    expect(sentence('it failed')).toBe('it failed.');
    expect(sentence('it failed.')).toBe('it failed.');
    expect(sentence('it failed;  ')).toBe('it failed.');
    expect(sentence('is it?')).toBe('is it?');
    expect(sentence('quoted "x"')).toBe('quoted "x".');
  });
});
