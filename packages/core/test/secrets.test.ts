import { afterEach, describe, expect, it } from 'vitest';
import { maskBasicAuth, maskBearer, maskSecret, setMaskFunction } from '../src/index.ts';

const masked: string[] = [];
setMaskFunction((value) => masked.push(value));
afterEach(() => {
  masked.length = 0;
});

describe('secrets', () => {
  it('refuses an empty or blank secret', () => {
    expect(() => maskSecret('')).toThrow(/empty secret/);
    expect(() => maskSecret('  ')).toThrow(/empty secret/);
  });

  it('registers the value and the URL and base64url forms the runner does not cover', () => {
    maskSecret("p@ss w*rd'(x)");
    expect(masked).toContain("p@ss w*rd'(x)");
    expect(masked).toContain(encodeURIComponent("p@ss w*rd'(x)"));
    expect(masked).toContain('p%40ss+w*rd%27%28x%29');
    expect(masked).toContain(Buffer.from("p@ss w*rd'(x)").toString('base64url'));
  });

  it('registers each form once', () => {
    maskSecret('plain');
    expect(masked.filter((value) => value === 'plain')).toHaveLength(1);
  });

  it('registers user:password and its base64 for basic auth', () => {
    maskBasicAuth('cn-north-4@AK', 'pw');
    expect(masked).toEqual(
      expect.arrayContaining(['pw', 'cn-north-4@AK:pw', Buffer.from('cn-north-4@AK:pw').toString('base64')]),
    );
    expect(masked).not.toContain('cn-north-4@AK');
  });

  it('registers a bearer token, its header form and its payload and signature segments', () => {
    const token = 'eyJhbGciOiJSUzUxMiJ9.eyJhY2NvdW50Ijoicm9vdCJ9xxxx.c2lnbmF0dXJlc2lnbmF0dXJl';
    maskBearer(token);
    expect(masked).toEqual(
      expect.arrayContaining([
        token,
        `Bearer ${token}`,
        'eyJhY2NvdW50Ijoicm9vdCJ9xxxx',
        'c2lnbmF0dXJlc2lnbmF0dXJl',
      ]),
    );
    expect(masked).not.toContain('eyJhbGciOiJSUzUxMiJ9');
  });
});
