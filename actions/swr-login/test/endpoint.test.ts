import { describe, expect, it } from 'vitest';
import {
  CREATE_SECRET_PATH,
  defaultEndpoint,
  pathUnder,
  REGION_ID,
  resolveEndpoint,
} from '../src/endpoint.ts';

describe('endpoint', () => {
  it.each([
    ['cn-north-4', 'https://swr-api.cn-north-4.myhuaweicloud.com/'],
    ['cn-north-11', 'https://swr-api.cn-north-11.myhuaweicloud.com/'],
    ['cn-north-12', 'https://swr-api.cn-north-12.myhuaweicloud.com/'],
    ['eu-west-0', 'https://swr-api.eu-west-0.myhuaweicloud.com/'],
    ['eu-west-101', 'https://swr-api.eu-west-101.myhuaweicloud.eu/'],
    ['ap-southeast-3', 'https://swr-api.ap-southeast-3.myhuaweicloud.com/'],
    ['my-kualalumpur-1', 'https://swr-api.my-kualalumpur-1.myhuaweicloud.com/'],
    ['ae-ad-1', 'https://swr-api.ae-ad-1.myhuaweicloud.com/'],
    // A region no list knows yet is still a region.
    ['xx-newland-7', 'https://swr-api.xx-newland-7.myhuaweicloud.com/'],
  ])('%s → %s', (region, url) => {
    expect(defaultEndpoint(region).href).toBe(url);
  });

  it.each([
    '',
    'cn',
    'CN-NORTH-4',
    'cn-north-4.evil.com',
    'cn-north-4/x',
    '-cn-north',
    'cn-north-',
    'cn--north',
    `a-${'b'.repeat(70)}`,
  ])('refuses %j as a region id', (region) => {
    expect(REGION_ID.test(region)).toBe(false);
    expect(() => defaultEndpoint(region)).toThrow();
  });

  it('lets the endpoint input override the region', () => {
    const override = new URL('http://127.0.0.1:8080');
    expect(resolveEndpoint('cn-north-4', override)).toBe(override);
    expect(resolveEndpoint('cn-north-4', undefined).host).toBe('swr-api.cn-north-4.myhuaweicloud.com');
  });

  it('keeps a path prefix of the endpoint', () => {
    expect(pathUnder(new URL('https://gw.example.com/swr/'), CREATE_SECRET_PATH)).toBe(
      '/swr/v2/manage/utils/secret',
    );
    expect(pathUnder(new URL('https://gw.example.com'), CREATE_SECRET_PATH)).toBe('/v2/manage/utils/secret');
  });
});
