import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createHttpTransport, type HttpResponse } from '@cloudcreds/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCa } from '../src/tls.ts';
import { manyAuthConfigs, paramsOf, startUcloudEmulator, type UcloudEmulator } from '../src/ucloud.ts';

// Requests are signed here by hand (a third implementation, besides the action's and the
// emulator's), and the emulator is also checked against the official vectors' wire bodies.
function sign(params: Record<string, string>, publicKey: string, privateKey: string): Record<string, string> {
  const all = { ...params, PublicKey: publicKey };
  const names = Object.keys(all).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const text = names.map((name) => name + all[name as keyof typeof all]).join('');
  return {
    ...all,
    Signature: createHash('sha1')
      .update(text + privateKey)
      .digest('hex'),
  };
}

const transport = createHttpTransport({ userAgent: 'emulator-test' });
let emulator: UcloudEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function post(
  target: UcloudEmulator,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ response: HttpResponse; json: Record<string, unknown> }> {
  const response = await transport(
    { method: 'POST', url: `${target.url}/`, headers, body },
    { timeoutMs: 5000 },
  );
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(response.body.toString()) as Record<string, unknown>;
  } catch {}
  return { response, json };
}

const call = (target: UcloudEmulator, params: Record<string, string>, privateKey = target.privateKey) =>
  post(
    target,
    JSON.stringify(
      sign(
        { Action: 'GetAuthConfig', Region: 'cn-bj2', Zone: 'cn-bj2-04', ...params },
        target.publicKey,
        privateKey,
      ),
    ),
  );

