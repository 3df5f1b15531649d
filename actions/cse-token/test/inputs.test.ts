import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaskFunction } from '@cloudcreds/core';
import { createTestCa } from '@cloudcreds/emulators/tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definitions, MAX_CA_FILE_BYTES, readInputs } from '../src/inputs.ts';

const masked: string[] = [];
beforeEach(() => {
  masked.length = 0;
  setMaskFunction((value) => masked.push(value));
});
afterEach(() => setMaskFunction(() => {}));

const base = {
  INPUT_ENDPOINT: 'https://10.0.0.5:30100',
  INPUT_USERNAME: 'ci',
  INPUT_PASSWORD: 'S3cret!pw',
};
/** A working directory holding `files`, as the step's checkout would. */
function workspace(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cse-inputs-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
const read = (env: Record<string, string>, files: Record<string, string | Buffer> = {}) =>
  readInputs({ ...base, ...env }, workspace(files));

describe('cse-token inputs', () => {
  it('defines every input, the common ones included, and counts only the password as a credential', () => {
    expect(Object.values(definitions).map((definition) => definition.name)).toEqual([
      'endpoint',
      'username',
      'password',
      'token-expiration',
      'ca-cert',
      'insecure-skip-tls-verify',
      'export-env',
      'env-prefix',
      'max-attempts',
      'timeout',
      'if-no-credentials',
    ]);
    expect(
      Object.values(definitions)
        .filter((definition) => definition.credential)
        .map((definition) => definition.name),
    ).toEqual(['password']);
  });

  it('reads the defaults and masks the password at once', () => {
    const inputs = read({});
    expect(inputs).toMatchObject({
      username: 'ci',
      password: 'S3cret!pw',
      tokenExpiration: undefined,
      caCert: undefined,
      insecureSkipTlsVerify: false,
      exportEnv: true,
      envPrefix: 'CSE',
      maxAttempts: 3,
      timeoutSeconds: 30,
    });
    expect(inputs.endpoints.map(String)).toEqual(['https://10.0.0.5:30100/']);
    expect(masked).toContain('S3cret!pw');
  });

  it('takes several endpoints, comma- or newline-separated, or PAAS_CSE_SC_ENDPOINT', () => {
    expect(
      read({ INPUT_ENDPOINT: 'https://a:30100,\nhttps://b:30100\n' }).endpoints.map((url) => url.host),
    ).toEqual(['a:30100', 'b:30100']);
    expect(read({ INPUT_ENDPOINT: '', PAAS_CSE_SC_ENDPOINT: 'https://c:30100' }).endpoints[0]?.host).toBe(
      'c:30100',
    );
  });

  it.each([
    [{ INPUT_ENDPOINT: '' }, "Input 'endpoint' is required (or set PAAS_CSE_SC_ENDPOINT)"],
    [{ INPUT_ENDPOINT: '10.0.0.5:30100' }, "Input 'endpoint' must"],
    [{ INPUT_ENDPOINT: 'https://u:p@10.0.0.5' }, "Input 'endpoint' must not carry credentials"],
    [{ INPUT_USERNAME: '  ' }, "Input 'username' is required"],
    [
      { INPUT_PASSWORD: '' },
      "Input 'password' is required. GitHub passes no secrets to workflows run for a pull request from a fork or by Dependabot; set 'if-no-credentials: skip'",
    ],
    [{ 'INPUT_TOKEN-EXPIRATION': '1d' }, "Input 'token-expiration' must be a Go duration"],
    [{ 'INPUT_TOKEN-EXPIRATION': '10s' }, "Input 'token-expiration' must be between 15m and 24h"],
    [{ 'INPUT_ENV-PREFIX': '1CSE' }, "Input 'env-prefix' must be"],
    [{ 'INPUT_ENV-PREFIX': 'CSE-X' }, "Input 'env-prefix' must be"],
    [{ 'INPUT_ENV-PREFIX': 'github' }, "Input 'env-prefix' must be"],
    [{ 'INPUT_ENV-PREFIX': 'RUNNER_X' }, "Input 'env-prefix' must be"],
    [{ 'INPUT_EXPORT-ENV': 'yes' }, "Input 'export-env' must be true or false"],
    [{ 'INPUT_MAX-ATTEMPTS': '0' }, "Input 'max-attempts' must be between 1 and 10"],
  ])('%o → %s', (env, message) => {
    expect(() => read(env)).toThrow(message);
  });

  it('accepts env prefixes that merely start like GITHUB', () => {
    expect(read({ 'INPUT_ENV-PREFIX': 'GITHUBX' }).envPrefix).toBe('GITHUBX');
    expect(read({ 'INPUT_ENV-PREFIX': 'sc_test' }).envPrefix).toBe('sc_test');
  });

  it('passes a valid token-expiration through as written', () => {
    expect(read({ 'INPUT_TOKEN-EXPIRATION': '1h30m' }).tokenExpiration).toBe('1h30m');
  });

  describe('ca-cert', () => {
    const ca = createTestCa();
    const second = createTestCa('second CA');

    it('takes PEM text and keeps only the certificates', () => {
      const pem = `comment line\n${ca.certPem}\n${second.certPem}`;
      const caCert = read({ 'INPUT_CA-CERT': pem }).caCert;
      expect(caCert).toBe(`${ca.certPem.trim()}\n${second.certPem.trim()}\n`);
    });

    it('takes a path to a PEM file, absolute or relative to the working directory', () => {
      const dir = workspace({ 'ca.pem': ca.certPem });
      const expected = `${ca.certPem.trim()}\n`;
      expect(readInputs({ ...base, 'INPUT_CA-CERT': join(dir, 'ca.pem') }).caCert).toBe(expected);
      expect(readInputs({ ...base, 'INPUT_CA-CERT': 'ca.pem' }, dir).caCert).toBe(expected);
    });

    it('takes a file of exactly 1 MiB, and refuses a larger or endless one after reading 1 MiB', () => {
      const padded = `${ca.certPem}${'#'.repeat(MAX_CA_FILE_BYTES - ca.certPem.length)}`;
      expect(read({ 'INPUT_CA-CERT': 'big.pem' }, { 'big.pem': padded }).caCert).toBe(
        `${ca.certPem.trim()}\n`,
      );
      const tooBig = "Input 'ca-cert' names a file larger than 1 MiB; pass the PEM certificate";
      expect(() => read({ 'INPUT_CA-CERT': 'big.pem' }, { 'big.pem': `${padded}#` })).toThrow(tooBig);
      expect(() => read({ 'INPUT_CA-CERT': '/dev/zero' })).toThrow(tooBig);
    });

    it.each([
      ['a missing file', '/no/such/ca.pem', 'neither PEM text', '/no/such'],
      ['a directory', '.', 'nor the path of a readable file (EISDIR)', '/tmp'],
      ['a file without a certificate', 'empty.pem', 'holds no PEM certificate', 'empty.pem'],
      [
        'a broken certificate',
        '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----',
        'certificate 1 of 1 is not a valid X.509 certificate',
        'QUJD',
      ],
      ['a private key', ca.issue(['x.test']).key, 'contains a private key', 'PRIVATE KEY-----\n'],
    ])('refuses %s without echoing it', (_name, value, message, secretPart) => {
      let error: Error | undefined;
      try {
        read({ 'INPUT_CA-CERT': value }, { 'empty.pem': 'nothing here' });
      } catch (caught) {
        error = caught as Error;
      }
      expect(error?.message).toContain(message);
      expect(error?.message).not.toContain(secretPart);
    });
  });
});
