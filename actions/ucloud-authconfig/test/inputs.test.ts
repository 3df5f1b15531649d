import { ConfigError, SECRETS_HINT, setMaskFunction } from '@cloudcreds/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { definitions, readInputs } from '../src/inputs.ts';

const base = {
  'INPUT_PUBLIC-KEY': 'pub',
  'INPUT_PRIVATE-KEY': 'priv-secret',
  INPUT_REGION: 'cn-bj2',
  INPUT_ZONE: 'cn-bj2-04',
  GITHUB_WORKSPACE: '/home/runner/work/repo',
};
const masks: string[] = [];
beforeEach(() => {
  masks.length = 0;
  setMaskFunction((value) => masks.push(value));
});

describe('readInputs', () => {
  it('reads defaults: all domains, api.ucloud.cn, 3 attempts, 30 s', () => {
    const inputs = readInputs(base);
    expect(inputs).toMatchObject({
      publicKey: 'pub',
      privateKey: 'priv-secret',
      region: 'cn-bj2',
      zone: 'cn-bj2-04',
      domains: undefined,
      type: undefined,
      projectId: undefined,
      maxAttempts: 3,
      timeoutSeconds: 30,
    });
    expect(inputs.baseUrl.href).toBe('https://api.ucloud.cn/');
  });

  it('falls back to the UCLOUD_* environment variables', () => {
    const inputs = readInputs({
      UCLOUD_PUBLIC_KEY: 'p',
      UCLOUD_PRIVATE_KEY: 's',
      UCLOUD_REGION: 'hk',
      UCLOUD_ZONE: 'hk-02',
      UCLOUD_PROJECT_ID: 'org-x',
    });
    expect(inputs).toMatchObject({
      publicKey: 'p',
      privateKey: 's',
      region: 'hk',
      zone: 'hk-02',
      projectId: 'org-x',
    });
  });

  it('masks private key, security token and channel key as soon as they are read', () => {
    readInputs({ ...base, 'INPUT_SECURITY-TOKEN': 'sts-token', 'INPUT_CHANNEL-KEY': 'ch_secret' });
    expect(masks).toEqual(expect.arrayContaining(['priv-secret', 'sts-token', 'ch_secret']));
    expect(masks).not.toContain('pub');
  });

  it('splits, trims and de-duplicates domains (comma or newline)', () => {
    const inputs = readInputs({ ...base, INPUT_DOMAIN: 'a.com, b.com\nc.com\na.com\n' });
    expect(inputs.domains).toEqual(['a.com', 'b.com', 'c.com']);
  });

  it('treats domains differing only in case as one, in lower case, in the order first given', () => {
    const inputs = readInputs({ ...base, INPUT_DOMAIN: 'CDN.Example.com, img.example.com\ncdn.example.COM' });
    expect(inputs.domains).toEqual(['cdn.example.com', 'img.example.com']);
  });

  it('counts the key pair and the security token as credentials, the channel key not', () => {
    const credentials = Object.values(definitions)
      .filter((definition) => definition.credential)
      .map((definition) => definition.name);
    expect(credentials).toEqual(['public-key', 'private-key', 'security-token']);
  });

  it('resolves output-file against the workspace', () => {
    expect(readInputs({ ...base, 'INPUT_OUTPUT-FILE': 'out/keys.json' }).outputFile).toBe(
      '/home/runner/work/repo/out/keys.json',
    );
    expect(readInputs({ ...base, 'INPUT_OUTPUT-FILE': '/tmp/../tmp/k.json' }).outputFile).toBe('/tmp/k.json');
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['nothing', {}, "Input 'public-key' is required (or set UCLOUD_PUBLIC_KEY)"],
    [
      'no private key',
      { 'INPUT_PRIVATE-KEY': '' },
      "Input 'private-key' is required (or set UCLOUD_PRIVATE_KEY)",
    ],
    ['no region', { INPUT_REGION: '' }, "Input 'region' is required (or set UCLOUD_REGION)"],
    ['no zone', { INPUT_ZONE: '' }, "Input 'zone' is required (or set UCLOUD_ZONE)"],
    ['bad region', { INPUT_REGION: 'cn bj2' }, "Input 'region' must be a region id such as cn-bj2"],
    [
      'bad domain',
      { INPUT_DOMAIN: 'a.com b.com' },
      "Input 'domain' must list domain names such as cdn.example.com",
    ],
    [
      'bad base-url',
      { 'INPUT_BASE-URL': 'ftp://x' },
      "Input 'base-url' must start with https:// (or http://)",
    ],
    ['directory output-file', { 'INPUT_OUTPUT-FILE': 'out/' }, "Input 'output-file' must name a file"],
    [
      'relative output-file without workspace',
      { 'INPUT_OUTPUT-FILE': 'k.json', GITHUB_WORKSPACE: undefined },
      'GITHUB_WORKSPACE is not set',
    ],
    ['max-attempts 0', { 'INPUT_MAX-ATTEMPTS': '0' }, "Input 'max-attempts' must be between 1 and 10"],
  ])('%s → one ConfigError naming the input', (_name, change, expected) => {
    const env = Object.keys(change).length === 0 ? {} : { ...base, ...change };
    expect(() => readInputs(env)).toThrow(ConfigError);
    expect(() => readInputs(env)).toThrow(expected);
  });

  it('ends a missing credential, and only a credential, with the hint about forks and Dependabot', () => {
    expect(() => readInputs({ ...base, 'INPUT_PRIVATE-KEY': '' })).toThrow(
      `Input 'private-key' is required (or set UCLOUD_PRIVATE_KEY). ${SECRETS_HINT}`,
    );
    expect(() => readInputs({ ...base, INPUT_REGION: '' })).toThrow(
      /^Input 'region' is required \(or set UCLOUD_REGION\)\.$/,
    );
  });

  it('refuses an if-no-credentials value other than fail or skip', () => {
    expect(() => readInputs({ ...base, 'INPUT_IF-NO-CREDENTIALS': 'ignore' })).toThrow(
      "Input 'if-no-credentials' must be fail or skip",
    );
  });

  it('never echoes the private key in an error', () => {
    expect(() => readInputs({ ...base, 'INPUT_PRIVATE-KEY': 'bad\u0001key' })).toThrow(
      /^Input 'private-key' must be a single line without control characters$/,
    );
  });
});
