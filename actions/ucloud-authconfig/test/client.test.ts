import { type HttpResponse, NetworkError, responseOf, ServiceError, type Transport } from '@cloudcreds/core';
import { fakeClock, recordingLogger, recordMasks } from '@cloudcreds/harness';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiSettings,
  buildRequest,
  getAuthConfig,
  getAuthConfigs,
  parseResponse,
  retCodeOf,
  retryPolicy,
  THROTTLED_MIN_DELAY_MS,
} from '../src/client.ts';
import { stringToSign } from '../src/signer.ts';

let masks: string[];
beforeEach(() => {
  masks = recordMasks();
});

const ok = (body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse =>
  responseOf(
    status,
    { 'x-ucloud-request-uuid': 'req-123', ...headers },
    Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  );

const noneSent = { host: 'api.ucloud.cn', channelKey: false, projectId: false };

function scripted(steps: Array<HttpResponse | NetworkError>): Transport & { bodies: string[] } {
  const bodies: string[] = [];
  const transport: Transport = async (request) => {
    bodies.push(request.body ?? '');
    const step = steps[bodies.length - 1];
    if (!step) throw new Error('unexpected extra request');
    if (step instanceof NetworkError) throw step;
    return step;
  };
  return Object.assign(transport, { bodies });
}

const api = (extra: Partial<ApiSettings> = {}): ApiSettings => ({
  baseUrl: new URL('http://127.0.0.1:9/'),
  credentials: { publicKey: 'pub', privateKey: 'priv' },
  region: 'cn-bj2',
  zone: 'cn-bj2-04',
  maxAttempts: 3,
  timeoutMs: 1000,
  ...extra,
});

const deps = (transport: Transport, clock = fakeClock(), logger = recordingLogger()) => ({
  transport,
  clock,
  logger,
});

describe('buildRequest', () => {
  it('POSTs the flat signed parameters as a JSON body to <base-url>/, nothing in the URL', () => {
    const request = buildRequest(
      api({ baseUrl: new URL('https://gw.example.test/ucloud'), projectId: 'org-1' }),
      'cdn.example.com',
    );
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://gw.example.test/ucloud/');
    expect(request.headers?.['content-type']).toBe('application/json');
    const body = JSON.parse(request.body ?? '') as Record<string, string>;
    expect(Object.values(body).every((value) => typeof value === 'string')).toBe(true);
    expect(stringToSign(body)).toBe(
      'ActionGetAuthConfigDomaincdn.example.comProjectIdorg-1PublicKeypubRegioncn-bj2Zonecn-bj2-04',
    );
    expect(masks).toEqual(expect.arrayContaining([body['Signature']]));
  });

  it('omits empty optional parameters and sends channel-key only as an unsigned header when set', () => {
    const plain = buildRequest(api({ projectId: '', channelKey: '' }), undefined);
    const plainBody = JSON.parse(plain.body ?? '') as Record<string, string>;
    expect(Object.keys(plainBody).sort()).toEqual(['Action', 'PublicKey', 'Region', 'Signature', 'Zone']);
    expect(plain.headers).not.toHaveProperty('channel-key');

    const channel = buildRequest(api({ channelKey: 'ch_abc' }), undefined);
    expect(channel.headers?.['channel-key']).toBe('ch_abc');
    expect(channel.body).toBe(plain.body);
  });

  it('signs SecurityToken when set', () => {
    const request = buildRequest(
      api({ credentials: { publicKey: 'pub', privateKey: 'priv', securityToken: 'sts' } }),
      undefined,
    );
    const body = JSON.parse(request.body ?? '') as Record<string, string>;
    expect(body['SecurityToken']).toBe('sts');
    expect(stringToSign(body)).toContain('SecurityTokensts');
  });
});

describe('retCodeOf', () => {
  it.each<[unknown, number | undefined]>([
    [{ RetCode: 0 }, 0],
    [{ RetCode: '171' }, 171],
    [{ RetCode: ' 153 ' }, 153],
    [{ RetCode: 'abc' }, undefined],
    [{ RetCode: 1.5 }, undefined],
    [{ RetCode: null }, undefined],
    [{}, undefined],
    [[], undefined],
    ['0', undefined],
  ])('%j → %s', (body, expected) => {
    expect(retCodeOf(body)).toBe(expected);
  });
});

describe('parseResponse', () => {
  const configs = [{ Domain: 'a.com', Config: [{ Type: 'pkey', Keys: [{ Key: 'k1', Iv: 'i1' }] }] }];

  it('returns the configs of a RetCode 0 answer (number or string)', () => {
    expect(parseResponse(ok({ RetCode: 0, AuthConfigs: configs }), noneSent)).toEqual(configs);
    expect(parseResponse(ok({ RetCode: '0', AuthConfigs: configs }), noneSent)).toEqual(configs);
  });

  it.each<[string, unknown, unknown]>([
    ['no AuthConfigs', { RetCode: 0 }, []],
    ['AuthConfigs null', { RetCode: 0, AuthConfigs: null }, []],
    ['no Config', { RetCode: 0, AuthConfigs: [{ Domain: 'a.com' }] }, [{ Domain: 'a.com', Config: [] }]],
    [
      'no Keys',
      { RetCode: 0, AuthConfigs: [{ Domain: 'a.com', Config: [{ Type: 'ksc' }] }] },
      [{ Domain: 'a.com', Config: [{ Type: 'ksc', Keys: [] }] }],
    ],
    [
      'no Iv',
      { RetCode: 0, AuthConfigs: [{ Domain: 'a.com', Config: [{ Type: 'typeA', Keys: [{ Key: 'k' }] }] }] },
      [{ Domain: 'a.com', Config: [{ Type: 'typeA', Keys: [{ Key: 'k', Iv: '' }] }] }],
    ],
    [
      'extra fields dropped',
      { RetCode: 0, Action: 'GetAuthConfigResponse', AuthConfigs: [{ Domain: 'a.com', Config: [], X: 1 }] },
      [{ Domain: 'a.com', Config: [] }],
    ],
  ])('treats %s as empty', (_name, body, expected) => {
    expect(parseResponse(ok(body), noneSent)).toEqual(expected);
  });

  it.each<[string, HttpResponse, RegExp]>([
    [
      'empty body',
      ok(''),
      /^UCloud \(api\.ucloud\.cn\) answered HTTP 200 \(request id req-123\), but the body is empty\.$/,
    ],
    [
      'non-JSON body',
      ok('<html>'),
      /answered HTTP 200 \(request id req-123\), but the body is not valid JSON/,
    ],
    [
      'missing RetCode',
      ok({ AuthConfigs: [] }),
      /answered HTTP 200 \(request id req-123\), but the body carries no numeric RetCode\.$/,
    ],
    ['non-numeric RetCode', ok({ RetCode: 'x' }), /, but the body carries no numeric RetCode\.$/],
    [
      'HTTP 502 HTML',
      ok('<html>bad gateway</html>', 502),
      /^UCloud \(api\.ucloud\.cn\) answered HTTP 502 \(request id req-123\), but the body is not valid JSON \(no content type, 24 bytes\)\.$/,
    ],
    [
      'malformed Keys',
      ok({ RetCode: 0, AuthConfigs: [{ Domain: 'a', Config: [{ Type: 't', Keys: {} }] }] }),
      /^UCloud \(api\.ucloud\.cn\) answered HTTP 200 \(request id req-123\), but its AuthConfigs\.0\.Config\.0\.Keys is not an array\.$/,
    ],
    [
      'Key not a string (value never echoed)',
      ok({ RetCode: 0, AuthConfigs: [{ Domain: 'a', Config: [{ Type: 't', Keys: [{ Key: 12345678 }] }] }] }),
      /, but its AuthConfigs\.0\.Config\.0\.Keys\.0\.Key is not a string\.$/,
    ],
  ])('%s is an error', (_name, response, expected) => {
    expect(() => parseResponse(response, noneSent)).toThrow(expected);
    try {
      parseResponse(response, noneSent);
    } catch (error) {
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as Error).message).not.toContain('12345678');
    }
  });

  it.each<[number | string, Partial<typeof noneSent>, RegExp]>([
    [
      171,
      {},
      /\. Check that 'private-key' belongs to 'public-key' and to this 'base-url'; .*must also set 'channel-key'\.$/,
    ],
    [171, { channelKey: true }, /\. Check that .*'channel-key' is the account's channel\.$/],
    ['172', {}, /\. The 'public-key' is not known to this gateway/],
    [174, {}, /\. The 'security-token' is invalid or expired/],
    [230, {}, /\. Check 'region' and 'zone'\.$/],
    [292, {}, /\. Set 'project-id' \(sub-accounts must send it\)\.$/],
    [292, { projectId: true }, /\. The 'project-id' names no project of this account\.$/],
    [294, {}, /\. The account restricts API calls to whitelisted IPs; GitHub-hosted runner IPs change/],
    [295, {}, /\. The account's security lock refused the call/],
    [299, {}, /\. The sub-account lacks the UCDN permission: grant it in IAM, and set 'project-id'\.$/],
    [299, { projectId: true }, /\. The sub-account lacks the UCDN permission: grant it in IAM\.$/],
    [161, {}, /\. Check 'base-url': it must be a UCloud API gateway/],
    [153, {}, /\. UCloud throttled the requests: raise 'max-attempts'/],
    [150, {}, /\. It is a fault of the moment on UCloud's side/],
    [2001, {}, /\. It is an error of the UCDN product: see the message\.$/],
    [999, {}, /\. The code is not one UCloud documents: see the message\.$/],
  ])('RetCode %s names code, message, request id and hint', (code, sent, expected) => {
    const error = (() => {
      try {
        parseResponse(ok({ RetCode: code, Message: 'Boom' }), { ...noneSent, ...sent });
      } catch (caught) {
        return caught as ServiceError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toMatch(
      new RegExp(
        `^UCloud \\(api\\.ucloud\\.cn\\) answered with RetCode ${code}: "Boom" \\(request id req-123\\)\\. `,
      ),
    );
    expect(error.message).toMatch(expected);
    expect(error.failure).toMatchObject({ service: 'UCloud', code: String(code), codeLabel: 'RetCode' });
  });

  it('names the HTTP status of a non-200 answer that carries a RetCode', () => {
    expect(() => parseResponse(ok({ RetCode: 171, Message: 'No' }, 401), noneSent)).toThrow(
      /^UCloud \(api\.ucloud\.cn\) answered HTTP 401 with RetCode 171: "No" \(request id req-123\)\. /,
    );
  });

  it('makes a hostile message and request id printable, so they cannot forge a workflow command', () => {
    const response = ok({ RetCode: 171, Message: '::error::forged\n##[warning]x' }, 200, {
      'x-ucloud-request-uuid': '::add-mask::y',
    });
    expect(() => parseResponse(response, noneSent)).toThrow(ServiceError);
    try {
      parseResponse(response, noneSent);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/::[a-z-]+::|##\[|\n/);
    }
  });
});

describe('retryPolicy', () => {
  const outcome = (response: HttpResponse) => ({ response });
  it.each<[string, HttpResponse, ReturnType<typeof retryPolicy>]>([
    ['RetCode 0', ok({ RetCode: 0 }), false],
    ['RetCode 110', ok({ RetCode: 110 }), { minDelayMs: 0, reason: 'RetCode 110: API response timeout' }],
    ['RetCode 130', ok({ RetCode: 130 }), { minDelayMs: 0, reason: expect.stringContaining('RetCode 130') }],
    ['RetCode 150', ok({ RetCode: 150 }), { minDelayMs: 0, reason: expect.stringContaining('RetCode 150') }],
    ['RetCode "150"', ok({ RetCode: '150' }), { minDelayMs: 0, reason: expect.stringContaining('150') }],
    [
      'RetCode 153',
      ok({ RetCode: 153 }),
      { minDelayMs: THROTTLED_MIN_DELAY_MS, reason: 'RetCode 153: request throttled' },
    ],
    ...[160, 161, 170, 171, 172, 174, 230, 292, 293, 294, 295, 299, 2000, 8039].map(
      (code): [string, HttpResponse, false] => [`RetCode ${code}`, ok({ RetCode: code }), false],
    ),
    ['HTTP 429', ok('', 429), true],
    ['HTTP 500', ok('', 500), true],
    ['HTTP 502', ok('', 502), true],
    ['HTTP 503', ok('', 503), true],
    ['HTTP 504', ok('', 504), true],
    ['HTTP 400', ok('', 400), false],
    ['HTTP 401 with RetCode 150', ok({ RetCode: 150 }, 401), false],
    ['HTTP 200 malformed', ok('{"RetCode":'), false],
  ])('%s', (_name, response, expected) => {
    expect(retryPolicy(outcome(response))).toEqual(expected);
  });

  it('retries network errors that can heal, not certificate errors', () => {
    expect(retryPolicy({ error: new NetworkError('reset', { retryable: true }) })).toBe(true);
    expect(retryPolicy({ error: new NetworkError('untrusted', { retryable: false }) })).toBe(false);
  });
});

describe('getAuthConfig', () => {
  const success = ok({ RetCode: 0, AuthConfigs: [{ Domain: 'a.com', Config: [] }] });

  it('waits at least the throttle floor after 153, says so in the log, then succeeds', async () => {
    const clock = fakeClock();
    const logger = recordingLogger();
    const transport = scripted([ok({ RetCode: 153, Message: 'throttled' }), success]);
    const result = await getAuthConfig(api(), deps(transport, clock, logger));
    expect(result).toEqual([{ Domain: 'a.com', Config: [] }]);
    expect(transport.bodies).toHaveLength(2);
    expect(clock.slept[0]).toBeGreaterThanOrEqual(THROTTLED_MIN_DELAY_MS);
    expect(logger.at('info')[0]).toMatch(
      /^Attempt 1 of 3 failed \(RetCode 153: request throttled\); retrying in/,
    );
  });

  it('tells the debug log what is sent and answered, without the signature', async () => {
    const logger = recordingLogger(true);
    const transport = scripted([success]);
    await getAuthConfig(api({ channelKey: 'ch_x' }), deps(transport, fakeClock(), logger), 'a.com');
    const signature = (JSON.parse(transport.bodies[0] ?? '{}') as Record<string, string>)['Signature'] ?? '';
    expect(logger.at('debug')).toEqual([
      'POST http://127.0.0.1:9/ GetAuthConfig Domain=a.com; signed parameters: Action, Region, Zone, Domain, PublicKey, Signature; channel-key header set',
      'GetAuthConfig answered HTTP 200 (request id req-123)',
    ]);
    expect(logger.at('debug').join('\n')).not.toContain(signature);
  });

  it('never retries 171: exactly one request', async () => {
    const transport = scripted([ok({ RetCode: 171, Message: 'Signature VerifyAC Error' })]);
    await expect(getAuthConfig(api(), deps(transport))).rejects.toThrow(/RetCode 171/);
    expect(transport.bodies).toHaveLength(1);
  });

  it('gives up after max-attempts and reports the last answer', async () => {
    const transport = scripted([ok('', 502), ok('', 503)]);
    await expect(getAuthConfig(api({ maxAttempts: 2 }), deps(transport))).rejects.toThrow(/HTTP 503/);
    expect(transport.bodies).toHaveLength(2);
  });

  it('retries a reset connection', async () => {
    const transport = scripted([new NetworkError('reset', { retryable: true }), success]);
    await expect(getAuthConfig(api(), deps(transport))).resolves.toHaveLength(1);
  });
});

describe('getAuthConfigs', () => {
  it('makes one call per domain, in order, and merges the answers', async () => {
    const answer = (domain: string) =>
      ok({ RetCode: 0, AuthConfigs: [{ Domain: domain, Config: [{ Type: 'pkey', Keys: [] }] }] });
    const transport = scripted([answer('a.com'), answer('b.com')]);
    const result = await getAuthConfigs(api(), deps(transport), ['a.com', 'b.com']);
    expect(result.map((config) => config.Domain)).toEqual(['a.com', 'b.com']);
    expect(transport.bodies.map((body) => (JSON.parse(body) as Record<string, string>)['Domain'])).toEqual([
      'a.com',
      'b.com',
    ]);
  });

  it('makes one call without Domain when no domain is named', async () => {
    const transport = scripted([ok({ RetCode: 0 })]);
    await expect(getAuthConfigs(api(), deps(transport), undefined)).resolves.toEqual([]);
    expect(JSON.parse(transport.bodies[0] ?? '{}')).not.toHaveProperty('Domain');
  });

  it('an all-domains answer over the size cap tells the user to narrow the request with domain', async () => {
    const tooLarge = new NetworkError('127.0.0.1:9 sent an answer larger than 1024 kB; it was not read', {
      retryable: false,
      code: 'RESPONSE_TOO_LARGE',
    });
    await expect(getAuthConfigs(api(), deps(scripted([tooLarge])), undefined)).rejects.toThrow(
      /^127\.0\.0\.1:9 sent an answer larger than 1024 kB; it was not read\. The answer for all domains is too large: name the domains the workflow needs in 'domain' \(one request each\)$/,
    );
    // A named domain's answer has nothing left to narrow: the error stays as the transport said it.
    await expect(getAuthConfigs(api(), deps(scripted([tooLarge])), ['a.com'])).rejects.toBe(tooLarge);
  });
});
