import { setMaskFunction } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import { maskAuthKeys, secretsOf } from '../src/masking.ts';

describe('maskAuthKeys', () => {
  const configs = [
    {
      Domain: 'a.com',
      Config: [
        { Type: 'pkey', Keys: [{ Key: 'k"ey\\1', Iv: 'iv/+1' }] },
        { Type: 'typeA', Keys: [{ Key: 'line\u2028sep', Iv: '' }] },
      ],
    },
    { Domain: 'b.com', Config: [{ Type: 'pkey', Keys: [{ Key: 'k"ey\\1', Iv: 'iv/+1' }] }] },
  ];

  it('lists each distinct non-empty Key and Iv', () => {
    expect(secretsOf(configs)).toEqual(['k"ey\\1', 'iv/+1', 'line\u2028sep']);
  });

  it('registers every key as it is and its JSON string escape when that differs, nothing else', () => {
    const masks: string[] = [];
    setMaskFunction((value) => masks.push(value));
    maskAuthKeys(configs);
    // Keys are printed only as they are (outputs, JSON outputs): no URL or base64url forms, so an
    // answer of thousands of keys costs one add-mask line per key.
    expect(masks).toEqual(['k"ey\\1', 'k\\"ey\\\\1', 'iv/+1', 'line\u2028sep']);
    // Every form of every secret a JSON output carries is registered before any output is set.
    for (const secret of secretsOf(configs)) {
      expect(masks).toContain(JSON.stringify(secret).slice(1, -1));
    }
    expect(masks).not.toContain('');
  });
});
