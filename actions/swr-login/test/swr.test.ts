import { type HttpResponse, responseOf } from '@cloudcreds/core';
import { thrownServiceError } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { registryHostProblem } from '../src/registry-host.ts';
import { sign } from '../src/signer.ts';
import {
  createSecretRequest,
  describeSwrFailure,
  parseExpiry,
  parseLoginHeader,
  readCreateSecretAnswer,
} from '../src/swr.ts';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const USER = 'cn-north-4@OWJ2EXAMPLEFPUKBXI';
const PASSWORD = '6f0779072abc863d1ae3ccef921b7f33';
const HOST = 'swr.cn-north-4.myhuaweicloud.com';

function answer(body: unknown, headers: Record<string, string> = {}, status = 200): HttpResponse {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return responseOf(status, lower, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

const good = (headers: Record<string, string> = {}): HttpResponse =>
  answer({ auths: { [HOST]: { auth: b64(`${USER}:${PASSWORD}`) } } }, headers);

describe('CreateSecret request', () => {
  const endpoint = new URL('https://swr-api.cn-north-4.myhuaweicloud.com');
  const now = Date.UTC(2024, 0, 15, 8, 30, 0);

  it('is the official SDK request, byte for byte (vector V1)', () => {
    const request = createSecretRequest(
      {
        endpoint,
        projectName: 'cn-north-4',
        credentials: {
          kind: 'access-key',
          accessKeyId: 'HPUAEXAMPLEAK0000001',
          secretAccessKey: 'ExampleSecretKey0123456789abcdefghijKLMN',
        },
      },
      now,
    );
    expect(request.method).toBe('POST');
    expect(request.url).toBe(
      'https://swr-api.cn-north-4.myhuaweicloud.com/v2/manage/utils/secret?projectname=cn-north-4',
    );
    expect(request.body).toBeUndefined();
    expect(request.headers).toEqual({
      'Content-Type': 'application/json',
      Host: 'swr-api.cn-north-4.myhuaweicloud.com',
      'X-Sdk-Date': '20240115T083000Z',
      Authorization:
        'SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-sdk-date, Signature=' +
        sign({
          method: 'POST',
          path: '/v2/manage/utils/secret',
          query: [['projectname', 'cn-north-4']],
          headers: {
            'content-type': 'application/json',
            host: 'swr-api.cn-north-4.myhuaweicloud.com',
            'x-sdk-date': '20240115T083000Z',
          },
          body: '',
          accessKeyId: 'HPUAEXAMPLEAK0000001',
          secretAccessKey: 'ExampleSecretKey0123456789abcdefghijKLMN',
        }).signature,
    });
  });

  it('signs x-project-id and x-security-token when sent, and sends duration_seconds RFC 3986-encoded', () => {
    const request = createSecretRequest(
      {
        endpoint: new URL('http://127.0.0.1:9000/gw'),
        projectName: 'cn-north-4_sub',
        projectId: '0123456789abcdef0123456789abcdef',
        durationSeconds: 3600,
        credentials: {
          kind: 'access-key',
          accessKeyId: 'AK1234567',
          secretAccessKey: 'sk',
          securityToken: 'TOK/+=',
        },
      },
      now,
    );
    expect(request.url).toBe(
      'http://127.0.0.1:9000/gw/v2/manage/utils/secret?duration_seconds=3600&projectname=cn-north-4_sub',
    );
    expect(request.headers?.['Host']).toBe('127.0.0.1:9000');
    expect(request.headers?.['X-Security-Token']).toBe('TOK/+=');
    expect(request.headers?.['Authorization']).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,',
    );
  });

  it('sends an IAM token as X-Auth-Token without any signature', () => {
    const request = createSecretRequest(
      { endpoint, projectName: 'cn-north-4', credentials: { kind: 'iam-token', token: 'MIItoken' } },
      now,
    );
    expect(request.headers).toEqual({
      'Content-Type': 'application/json',
      Host: 'swr-api.cn-north-4.myhuaweicloud.com',
      'X-Auth-Token': 'MIItoken',
    });
  });
});

describe('CreateSecret answer', () => {
  it('takes the credentials from the body and composes the documented login command (header without host)', () => {
    const login = readCreateSecretAnswer(
      good({
        'X-Swr-Dockerlogin': `docker login -u ${USER} -p ${PASSWORD}`,
        'X-Swr-Expireat': '2025-11-01T12:18:44.382000Z',
      }),
    );
    expect(login.logins).toEqual([{ registry: HOST, username: USER, password: PASSWORD }]);
    expect(login.loginCommand).toBe(`docker login -u ${USER} -p ${PASSWORD} ${HOST}`);
    expect(login.expiresAt).toBe('2025-11-01T12:18:44.382Z');
    expect(login.warnings).toEqual([]);
  });

  it('does not append the host when the header already ends with it', () => {
    const header = `docker login -u ${USER} -p ${PASSWORD} ${HOST}`;
    expect(readCreateSecretAnswer(good({ 'X-Swr-Dockerlogin': header })).loginCommand).toBe(header);
  });

  it('composes the command from the body when the header is absent, and leaves expires-at unset', () => {
    const login = readCreateSecretAnswer(good());
    expect(login.loginCommand).toBe(`docker login -u ${USER} -p ${PASSWORD} ${HOST}`);
    expect(login.expiresAt).toBeUndefined();
    expect(login.loginHeader).toBeUndefined();
  });

  it('splits user:password at the first colon only', () => {
    const login = readCreateSecretAnswer(answer({ auths: { [HOST]: { auth: b64(`${USER}:pa:ss`) } } }));
    expect(login.logins[0]).toEqual({ registry: HOST, username: USER, password: 'pa:ss' });
  });

  it('returns every registry in body order; the command is for the first', () => {
    const login = readCreateSecretAnswer(
      answer({
        auths: {
          'swr.cn-north-4.myhuaweicloud.com': { auth: b64(`${USER}:${PASSWORD}`) },
          '127.0.0.1:5000': { auth: b64(`${USER}:${PASSWORD}`) },
          '[::1]:5001': { auth: b64(`${USER}:${PASSWORD}`) },
        },
      }),
    );
    expect(login.logins.map((entry) => entry.registry)).toEqual([
      'swr.cn-north-4.myhuaweicloud.com',
      '127.0.0.1:5000',
      '[::1]:5001',
    ]);
    expect(login.loginCommand.endsWith(' swr.cn-north-4.myhuaweicloud.com')).toBe(true);
  });

  it('refuses a header that disagrees with the body, without echoing either password', () => {
    for (const header of [
      `docker login -u ${USER} -p other-password`,
      `docker login -u someone@else -p ${PASSWORD}`,
      `docker login -u ${USER} -p ${PASSWORD} other.registry.example.com`,
    ]) {
      const error = thrownServiceError(() => readCreateSecretAnswer(good({ 'X-Swr-Dockerlogin': header })));
      expect(error.message).toContain('disagrees with the credentials in the body');
      expect(error.message).not.toContain(PASSWORD);
      expect(error.message).not.toContain('other-password');
    }
  });

  it.each([
    [
      'a command that is not docker login',
      `rm -rf / -u ${USER} -p ${PASSWORD}`,
      "is not a 'docker login' command",
    ],
    [
      'smuggled options',
      `docker login -u ${USER} -p ${PASSWORD} --tls-verify=false ${HOST}`,
      'words other than',
    ],
    ['a shell chain', `docker login -u ${USER} -p ${PASSWORD} ; curl evil`, 'words other than'],
    ['no password', `docker login -u ${USER}`, 'lacks the user or the password'],
  ])('refuses a header with %s', (_what, header, reason) => {
    expect(
      thrownServiceError(() => readCreateSecretAnswer(good({ 'X-Swr-Dockerlogin': header }))).message,
    ).toContain(reason);
  });

  it('reads the long option forms of the header', () => {
    expect(parseLoginHeader(`docker login --username=${USER} --password ${PASSWORD} ${HOST}`)).toEqual({
      username: USER,
      password: PASSWORD,
      registry: HOST,
    });
    expect(parseLoginHeader('docker login --username= -p x')).toBe('has a repeated or empty option');
    expect(parseLoginHeader('docker login -u a -u b -p x')).toBe('has a repeated or empty option');
  });

  it.each([
    ['a host that is an option', { '-H evil': { auth: b64(`${USER}:${PASSWORD}`) } }, "starts with '-'"],
    ['a host with a space', { 'evil.com --password x': { auth: b64(`${USER}:${PASSWORD}`) } }, 'whitespace'],
    ['a host with a newline', { 'evil.com\nx': { auth: b64(`${USER}:${PASSWORD}`) } }, 'control characters'],
    ['a host with a path', { 'evil.com/x': { auth: b64(`${USER}:${PASSWORD}`) } }, 'not host[:port]'],
    ['a host with a scheme', { 'https://evil.com': { auth: b64(`${USER}:${PASSWORD}`) } }, 'not host[:port]'],
    ['a port out of range', { 'evil.com:70000': { auth: b64(`${USER}:${PASSWORD}`) } }, 'port'],
    [
      'a user with a newline',
      { [HOST]: { auth: b64(`evil\nuser:${PASSWORD}`) } },
      'user name contains control',
    ],
    [
      'a user that is an option',
      { [HOST]: { auth: b64(`--password-stdin:${PASSWORD}`) } },
      "user name starts with '-'",
    ],
    ['an empty user', { [HOST]: { auth: b64(`:${PASSWORD}`) } }, 'user name is empty'],
    [
      'a password with a newline',
      { [HOST]: { auth: b64(`${USER}:pass\nword`) } },
      'password contains control',
    ],
    [
      'a password with a space',
      { [HOST]: { auth: b64(`${USER}:pass word`) } },
      'password contains whitespace',
    ],
    ['a password that is an option', { [HOST]: { auth: b64(`${USER}:-p`) } }, "password starts with '-'"],
    ['no colon', { [HOST]: { auth: b64('nocolon') } }, 'not base64 of user:password'],
    ['auth that is not base64', { [HOST]: { auth: 'not base64!' } }, 'not base64'],
    [
      'auth that is not text',
      { [HOST]: { auth: Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64') } },
      'UTF-8',
    ],
    ['an entry without auth', { [HOST]: {} }, 'not base64'],
  ])('refuses %s, naming the problem but not the value', (_what, auths, reason) => {
    const error = thrownServiceError(() =>
      readCreateSecretAnswer(answer({ auths }, { 'X-Request-Id': 'req-1' }), 'swr-api.example:8443'),
    );
    expect(error.message).toMatch(
      /^SWR \(swr-api\.example:8443\) answered HTTP 200 \(request id req-1\), but registry entry #1 of "auths" is unusable: /,
    );
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain('evil');
  });

  it('refuses an answer without registries or with a body that is not JSON', () => {
    expect(thrownServiceError(() => readCreateSecretAnswer(answer({ auths: {} }))).message).toBe(
      'SWR answered HTTP 200, but the body names no registry in "auths".',
    );
    expect(thrownServiceError(() => readCreateSecretAnswer(answer({}))).failure.problem).toBe(
      'the body names no registry in "auths"',
    );
    expect(thrownServiceError(() => readCreateSecretAnswer(answer('{"auths":{"x":'))).message).toBe(
      'SWR answered HTTP 200, but the body is not valid JSON (no content type, 14 bytes).',
    );
    expect(thrownServiceError(() => readCreateSecretAnswer(answer(''))).message).toBe(
      'SWR answered HTTP 200, but the body is empty.',
    );
  });

  it('warns, without failing, about an expiry it cannot read', () => {
    const login = readCreateSecretAnswer(good({ 'X-Swr-Expireat': 'next tuesday' }));
    expect(login.expiresAt).toBeUndefined();
    expect(login.warnings).toEqual([expect.stringContaining('X-Swr-Expireat')]);
  });

  it.each([
    ['2025-11-01T12:18:44.382000Z', '2025-11-01T12:18:44.382Z'],
    ['2025-11-01T12:18:44Z', '2025-11-01T12:18:44.000Z'],
    ['2025-11-01T12:18:44.1Z', '2025-11-01T12:18:44.100Z'],
    ['2025-11-01T12:18:44.382000', '2025-11-01T12:18:44.382Z'],
    ['2025-11-01 12:18:44.382000Z', '2025-11-01T12:18:44.382Z'],
    ['2025-11-01T20:18:44.382+08:00', '2025-11-01T12:18:44.382Z'],
    ['2025-11-01T20:18:44+0800', '2025-11-01T12:18:44.000Z'],
  ])('reads the expiry %s as %s', (value, iso) => {
    expect(parseExpiry(value)).toBe(iso);
  });

  it.each(['', '1730463524', '2025-13-01T00:00:00Z', 'tomorrow'])(
    'does not read %j as an expiry',
    (value) => {
      expect(parseExpiry(value)).toBeUndefined();
    },
  );

  it('accepts registry hosts with ports and IPv6 literals', () => {
    for (const host of [
      HOST,
      'swr.eu-west-101.myhuaweicloud.eu',
      '127.0.0.1:5000',
      'localhost:1',
      '[::1]:443',
    ]) {
      expect(registryHostProblem(host)).toBeUndefined();
    }
  });
});

describe('CreateSecret failures', () => {
  it('explains a rejected signature with the clock hint and the request id from the body', () => {
    const error = thrownServiceError(() =>
      readCreateSecretAnswer(
        answer(
          {
            error_code: 'APIGW.0301',
            error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
            request_id: 'body-id',
          },
          { 'X-Request-Id': 'header-id' },
          401,
        ),
        'swr-api.cn-north-4.myhuaweicloud.com',
      ),
    );
    expect(error.message).toBe(
      'SWR (swr-api.cn-north-4.myhuaweicloud.com) answered HTTP 401 with error code APIGW.0301: "Incorrect IAM authentication information: verify aksk signature fail" (request id body-id). ' +
        'The signature or credentials were rejected: check access-key-id, access-key-secret (and security-token for temporary keys) or auth-token; ' +
        'a runner clock more than 15 minutes off causes this too.',
    );
  });

  it('reads the SWR shape with old and new names, taking the request id from the header', () => {
    const error = describeSwrFailure(
      answer(
        {
          errors: [
            { errorCode: 'SVCSTG.SWR.4030170', errorMessage: 'Insufficient permissions (old)', detail: '' },
          ],
          error_code: 'SVCSTG.SWR.4030170',
          error_msg: 'Insufficient permissions',
          details: [{ error_code: 'SVCSTG.SWR.4030170', error_msg: '' }],
        },
        { 'X-Request-Id': 'header-id' },
        403,
      ),
    );
    expect(error.failure).toMatchObject({
      status: 403,
      code: 'SVCSTG.SWR.4030170',
      message: 'Insufficient permissions',
      requestId: 'header-id',
    });
    expect(error.message).toContain('swr::createLoginSecret');
  });

  it('falls back to errors[0] and to top-level errorCode', () => {
    expect(
      describeSwrFailure(
        answer({ errors: [{ errorCode: 'SVCSTG.SWR.4000001', errorMessage: 'bad' }] }, {}, 400),
      ).failure,
    ).toMatchObject({ code: 'SVCSTG.SWR.4000001', message: 'bad' });
    expect(
      describeSwrFailure(answer({ errorCode: 'X.1', errorMessage: 'y' }, {}, 400)).failure,
    ).toMatchObject({
      code: 'X.1',
      message: 'y',
    });
  });

  it('quotes a body that is not JSON, bounded, and adds nothing for an empty one', () => {
    const html = describeSwrFailure(answer(`<html>${'x'.repeat(500)}</html>`, {}, 502));
    expect(html.message).toMatch(/^SWR answered HTTP 502: "<html>x{194}…"\. SWR failed on its side/);
    expect(describeSwrFailure(answer('', {}, 503)).message).toBe(
      'SWR answered HTTP 503. SWR failed on its side: try again later.',
    );
  });

  it('makes the service text inert: no workflow command survives into the error line', () => {
    const error = describeSwrFailure(
      answer(
        { error_code: '::error::X', error_msg: 'bad\n::warning::forged ##[group]x' },
        { 'X-Request-Id': '::x' },
        400,
      ),
    );
    expect(error.message).not.toMatch(/::[a-z]+::|##\[|\n/);
    expect(error.message).toContain('error code :\u200b:error:\u200b:X');
  });

  it('names expired tokens, locked keys and throttling', () => {
    expect(
      describeSwrFailure(answer({ error_code: 'APIGW.0307', error_msg: 'token expired' }, {}, 401)).message,
    ).toContain('IAM token is expired');
    expect(
      describeSwrFailure(
        answer(
          { error_code: 'APIGW.0301', error_msg: 'AK access failed to reach the limit,forbidden' },
          {},
          401,
        ),
      ).message,
    ).toContain('locked');
    expect(
      describeSwrFailure(answer({ error_code: 'APIGW.0308', error_msg: 'throttled' }, {}, 429)).message,
    ).toContain('throttling');
  });
});
