import { describe, expect, it } from 'vitest';
import { readTokenClaims } from '../src/jwt.ts';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown) => `${segment({ alg: 'RS512', typ: 'JWT' })}.${segment(payload)}.c2lnbmF0dXJl`;

describe('readTokenClaims', () => {
  it("reads Huawei's documented example payload", () => {
    expect(readTokenClaims(jwt({ account: 'root', exp: 1650591701, roles: ['admin'] }))).toEqual({
      account: 'root',
      roles: ['admin'],
      expiresAt: new Date('2022-04-22T01:41:41.000Z'),
    });
  });

  it.each([
    ['several roles', { account: 'ci', exp: 1, roles: ['developer', 'tester'] }, ['developer', 'tester']],
    ['the legacy single role', { account: 'ci', exp: 1, role: 'admin' }, ['admin']],
    ['roles over role', { account: 'ci', exp: 1, roles: ['a'], role: 'b' }, ['a']],
    ['non-string roles dropped', { account: 'ci', exp: 1, roles: ['a', 1, null, ''] }, ['a']],
    ['no roles', { account: 'ci', exp: 1 }, []],
  ])('%s', (_name, payload, roles) => {
    expect(readTokenClaims(jwt(payload)).roles).toEqual(roles);
  });

  it.each([
    ['exp missing', { account: 'ci', roles: [] }],
    ['exp a string', { account: 'ci', exp: '1650591701', roles: [] }],
  ])('reports the expiry as unknown when %s', (_name, payload) => {
    const claims = readTokenClaims(jwt(payload));
    expect(claims.expiresAt).toBeUndefined();
    expect(claims.account).toBe('ci');
  });

  it.each([
    ['an opaque token', 'opaque-token-value'],
    ['two segments', 'a.b'],
    ['a payload that is not JSON', `x.${Buffer.from('not json').toString('base64url')}.y`],
    ['a payload that is an array', `x.${segment([1, 2])}.y`],
    ['a padded payload', `x.${Buffer.from('{"exp":1}').toString('base64')}=.y`],
  ])('has no claims for %s', (_name, token) => {
    expect(readTokenClaims(token)).toEqual({ roles: [] });
  });
});