describe('UCloud emulator', () => {
  it('runs with no options: a demo key pair and three domains with pkey, ksc and typeA', async () => {
    emulator = await startUcloudEmulator();
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.domains).toHaveLength(3);
    expect(new Set(emulator.authConfigs.flatMap((c) => c.Config.map((a) => a.Type)))).toEqual(
      new Set(['pkey', 'ksc', 'typeA']),
    );
    const { response, json } = await call(emulator, {});
    expect(response.status).toBe(200);
    expect(response.header('x-ucloud-request-uuid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(json).toEqual({ Action: 'GetAuthConfigResponse', RetCode: 0, AuthConfigs: emulator.authConfigs });
    expect(emulator.secrets.length).toBeGreaterThanOrEqual(7);
  });

  it('accepts the vectors’ JSON and form bodies with their key pairs', async () => {
    const vectors = (
      JSON.parse(
        readFileSync(new URL('../../../test/fixtures/vectors/ucloud.json', import.meta.url), 'utf8'),
      ) as {
        vectors: Array<{
          publicKey: string;
          privateKey: string;
          expected: { jsonBody?: string; formBody?: string };
        }>;
      }
    ).vectors.filter((vector) => vector.expected.jsonBody || vector.expected.formBody);
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const vector of vectors) {
      const target = await startUcloudEmulator({
        keyPairs: [{ publicKey: vector.publicKey, privateKey: vector.privateKey }],
      });
      if (vector.expected.jsonBody)
        expect((await post(target, vector.expected.jsonBody)).json['RetCode']).toBe(0);
      if (vector.expected.formBody) {
        const form = await post(target, vector.expected.formBody, {
          'content-type': 'application/x-www-form-urlencoded',
        });
        expect(form.json['RetCode']).toBe(0);
      }
      await target.close();
    }
  });

  it('filters by Domain; an unknown domain gets no AuthConfigs field', async () => {
    emulator = await startUcloudEmulator();
    const domain = emulator.domains[1] as string;
    expect((await call(emulator, { Domain: domain })).json['AuthConfigs']).toEqual([emulator.authConfigs[1]]);
    const unknown = await call(emulator, { Domain: 'unknown.example.com' });
    expect(unknown.json).toEqual({ Action: 'GetAuthConfigResponse', RetCode: 0 });
  });

  it.each<[string, (target: UcloudEmulator) => string, number, string]>([
    [
      'wrong private key',
      (t) => JSON.stringify(sign({ Action: 'GetAuthConfig', Region: 'r', Zone: 'z' }, t.publicKey, 'wrong')),
      171,
      'Signature VerifyAC Error',
    ],
    [
      'unknown public key',
      (t) =>
        JSON.stringify(sign({ Action: 'GetAuthConfig', Region: 'r', Zone: 'z' }, 'nobody', t.privateKey)),
      172,
      'User Not Exists',
    ],
    [
      'no Action',
      (t) => JSON.stringify(sign({ Region: 'r', Zone: 'z' }, t.publicKey, t.privateKey)),
      160,
      'Missing Action',
    ],
    [
      'unknown Action',
      (t) => JSON.stringify(sign({ Action: 'DescribeUHost' }, t.publicKey, t.privateKey)),
      161,
      'Action [DescribeUHost] not exists',
    ],
    [
      'no Signature',
      (t) => JSON.stringify({ Action: 'GetAuthConfig', PublicKey: t.publicKey }),
      170,
      'Missing Signature',
    ],
    [
      'no Zone',
      (t) => JSON.stringify(sign({ Action: 'GetAuthConfig', Region: 'r' }, t.publicKey, t.privateKey)),
      230,
      'Params [Zone] not available',
    ],
    [
      'no Region',
      (t) => JSON.stringify(sign({ Action: 'GetAuthConfig', Zone: 'z' }, t.publicKey, t.privateKey)),
      230,
      'Params [Region] not available',
    ],
    [
      'a signed value changed on the wire',
      (t) =>
        JSON.stringify({
          ...sign({ Action: 'GetAuthConfig', Region: 'r', Zone: 'z' }, t.publicKey, t.privateKey),
          Region: 'R',
        }),
      171,
      'Signature VerifyAC Error',
    ],
  ])('%s → RetCode %i', async (_name, body, retCode, message) => {
    emulator = await startUcloudEmulator();
    const { response, json } = await post(emulator, body(emulator));
    expect(response.status).toBe(200);
    expect(response.header('x-ucloud-request-uuid')).toBeTruthy();
    expect(json).toEqual({ Action: 'GetAuthConfigResponse', RetCode: retCode, Message: message });
  });

  it('verifies native JSON types and nesting in their flattened form', async () => {
    emulator = await startUcloudEmulator();
    const flat = sign(
      { Action: 'GetAuthConfig', Region: 'r', Zone: 'z', 'L.0': 'a', 'L.1.X': 'true', N: '42' },
      emulator.publicKey,
      emulator.privateKey,
    );
    const nested = { ...flat, L: ['a', { X: true }], N: 42 } as Record<string, unknown>;
    delete nested['L.0'];
    delete nested['L.1.X'];
    expect((await post(emulator, JSON.stringify(nested))).json['RetCode']).toBe(0);
  });

  it('requires the channel-key header for a channel key pair, unsigned', async () => {
    emulator = await startUcloudEmulator({
      keyPairs: [{ publicKey: 'pk', privateKey: 'sk', channelKey: 'ch_1' }],
    });
    const body = JSON.stringify(sign({ Action: 'GetAuthConfig', Region: 'r', Zone: 'z' }, 'pk', 'sk'));
    expect((await post(emulator, body)).json['RetCode']).toBe(171);
    const withHeader = await post(emulator, body, {
      'content-type': 'application/json',
      'channel-key': 'ch_1',
    });
    expect(withHeader.json['RetCode']).toBe(0);
  });

  it('checks the SecurityToken of temporary keys (174 when missing or wrong)', async () => {
    emulator = await startUcloudEmulator({
      keyPairs: [{ publicKey: 'pk', privateKey: 'sk', securityToken: 'sts' }],
    });
    const base = { Action: 'GetAuthConfig', Region: 'r', Zone: 'z' };
    expect((await post(emulator, JSON.stringify(sign(base, 'pk', 'sk')))).json['RetCode']).toBe(174);
    expect(
      (await post(emulator, JSON.stringify(sign({ ...base, SecurityToken: 'x' }, 'pk', 'sk')))).json[
        'RetCode'
      ],
    ).toBe(174);
    expect(
      (await post(emulator, JSON.stringify(sign({ ...base, SecurityToken: 'sts' }, 'pk', 'sk')))).json[
        'RetCode'
      ],
    ).toBe(0);
  });

  it('answers 292 for an unknown project when projects are configured', async () => {
    emulator = await startUcloudEmulator({ projects: ['org-a'] });
    expect((await call(emulator, { ProjectId: 'org-a' })).json['RetCode']).toBe(0);
    expect((await call(emulator, { ProjectId: 'org-b' })).json).toMatchObject({ RetCode: 292 });
  });

  it('plays service faults once each, in order', async () => {
    emulator = await startUcloudEmulator();
    emulator.serviceFaults.push(
      { kind: 'retCode', retCode: 150 },
      { kind: 'retCode', retCode: 153, message: 'slow down' },
      { kind: 'retCodeAsString' },
      { kind: 'malformedJson' },
      { kind: 'omitAuthConfigs' },
      { kind: 'omitKeys' },
    );
    expect((await call(emulator, {})).json).toMatchObject({ RetCode: 150 });
    expect((await call(emulator, {})).json).toMatchObject({ RetCode: 153, Message: 'slow down' });
    expect((await call(emulator, {})).json).toMatchObject({
      RetCode: '0',
      AuthConfigs: emulator.authConfigs,
    });
    const malformed = await call(emulator, {});
    expect(malformed.response.status).toBe(200);
    expect(() => JSON.parse(malformed.response.body.toString())).toThrow();
    expect((await call(emulator, {})).json).toEqual({ Action: 'GetAuthConfigResponse', RetCode: 0 });
    const noKeys = (await call(emulator, {})).json['AuthConfigs'] as Array<{ Config: object[] }>;
    expect(noKeys[0]?.Config[0]).toEqual({ Type: emulator.authConfigs[0]?.Config[0]?.Type });
    expect((await call(emulator, {})).json['RetCode']).toBe(0);
  });

  it('uses the base transport faults (502, 429 with Retry-After, reset)', async () => {
    emulator = await startUcloudEmulator();
    emulator.faults.push(
      { kind: 'status', status: 502 },
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'reset' },
    );
    expect((await call(emulator, {})).response.status).toBe(502);
    const limited = await call(emulator, {});
    expect(limited.response.status).toBe(429);
    expect(limited.response.header('retry-after')).toBe('1');
    await expect(call(emulator, {})).rejects.toThrow();
    expect((await call(emulator, {})).json['RetCode']).toBe(0);
  });

  it('throttles with RetCode 153 beyond the rate limit burst', async () => {
    emulator = await startUcloudEmulator({ rateLimit: { burst: 2, refillPerSecond: 0.001 } });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await call(emulator, {})).json['RetCode']);
    expect(codes).toEqual([0, 0, 153]);
  });

  it('serves TLS with the given certificate', async () => {
    const ca = createTestCa();
    emulator = await startUcloudEmulator({ tls: ca.issue(['127.0.0.1']) });
    expect(emulator.url).toMatch(/^https:/);
    const secure = createHttpTransport({ userAgent: 'emulator-test', ca: ca.certPem });
    const body = JSON.stringify(
      sign({ Action: 'GetAuthConfig', Region: 'r', Zone: 'z' }, emulator.publicKey, emulator.privateKey),
    );
    const response = await secure(
      { method: 'POST', url: `${emulator.url}/`, headers: { 'content-type': 'application/json' }, body },
      { timeoutMs: 5000 },
    );
    expect(JSON.parse(response.body.toString())).toMatchObject({ RetCode: 0 });
  });

  it('serves a large account: answers under and over 1 MiB, six distinct secrets per domain', async () => {
    // The hostile suite relies on both sizes: 2,500 domains fit the actions’ 1 MiB cap, 4,000 do not.
    const small = manyAuthConfigs(2500);
    const large = manyAuthConfigs(4000);
    expect(JSON.stringify(small).length).toBeLessThan(1024 * 1024);
    expect(JSON.stringify(large).length).toBeGreaterThan(1024 * 1024);
    emulator = await startUcloudEmulator({ authConfigs: small });
    expect(emulator.secrets).toHaveLength(15000);
    const { json } = await call(emulator, { Domain: 'd2499.example.com' });
    expect(json['AuthConfigs']).toEqual([small[2499]]);
  });

  it('exposes the parameters of recorded requests', async () => {
    emulator = await startUcloudEmulator();
    await call(emulator, { Domain: 'x.example.com' });
    expect(paramsOf(emulator.requests[0]!)).toMatchObject({
      Action: 'GetAuthConfig',
      Domain: 'x.example.com',
    });
  });
});
