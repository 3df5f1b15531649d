import { ConfigError } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import type { DomainAuthConfig } from '../src/client.ts';
import { type Criteria, describeCatalogue, missingDomains, select } from '../src/select.ts';

const configs: DomainAuthConfig[] = [
  {
    Domain: 'a.com',
    Config: [
      { Type: 'pkey', Keys: [{ Key: 'KA1', Iv: 'IA1' }] },
      {
        Type: 'ksc',
        Keys: [
          { Key: 'KA2', Iv: 'IA2' },
          { Key: 'KA3', Iv: 'IA3' },
        ],
      },
    ],
  },
  { Domain: 'b.com', Config: [{ Type: 'typeA', Keys: [{ Key: 'KB1', Iv: '' }] }] },
  {
    Domain: 'c.com',
    Config: [
      { Type: 'pkey', Keys: [{ Key: 'KC1', Iv: 'IC1' }] },
      { Type: 'ksc', Keys: [] },
    ],
  },
];
const allSecrets = ['KA1', 'IA1', 'KA2', 'IA2', 'KA3', 'IA3', 'KB1', 'KC1', 'IC1'];

describe('select', () => {
  it.each<[string, Criteria, string[], string | undefined]>([
    ['everything', {}, ['KA1', 'KA2', 'KA3', 'KB1', 'KC1'], undefined],
    ['one type across domains', { type: 'pkey' }, ['KA1', 'KC1'], undefined],
    ['one domain', { domains: ['a.com'] }, ['KA1', 'KA2', 'KA3'], undefined],
    ['one domain and a type: key and iv', { domains: ['a.com'], type: 'ksc' }, ['KA2', 'KA3'], 'KA2'],
    ['empty Iv kept', { domains: ['b.com'], type: 'typeA' }, ['KB1'], 'KB1'],
    [
      'several domains and a type: no single key',
      { domains: ['a.com', 'c.com'], type: 'pkey' },
      ['KA1', 'KC1'],
      undefined,
    ],
  ])('%s', (_name, criteria, keys, first) => {
    const selection = select(configs, criteria);
    expect(selection.keys.map((pair) => pair.key)).toEqual(keys);
    expect(selection.first?.key).toBe(first);
    if (first) expect(selection.first).toEqual(selection.keys[0]);
  });

  it('pairs each key with its iv', () => {
    expect(select(configs, { domains: ['b.com'], type: 'typeA' }).keys).toEqual([{ key: 'KB1', iv: '' }]);
    expect(select(configs, { domains: ['a.com'], type: 'pkey' }).first).toEqual({ key: 'KA1', iv: 'IA1' });
  });

  it.each<[string, DomainAuthConfig[], Criteria, RegExp]>([
    [
      'unknown domain',
      configs,
      { domains: ['nope.com'] },
      /^Input 'domain': no auth config for nope\.com\. /,
    ],
    ['unknown type', configs, { type: 'nope' }, /^Input 'type': no 'nope' auth config for any domain\. /],
    [
      'a named domain without the type',
      configs,
      { domains: ['a.com', 'b.com'], type: 'pkey' },
      /^Input 'type': no 'pkey' auth config for b\.com\. /,
    ],
    [
      'a type without keys',
      configs,
      { domains: ['c.com'], type: 'ksc' },
      /^Inputs 'domain' and 'type' select no key\. /,
    ],
    [
      'a domain without keys',
      [{ Domain: 'e.com', Config: [] }],
      { domains: ['e.com'] },
      /^Input 'domain' selects no key\. /,
    ],
    [
      'a type without keys anywhere',
      [{ Domain: 'e.com', Config: [{ Type: 'ksc', Keys: [] }] }],
      { type: 'ksc' },
      /^Input 'type' selects no key\. /,
    ],
    [
      'an empty account',
      [],
      {},
      /^UCloud returned no key for this key pair; name a 'domain' that has one\. This key pair sees no domain .*'project-id'/,
    ],
  ])('%s fails listing what exists, never a key', (_name, source, criteria, expected) => {
    let error: unknown;
    try {
      select(source, criteria);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(expected);
    if (source === configs) {
      expect(message).toContain(
        'Domains with auth configs: a.com (pkey: 1 key, ksc: 2 keys); b.com (typeA: 1 key); c.com (pkey: 1 key, ksc: 0 keys)',
      );
    }
    for (const secret of allSecrets) expect(message).not.toContain(secret);
  });

  it('matches a named domain to an answer spelt in another case (DNS names are case-insensitive)', () => {
    const mixed: DomainAuthConfig[] = [
      { Domain: 'CDN.Example.com', Config: [{ Type: 'pkey', Keys: [{ Key: 'K', Iv: 'I' }] }] },
    ];
    expect(select(mixed, { domains: ['cdn.example.com'], type: 'pkey' })).toEqual({
      keys: [{ key: 'K', iv: 'I' }],
      first: { key: 'K', iv: 'I' },
    });
  });

  it('lists the catalogue it is given (what the key pair can see), not only what was asked', () => {
    expect(() => select([], { domains: ['nope.com'] }, configs)).toThrow(
      /no auth config for nope\.com\. Domains with auth configs: a\.com/,
    );
  });
});

describe('missingDomains', () => {
  it.each<[string[] | undefined, string[]]>([
    [undefined, []],
    [
      ['a.com', 'x.com', 'c.com', 'y.com'],
      ['x.com', 'y.com'],
    ],
    [['a.com'], []],
  ])('%j → %j', (domains, expected) => {
    expect(missingDomains(configs, domains)).toEqual(expected);
  });
});

describe('describeCatalogue', () => {
  it('names domains, types and key counts', () => {
    expect(describeCatalogue([{ Domain: 'x.com', Config: [] }])).toBe(
      'Domains with auth configs: x.com (no auth types)',
    );
  });

  it('lists the first 20 domains of a large account and counts the rest', () => {
    const many = Array.from({ length: 2500 }, (_, index) => ({
      Domain: `d${index}.example.com`,
      Config: [],
    }));
    const text = describeCatalogue(many);
    expect(text).toMatch(
      /^Domains with auth configs: d0\.example\.com \(no auth types\); .*d19\.example\.com \(no auth types\); and 2480 more domains$/,
    );
    expect(text).not.toContain('d20.example.com');
  });

  it('makes domain and type names from the answer printable', () => {
    const text = describeCatalogue([
      { Domain: '::error::x.com', Config: [{ Type: '##[group]t\nx', Keys: [] }] },
    ]);
    expect(text).not.toMatch(/::[a-z]+::|##\[|\n/);
  });
});
