import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, canonicalUri, encodeRfc3986, formatSdkDate, sign } from '../src/signer.ts';

interface Vector {
  id: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  signedHeaders: string;
  body: string;
  date: string;
  ak: string;
  sk: string;
  expected: { canonicalRequest: string; stringToSign: string; signature: string; authorization: string };
}

// Read at test time, so a vector added to test/fixtures/vectors is checked without touching this test.
const vectors = (
  JSON.parse(
    readFileSync(new URL('../../../test/fixtures/vectors/huawei-apig.json', import.meta.url), 'utf8'),
  ) as { vectors: Vector[] }
).vectors;

describe('SDK-HMAC-SHA256 signer', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(12);
  });

  it.each(vectors.map((vector) => [vector.id, vector] as const))('reproduces vector %s', (_id, vector) => {
    const signedNames = vector.signedHeaders.split(';');
    const headers = Object.fromEntries(
      Object.entries(vector.headers).filter(([name]) => signedNames.includes(name.toLowerCase())),
    );
    const result = sign({
      method: vector.method,
      path: vector.path,
      query: Object.entries(vector.query),
      headers,
      body: vector.body,
      accessKeyId: vector.ak,
      secretAccessKey: vector.sk,
    });
    expect(result.canonicalRequest).toBe(vector.expected.canonicalRequest);
    expect(result.stringToSign).toBe(vector.expected.stringToSign);
    expect(result.signature).toBe(vector.expected.signature);
    expect(result.authorization).toBe(vector.expected.authorization);
    expect(result.signedHeaders).toBe(vector.signedHeaders);
  });

  it('encodes as RFC 3986 with upper-case hex, escaping what encodeURIComponent leaves', () => {
    expect(encodeRfc3986("a b*'()!+/=&é~-_.")).toBe('a%20b%2A%27%28%29%21%2B%2F%3D%26%C3%A9~-_.');
  });

  it('canonicalises paths with a trailing slash and an empty path as /', () => {
    expect(canonicalUri('/v2/manage/utils/secret')).toBe('/v2/manage/utils/secret/');
    expect(canonicalUri('/already/')).toBe('/already/');
    expect(canonicalUri('')).toBe('/');
    expect(canonicalUri('/a b/c')).toBe('/a%20b/c/');
  });

  it('sorts query names by bytes, and repeated names by value', () => {
    expect(
      canonicalQuery([
        ['b', '2'],
        ['a', 'z'],
        ['a', 'y'],
        ['B', '1'],
        ['flag', ''],
      ]),
    ).toBe('B=1&a=y&a=z&b=2&flag=');
    expect(canonicalQuery([])).toBe('');
  });

  it('formats X-Sdk-Date in UTC', () => {
    expect(formatSdkDate(Date.UTC(2019, 10, 15, 3, 36, 55, 999))).toBe('20191115T033655Z');
  });

  it('refuses to sign without X-Sdk-Date among the signed headers', () => {
    expect(() =>
      sign({
        method: 'GET',
        path: '/',
        query: [],
        headers: { Host: 'h' },
        body: '',
        accessKeyId: 'a',
        secretAccessKey: 's',
      }),
    ).toThrow(/X-Sdk-Date/);
  });

  it('trims header values and lower-cases names before signing', () => {
    const base = {
      method: 'POST',
      path: '/p',
      query: [],
      body: '',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    };
    const tidy = sign({ ...base, headers: { host: 'h', 'x-sdk-date': '20240115T083000Z' } });
    const messy = sign({ ...base, headers: { HOST: '  h ', 'X-Sdk-Date': '20240115T083000Z' } });
    expect(messy.signature).toBe(tidy.signature);
  });
});
