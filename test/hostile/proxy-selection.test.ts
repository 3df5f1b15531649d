// NO_PROXY is decided below the network (docs/specs/runner.md, "Testing through a proxy"): an end-to-end run
// with the proxy bypassed would make the action resolve a real hostname. So this asks core's request
// layer which proxy it would use, for every form of NO_PROXY, in both cases of the variable names.
import { proxyFor } from '@cloudcreds/core';
import { afterEach, describe, expect, it } from 'vitest';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
const saved = { ...process.env };

function environment(env: Record<string, string>): void {
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
}

afterEach(() => {
  process.env = { ...saved };
});

const SWR = 'https://swr-api.cn-north-4.myhuaweicloud.com/v2/manage/utils/secret';
const UCLOUD = 'https://api.ucloud.cn/';
const CSE = 'https://cse-engine.cn-north-4.internal:30100/v4/token';
const PROXY = 'http://proxy.corp:3128';

describe('which proxy each action request would use', () => {
  it.each([
    ['exact host', 'api.ucloud.cn', { [UCLOUD]: undefined, [SWR]: PROXY, [CSE]: PROXY }],
    ['exact host, other case', 'API.UCLOUD.CN', { [UCLOUD]: undefined, [SWR]: PROXY }],
    ['.suffix', '.myhuaweicloud.com', { [SWR]: undefined, [UCLOUD]: PROXY }],
    ['suffix without the dot', 'myhuaweicloud.com', { [SWR]: undefined, [UCLOUD]: PROXY }],
    ['host:port, matching port', 'cse-engine.cn-north-4.internal:30100', { [CSE]: undefined, [SWR]: PROXY }],
    ['host:port, other port', 'cse-engine.cn-north-4.internal:30110', { [CSE]: PROXY }],
    ['host:port for the default https port', 'api.ucloud.cn:443', { [UCLOUD]: undefined }],
    [
      'a list with spaces',
      ' .internal , api.ucloud.cn ',
      { [CSE]: undefined, [UCLOUD]: undefined, [SWR]: PROXY },
    ],
    ['*', '*', { [SWR]: undefined, [UCLOUD]: undefined, [CSE]: undefined }],
    ['a name that only ends like the host', 'ucloud.cn.evil.example', { [UCLOUD]: PROXY }],
  ])('NO_PROXY %s (%s)', (_form, noProxy, expected) => {
    for (const names of [
      { proxy: 'HTTPS_PROXY', noProxy: 'NO_PROXY' },
      { proxy: 'https_proxy', noProxy: 'no_proxy' },
    ]) {
      environment({ [names.proxy]: PROXY, [names.noProxy]: noProxy });
      for (const [url, proxy] of Object.entries(expected)) expect([url, proxyFor(url)]).toEqual([url, proxy]);
    }
  });

  it('never proxies loopback, whatever NO_PROXY says', () => {
    environment({ HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY });
    for (const url of [
      'https://127.0.0.1:8443/',
      'http://127.0.0.1:9000/',
      'http://localhost:3000/',
      'https://[::1]:8443/',
    ]) {
      expect(proxyFor(url)).toBeUndefined();
    }
  });

  it('uses HTTP_PROXY only for http:// endpoints, and no proxy when none is set', () => {
    environment({ HTTP_PROXY: PROXY });
    expect(proxyFor('http://api.ucloud.cn/')).toBe(PROXY);
    expect(proxyFor(UCLOUD)).toBeUndefined();
    environment({});
    expect(proxyFor(SWR)).toBeUndefined();
  });

  it('strips the proxy credentials from what it reports', () => {
    environment({ https_proxy: 'http://user:s3cret@proxy.corp:3128' });
    expect(proxyFor(SWR)).toBe(PROXY);
  });
});
