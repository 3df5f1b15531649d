import { afterEach, describe, expect, it } from 'vitest';
import {
  baseUrl,
  boolean,
  ConfigError,
  commonInputs,
  integer,
  list,
  optional,
  parseInputs,
  pattern,
  required,
  SECRETS_HINT,
  setMaskFunction,
  text,
} from '../src/index.ts';

const masked: string[] = [];
setMaskFunction((value) => masked.push(value));
afterEach(() => {
  masked.length = 0;
});

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseInputs', () => {
  const definitions = {
    region: required('region', pattern(/^[a-z0-9-]+$/, 'must be a region id such as cn-north-4'), {
      env: ['HUAWEI_CLOUD_REGION'],
    }),
    secretKey: required('access-key-secret', text(), { secret: true }),
    login: optional('login', boolean(), { default: true }),
    note: optional('note', text()),
  };

  it('reads INPUT_<NAME> with hyphens kept, trims, applies defaults and leaves absent optionals undefined', () => {
    const values = parseInputs(definitions, {
      INPUT_REGION: ' cn-north-4 ',
      'INPUT_ACCESS-KEY-SECRET': 'sk-value',
    });
    expect(values).toEqual({ region: 'cn-north-4', secretKey: 'sk-value', login: true, note: undefined });
  });

  it('falls back to the listed environment variables', () => {
    const values = parseInputs(definitions, {
      HUAWEI_CLOUD_REGION: 'eu-west-101',
      'INPUT_ACCESS-KEY-SECRET': 'sk',
    });
    expect(values.region).toBe('eu-west-101');
  });

  it('names the first missing input and its env fallback', () => {
    expect(failure(() => parseInputs(definitions, {})).message).toBe(
      "Input 'region' is required (or set HUAWEI_CLOUD_REGION).",
    );
  });

  it('says why a required secret can be missing: forks and Dependabot get no secrets', () => {
    const message = failure(() => parseInputs(definitions, { INPUT_REGION: 'cn-north-4' })).message;
    expect(message).toBe(`Input 'access-key-secret' is required. ${SECRETS_HINT}`);
    expect(message).toMatch(/fork.*Dependabot.*if-no-credentials: skip/);
  });

  it('masks a secret before validating it, and never echoes it', () => {
    const error = failure(() =>
      parseInputs(definitions, { INPUT_REGION: 'cn-north-4', 'INPUT_ACCESS-KEY-SECRET': 'line1\nline2' }),
    );
    expect(masked).toContain('line1\nline2');
    expect(error.message).toBe("Input 'access-key-secret' must be a single line without control characters");
    expect(error.message).not.toContain('line1');
  });

  it('refuses newlines and control characters in single-line inputs, allows newlines in multiline ones', () => {
    for (const value of ['a\nb', 'a\rb', 'a\u0000b', 'a\u001bb', 'a\tb']) {
      expect(() => parseInputs({ x: required('x', text()) }, { INPUT_X: value })).toThrow(/single line/);
    }
    expect(parseInputs({ x: required('x', text(), { multiline: true }) }, { INPUT_X: 'a\nb' }).x).toBe(
      'a\nb',
    );
    expect(() =>
      parseInputs({ x: required('x', text(), { multiline: true }) }, { INPUT_X: 'a\u0007b' }),
    ).toThrow(/control characters/);
  });

  it('reports schema failures with the input name and the rule, not the value', () => {
    const error = failure(() =>
      parseInputs(definitions, { INPUT_REGION: 'CN_NORTH', 'INPUT_ACCESS-KEY-SECRET': 'x' }),
    );
    expect(error.message).toBe("Input 'region' must be a region id such as cn-north-4");
  });
});

describe('schemas', () => {
  it('boolean accepts exactly the YAML core booleans', () => {
    const read = (value: string) => parseInputs({ b: required('b', boolean()) }, { INPUT_B: value }).b;
    expect([read('true'), read('True'), read('TRUE'), read('false'), read('False'), read('FALSE')]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(() => read('yes')).toThrow("Input 'b' must be true or false");
  });

  it('integer checks syntax and range', () => {
    const read = (value: string) => parseInputs({ n: required('n', integer(1, 10)) }, { INPUT_N: value }).n;
    expect(read('3')).toBe(3);
    expect(() => read('0')).toThrow('must be between 1 and 10');
    expect(() => read('2.5')).toThrow('must be a whole number');
    expect(() => read('-1')).toThrow('must be a whole number');
  });

  it('baseUrl accepts http(s) without credentials, query or fragment', () => {
    const read = (value: string) =>
      parseInputs({ u: required('endpoint', baseUrl()) }, { INPUT_ENDPOINT: value }).u;
    expect(read('https://swr-api.cn-north-4.myhuaweicloud.com').host).toBe(
      'swr-api.cn-north-4.myhuaweicloud.com',
    );
    expect(() => read('ftp://x')).toThrow('must start with https://');
    expect(() => read('https://u:p@x')).toThrow('must not carry credentials');
    expect(() => read('https://x/?a=b')).toThrow('must not have a query');
    expect(() => read('not a url')).toThrow('must be an absolute URL');
  });

  it('list splits on commas and newlines and validates each item', () => {
    const read = (value: string) =>
      parseInputs(
        {
          l: required('domain', list(pattern(/^[a-z.]+$/, 'must be a domain'), 'domain'), {
            multiline: true,
          }),
        },
        { INPUT_DOMAIN: value },
      ).l;
    expect(read('a.com, b.com\nc.com,,')).toEqual(['a.com', 'b.com', 'c.com']);
    expect(() => read('a.com,B!')).toThrow("Input 'domain' must be a domain");
    expect(() => read(',')).toThrow('must name at least one domain');
  });

  it('common inputs default to 3 attempts, 30 s and failing without credentials', () => {
    expect(parseInputs(commonInputs, {})).toEqual({
      maxAttempts: 3,
      timeoutSeconds: 30,
      ifNoCredentials: 'fail',
    });
    expect(parseInputs(commonInputs, { 'INPUT_IF-NO-CREDENTIALS': 'skip' }).ifNoCredentials).toBe('skip');
    expect(() => parseInputs(commonInputs, { 'INPUT_IF-NO-CREDENTIALS': 'Skip' })).toThrow(
      "Input 'if-no-credentials' must be fail or skip",
    );
    expect(() => parseInputs(commonInputs, { 'INPUT_MAX-ATTEMPTS': '0' })).toThrow(
      "Input 'max-attempts' must be between 1 and 10",
    );
  });
});
