import { describe, expect, it } from 'vitest';
import {
  expiryWarning,
  OUTPUT_NAMES,
  passedOverWarning,
  tokenPublication,
  tokenSummary,
} from '../src/outputs.ts';

const now = Date.UTC(2025, 5, 1, 12, 0, 0);
const issued = {
  token: 'h.p.s',
  endpoint: new URL('https://10.0.0.5:30100/'),
  claims: { account: 'ci', roles: ['developer', 'tester'], expiresAt: new Date(now + 12 * 3600_000) },
};

describe('outputs and exports', () => {
  it('names every output it sets, and skipped', () => {
    const outputs = Object.keys(tokenPublication(issued, { exportEnv: true, envPrefix: 'CSE' }).outputs);
    expect([...OUTPUT_NAMES]).toEqual([...outputs, 'skipped']);
  });

  it('sets every output and the four prefixed variables', () => {
    expect(tokenPublication(issued, { exportEnv: true, envPrefix: 'CSE' })).toEqual({
      outputs: {
        token: 'h.p.s',
        authorization: 'Bearer h.p.s',
        'expires-at': '2025-06-02T00:00:00.000Z',
        account: 'ci',
        roles: 'developer,tester',
        endpoint: 'https://10.0.0.5:30100',
      },
      variables: {
        CSE_TOKEN: 'h.p.s',
        CSE_AUTHORIZATION: 'Bearer h.p.s',
        CSE_TOKEN_EXPIRES_AT: '2025-06-02T00:00:00.000Z',
        CSE_ENDPOINT: 'https://10.0.0.5:30100',
      },
    });
  });

  it('exports nothing with export-env false, and no expiry it does not know', () => {
    expect(tokenPublication(issued, { exportEnv: false, envPrefix: 'CSE' }).variables).toEqual({});
    const unknown = tokenPublication(
      { ...issued, claims: { roles: [] } },
      { exportEnv: true, envPrefix: 'SC' },
    );
    expect(unknown.outputs['expires-at']).toBeUndefined();
    expect(unknown.outputs['account']).toBeUndefined();
    expect(Object.keys(unknown.variables ?? {})).toEqual(['SC_TOKEN', 'SC_AUTHORIZATION', 'SC_ENDPOINT']);
  });

  it.each([
    [12 * 3600_000, undefined],
    [3600_000, undefined],
    [3600_000 - 1, 'expires within the hour'],
    [15 * 60_000, 'in 15 min'],
    [-1000, 'expired already'],
  ])('warns about a token that lives %i ms more: %s', (remaining, expected) => {
    const warning = expiryWarning({ roles: [], expiresAt: new Date(now + remaining) }, now);
    if (expected === undefined) expect(warning).toBeUndefined();
    else expect(warning).toContain(expected);
  });

  it('warns when the expiry is unknown', () => {
    expect(expiryWarning({ roles: [] }, now)).toContain('expiry is unknown');
  });

  it('summarises endpoint, account, roles and expiry, never the token', () => {
    const summary = tokenSummary(issued, { exportEnv: true, envPrefix: 'CSE' }, now);
    expect(summary.rows).toEqual([
      ['Endpoint', 'https://10.0.0.5:30100'],
      ['Account', 'ci'],
      ['Roles', 'developer, tester'],
      ['Expires at', '2025-06-02T00:00:00.000Z (in 12 h 0 min)'],
      ['Exported', 'CSE_TOKEN, CSE_AUTHORIZATION, CSE_TOKEN_EXPIRES_AT, CSE_ENDPOINT'],
    ]);
    expect(JSON.stringify(summary)).not.toContain('h.p.s');
  });
});

describe('summary and warnings of a successful run', () => {
  it('makes the claims inert before they reach the summary', () => {
    const hostile = {
      ...issued,
      claims: { account: '::error::ci\n##[group]x', roles: ['a\r\n::warning::b'] },
    };
    const rows = tokenSummary(hostile, { exportEnv: false, envPrefix: 'CSE' }, now).rows.flat().join('\n');
    expect(rows).not.toMatch(/::error::|::warning::|##\[|\r/);
  });

  it('warns once about the endpoints passed over, listing a long list short', () => {
    const at = (host: string) => ({ endpoint: new URL(`https://${host}`) });
    expect(passedOverWarning([], issued.endpoint)).toBeUndefined();
    expect(passedOverWarning([at('a:1')], issued.endpoint)).toBe(
      'a:1 failed before 10.0.0.5:30100 gave the token; the log says what happened at each',
    );
    expect(passedOverWarning(['a', 'b', 'c', 'd', 'e'].map(at), issued.endpoint)).toBe(
      'a, b, c and 2 more failed before 10.0.0.5:30100 gave the token; the log says what happened at each',
    );
  });
});
