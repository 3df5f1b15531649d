import { NetworkError, responseOf } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import {
  buildTokenRequest,
  describeAnswer,
  isWorthRetrying,
  MAX_TOKEN_LENGTH,
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
    ['plain text', '404 page not found\n', { message: '404 page not found' }],
    ['JSON without a code', '{"message":"nope"}', { message: '{"message":"nope"}' }],
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
    expect(message).toMatch(
      new RegExp(`^service-center \\(10\\.0\\.0\\.5:30100\\) answered HTTP ${status}\\b`),
    );
    expect(message).toContain(expected);
  });

  it('renders who answered, the status, code, message and request id, then what to do', () => {
    expect(
      failure(500, '{"errorCode":"500003","errorMessage":"Internal server error"}', {
        'x-request-id': 'r-1',
      }),
    ).toBe(
      'service-center (10.0.0.5:30100) answered HTTP 500 with error code 500003: "Internal server error" (request id r-1).',
    );
    expect(failure(401, '{"errorCode":"401202","errorMessage":"User name or password is wrong"}')).toBe(
      'service-center (10.0.0.5:30100) answered HTTP 401 with error code 401202: "User name or password is wrong". The account name or password is wrong (or empty). service-center bans an account from a client IP address for 15 minutes at its third failed login, so the action never retries a refused login; fix the credentials before running again.',
    );
    expect(failure(404, '404 page not found\n')).toMatch(
      /^service-center \(10\.0\.0\.5:30100\) answered HTTP 404: "404 page not found"\. There is no \/v4\/token here/,
    );
  });

  it("makes the service's text inert: no workflow command, no second line", () => {
    const message = failure(
      503,
      JSON.stringify({ errorCode: '50\n::error::forged', errorMessage: '##[error]also forged\r\nnext' }),
      { 'x-request-id': '::warning::id' },
    );
    expect(message).not.toMatch(/[\r\n]|::[a-z]+::|##\[/);
    expect(message.replace(/\u200b/g, '')).toContain(
      'error code 50 ::error::forged: "##[error]also forged next"',
    );
  });
});

describe('the token of a 200', () => {
  it('is read from {"token": …}', () => {
    expect(tokenFromResponse(answer(200, '{"token":"a.b.c"}'), endpoint)).toBe('a.b.c');
  });

  it.each([
    ['{"token":"a.b', 'the body is not valid JSON'],
    ['{}', 'the body carries no token'],
    ['{"token":""}', 'the body carries no token'],
    ['{"token":42}', 'the body carries no token'],
    ['{"token":"a b"}', 'the token contains spaces or control characters'],
    ['{"token":"a\\nCSE_X=1"}', 'the token contains spaces or control characters'],
    [
      `{"token":"${'x'.repeat(MAX_TOKEN_LENGTH + 1)}"}`,
      `the token is ${MAX_TOKEN_LENGTH + 1} characters long, more than the ${MAX_TOKEN_LENGTH} this action accepts`,
    ],
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
      /^service-center \([^ ]+\) answered HTTP 201\.$/,
    );
  });

  it('says what came instead of a token in one readable line', () => {
    expect(() => tokenFromResponse(answer(200, '<html>proxy login</html>'), endpoint)).toThrow(
      'service-center (10.0.0.5:30100) answered HTTP 200, but the body is not valid JSON (application/json; charset=UTF-8, 24 bytes).',
    );
    expect(() => tokenFromResponse(answer(200, '{}'), endpoint)).toThrow(
      /^service-center \(10\.0\.0\.5:30100\) answered HTTP 200, but the body carries no token\.$/,
    );
    expect(() => tokenFromResponse(responseOf(200, {}, Buffer.from([0x7b, 0xff, 0x7d])), endpoint)).toThrow(
      /answered HTTP 200, but the body is not valid UTF-8\.$/,
    );
    expect(() => tokenFromResponse(answer(200, ''), endpoint)).toThrow(
      /answered HTTP 200, but the body is empty\.$/,
    );
  });
});

describe('the answer in a retry line', () => {
  it("names host, status and the service's code, made inert", () => {
    expect(describeAnswer(answer(503, '{"errorCode":"503001","errorMessage":"m"}'), endpoint)).toBe(
      '10.0.0.5:30100 answered HTTP 503 with error code 503001',
    );
    expect(describeAnswer(answer(502, '<html>bad gateway</html>'), endpoint)).toBe(
      '10.0.0.5:30100 answered HTTP 502',
    );
    const hostile = describeAnswer(answer(503, '{"errorCode":"1\\n::error::forged ##[group]x"}'), endpoint);
    expect(hostile).not.toMatch(/[\r\n]|::error::|##\[/);
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
