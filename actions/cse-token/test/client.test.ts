import { NetworkError, responseOf } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import {
  buildTokenRequest,
  isWorthRetrying,
  parseErrorBody,
  serviceFailure,
  tokenFromResponse,
  tokenUrl,
} from '../src/client.ts';

const endpoint = new URL('https://10.0.0.5:30100');
const answer = (status: number, body: string, headers: Record<string, string> = {}) =>
  responseOf(status, { 'content-type': 'application/json; charset=UTF-8', ...headers }, Buffer.from(body));

describe('the token request', () => {
  it('posts name and password, and tokenExpirationTime only when set', () => {
    const request = buildTokenRequest(endpoint, { username: 'ci', password: 'p"w' });
    expect(request).toEqual({
      method: 'POST',
      url: 'https://10.0.0.5:30100/v4/token',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Domain-Name': 'default' },
      body: '{"name":"ci","password":"p\\"w"}',
    });
    const withExpiry = buildTokenRequest(endpoint, {
      username: 'ci',
      password: 'pw',
      tokenExpiration: '90m',
    });
    expect(JSON.parse(withExpiry.body ?? '')).toEqual({
      name: 'ci',
      password: 'pw',
      tokenExpirationTime: '90m',
    });
  });

  it.each([
    ['https://10.0.0.5:30100', 'https://10.0.0.5:30100/v4/token'],
    ['https://10.0.0.5:30100/', 'https://10.0.0.5:30100/v4/token'],
    ['https://gw.example/cse/', 'https://gw.example/cse/v4/token'],
    ['http://127.0.0.1:30100//', 'http://127.0.0.1:30100/v4/token'],
  ])('%s → %s', (base, url) => {
    expect(tokenUrl(new URL(base))).toBe(url);
  });
});

describe('error bodies', () => {
  it.each([
    [
      'service-center, code as a string',
      '{"errorCode":"401202","errorMessage":"User name or password is wrong"}',
      { code: '401202', message: 'User name or password is wrong' },
    ],
    [
      'service-center, code as a number, with detail',
      '{"errorCode":400001,"errorMessage":"Invalid parameter(s)","detail":"field x"}',
      { code: '400001', message: 'Invalid parameter(s)', detail: 'field x' },
    ],
    [
      'front layer, error_message',
      '{"error_code":"SVCSTG.00300401","error_message":"exceed times"}',
      { code: 'SVCSTG.00300401', message: 'exceed times' },
    ],
    [
      'front layer, error_msg',
      '{"error_code":"APIGW.0101","error_msg":"not found"}',
      { code: 'APIGW.0101', message: 'not found' },
    ],
    ['plain text', '404 page not found\n', { message: '"404 page not found"' }],
    ['JSON without a code', '{"message":"nope"}', { message: '"{"message":"nope"}"' }],
    ['empty', '', {}],
  ])('%s', (_name, body, parsed) => {
    expect(parseErrorBody(answer(400, body))).toEqual(parsed);
  });

  it('cuts long text bodies short', () => {
    const parsed = parseErrorBody(answer(502, `<html>${'x'.repeat(5000)}</html>`));
    expect(parsed.message?.length).toBeLessThan(210);
  });
});

describe('failures', () => {
  const failure = (status: number, body: string, headers?: Record<string, string>) =>
    serviceFailure(answer(status, body, headers), endpoint).message;

  it.each([
    [401, '{"errorCode":"401202","errorMessage":"User name or password is wrong"}', 'third failed login'],
    [
      401,
      '{"errorCode":"401302","errorMessage":"User name or password is wrong","detail":"half opening"}',
      'third failed login',
    ],
    [
      401,
      '{"errorCode":"401002","errorMessage":"Request unauthorized"}',
      'account name or password is wrong',
    ],
    [
      403,
      '{"errorCode":"403201","errorMessage":"Account blocked"}',
      'blocked from this IP address for up to 15 minutes',
    ],
    [403, '{"error_code":"SVCSTG.00300401","error_message":"exceed times"}', 'limits login attempts'],
    [404, '404 page not found\n', 'security authentication (RBAC) is off'],
    [405, 'Method Not Allowed', 'does not accept POST /v4/token'],
    [
      400,
      '{"errorCode":"400001","errorMessage":"Invalid parameter(s)","detail":"field T invalid"}',
      'Invalid parameter(s) (field T invalid)',
    ],
  ])('HTTP %i %s → %s', (status, body, expected) => {
    const message = failure(status, body);
    expect(message).toContain(`service-center at 10.0.0.5:30100 answered HTTP ${status}`);
    expect(message).toContain(expected);
  });

  it('names the request id when a front layer sends one', () => {
    expect(
      failure(500, '{"errorCode":"500003","errorMessage":"Internal server error"}', {
        'x-request-id': 'r-1',
      }),
    ).toBe(
      'service-center at 10.0.0.5:30100 answered HTTP 500 500003: Internal server error (request id r-1)',
    );
  });
});

describe('the token of a 200', () => {
  it('is read from {"token": …}', () => {
    expect(tokenFromResponse(answer(200, '{"token":"a.b.c"}'), endpoint)).toBe('a.b.c');
  });

  it.each([
    ['{"token":"a.b', 'not valid JSON'],
    ['{}', 'without a token'],
    ['{"token":""}', 'without a token'],
    ['{"token":42}', 'without a token'],
    ['{"token":"a b"}', 'spaces or control characters'],
    ['{"token":"a\\nCSE_X=1"}', 'spaces or control characters'],
  ])('refuses %s without quoting it', (body, reason) => {
    expect(() => tokenFromResponse(answer(200, body), endpoint)).toThrow(reason);
    try {
      tokenFromResponse(answer(200, body), endpoint);
    } catch (error) {
      expect((error as Error).message).not.toContain(body);
    }
  });

  it('never quotes the body of another success status, which may carry a token', () => {
    const token = 'eyJhbGciOiJSUzUxMiJ9.eyJhY2NvdW50Ijoicm9vdCJ9.c2lnbmF0dXJlLWJ5dGVz';
    expect(() => tokenFromResponse(answer(201, JSON.stringify({ token })), endpoint)).toThrow(
      /^service-center at [^ ]+ answered HTTP 201$/,
    );
  });

  it('says what came instead of a token in one readable line', () => {
    expect(() => tokenFromResponse(answer(200, '<html>proxy login</html>'), endpoint)).toThrow(
      /^service-center at [^ ]+ answered HTTP 200 with a body that is not valid JSON \(/,
    );
    expect(() => tokenFromResponse(answer(200, '{}'), endpoint)).toThrow(
      /answered HTTP 200 with a body without a token$/,
    );
  });
});

describe('what is worth retrying', () => {
  it.each([
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [405, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])('HTTP %i → %s', (status, retry) => {
    expect(isWorthRetrying({ response: answer(status, '{}') })).toBe(retry);
  });

  it('never retries the front-layer attempt limit, whatever its status', () => {
    expect(
      isWorthRetrying({
        response: answer(500, '{"error_code":"SVCSTG.00300401","error_message":"exceed times"}'),
      }),
    ).toBe(false);
  });

  it('follows the network error', () => {
    expect(isWorthRetrying({ error: new NetworkError('reset', { retryable: true }) })).toBe(true);
    expect(isWorthRetrying({ error: new NetworkError('TLS: untrusted', { retryable: false }) })).toBe(false);
  });
});
