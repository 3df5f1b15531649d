import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flatten, type Params, signature, signParams, stringToSign } from '../src/signer.ts';

interface Vector {
  id: string;
  params: Params;
  publicKey: string | null;
  privateKey: string;
  securityToken: string | null;
  expected: { stringToSign: string; signature: string; jsonBody?: string; formBody?: string };
}

// Read at test time: the official vectors (test/fixtures/vectors) are the authority, and a vector added there is tested here.
const vectors = (
  JSON.parse(
    readFileSync(new URL('../../../test/fixtures/vectors/ucloud.json', import.meta.url), 'utf8'),
  ) as { vectors: Vector[] }
).vectors;

function signedFlat(vector: Vector): Record<string, string> {
  if (vector.publicKey === null) {
    // The bare signing function: no PublicKey is added.
    const flat = flatten(vector.params);
    return { ...flat, Signature: signature(flat, vector.privateKey) };
  }
  return signParams(vector.params, {
    publicKey: vector.publicKey,
    privateKey: vector.privateKey,
    securityToken: vector.securityToken ?? undefined,
  });
}

describe('UCloud signature vectors', () => {
  it('covers every vector of the fixture file', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(13);
  });

  it.each(vectors.map((vector) => [vector.id, vector] as const))('%s', (_id, vector) => {
    const signed = signedFlat(vector);
    expect(stringToSign(signed)).toBe(vector.expected.stringToSign);
    expect(signed['Signature']).toBe(vector.expected.signature);
    if (vector.expected.jsonBody) expect(signed).toEqual(JSON.parse(vector.expected.jsonBody));
    if (vector.expected.formBody) {
      expect(signed).toEqual(Object.fromEntries(new URLSearchParams(vector.expected.formBody)));
      // Same pairs; order is not significant on the wire.
      const form = new URLSearchParams(signed);
      form.sort();
      const expected = new URLSearchParams(vector.expected.formBody);
      expected.sort();
      expect(form.toString()).toBe(expected.toString());
    }
  });
});

describe('flatten', () => {
  it.each<[string, Params, Record<string, string>]>([
    ['arrays are 0-based', { A: ['x', 'y'] }, { 'A.0': 'x', 'A.1': 'y' }],
    ['objects by field, recursively', { A: [{ B: { C: 1 } }] }, { 'A.0.B.C': '1' }],
    ['booleans lower case', { T: true, F: false }, { T: 'true', F: 'false' }],
    ['numbers plain decimal, 42.0 is 42', { N: 42.0, R: 0.5, M: -3 }, { N: '42', R: '0.5', M: '-3' }],
    ['null and undefined dropped', { A: null, B: undefined, C: [null, 'z'] }, { 'C.1': 'z' }],
    ['empty strings kept (the caller omits what it does not send)', { A: '' }, { A: '' }],
    ['empty containers give nothing', { A: [], B: {} }, {}],
  ])('%s', (_name, params, expected) => {
    expect(flatten(params)).toEqual(expected);
  });

  it.each([1e21, Number.NaN, Number.POSITIVE_INFINITY, 1e-7])(
    'refuses %s (no plain decimal form)',
    (value) => {
      expect(() => flatten({ N: value })).toThrow(RangeError);
    },
  );
});

describe('stringToSign', () => {
  it('sorts by byte order, never by locale', () => {
    const flat = { b: '1', B: '2', 'Backends.2': 'x', 'Backends.10': 'y', Iv: 'i', Key: 'k', é: 'e', z: 'z' };
    expect(stringToSign(flat)).toBe('B2Backends.10yBackends.2xIviKeykb1zzée');
  });

  it('compares UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF01 is EF BC 81 in UTF-8, before F0 9F 98 80 (U+1F600); in UTF-16 the surrogate D83D comes first.
    expect(stringToSign({ '\u{1F600}': '2', '\uFF01': '1' })).toBe('\uFF011\u{1F600}2');
  });

  it('leaves Signature out and hashes values raw', () => {
    expect(stringToSign({ Signature: 'old', Name: 'a b&c=%2F+' })).toBe('Namea b&c=%2F+');
  });
});

describe('signParams', () => {
  it('adds PublicKey, SecurityToken only when set, and Signature', () => {
    const plain = signParams({ Action: 'X' }, { publicKey: 'pk', privateKey: 'sk' });
    expect(Object.keys(plain).sort()).toEqual(['Action', 'PublicKey', 'Signature']);
    const sts = signParams({ Action: 'X' }, { publicKey: 'pk', privateKey: 'sk', securityToken: 'tok' });
    expect(sts['SecurityToken']).toBe('tok');
    expect(stringToSign(sts)).toBe('ActionXPublicKeypkSecurityTokentok');
    expect(sts['Signature']).not.toBe(plain['Signature']);
    const empty = signParams({ Action: 'X' }, { publicKey: 'pk', privateKey: 'sk', securityToken: '' });
    expect(empty).toEqual(plain);
  });
});
