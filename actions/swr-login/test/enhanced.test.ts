// CreateAuthorizationToken ("enhanced", docs/specs/swr.md §11) through core's real HTTP transport against the
// SWR emulator: CreateSecret's answer, read by CreateSecret's reader, with its own refusals.
import { createHttpTransport, type SendOptions, setMaskFunction } from '@cloudcreds/core';
import { type SwrEmulator, type SwrEmulatorOptions, startSwrEmulator } from '@cloudcreds/emulators/swr';
import { rejectedServiceError } from '@cloudcreds/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizationMessageDebugLine } from '../src/authorization-message.ts';
import { createAuthorizationToken, createAuthorizationTokenRequest } from '../src/enhanced.ts';
import type { Credentials } from '../src/swr.ts';

const transport = createHttpTransport({ userAgent: 'enhanced-test' });
const sendOptions: SendOptions = {
  transport,
  maxAttempts: 3,
  timeoutMs: 5000,
  backoff: { baseMs: 1, maxMs: 2 },
};
const BOTH_PERMISSIONS = 'grant swr::createAuthorizationToken and sts::createServiceBearerToken';

let masks: string[];
let emulator: SwrEmulator | undefined;
beforeEach(() => {
  masks = [];
  setMaskFunction((value) => masks.push(value));
});
afterEach(async () => {
  setMaskFunction(() => {});
  await emulator?.close();
  emulator = undefined;
});

async function start(options: SwrEmulatorOptions = {}): Promise<SwrEmulator> {
  emulator = await startSwrEmulator({ registry: '127.0.0.1:5000', ...options });
  return emulator;
}

const login = (server: SwrEmulator, credentials: Credentials, options: SendOptions = sendOptions) =>
  createAuthorizationToken({ endpoint: new URL(server.url), credentials }, options);

describe('CreateAuthorizationToken request', () => {
  it('is a signed POST without query or body', () => {
    const request = createAuthorizationTokenRequest(
      {
        endpoint: new URL('https://swr-api.cn-north-4.myhuaweicloud.com'),
        credentials: { kind: 'access-key', accessKeyId: 'AK', secretAccessKey: 'SK' },
      },
      Date.UTC(2026, 2, 18, 7, 47, 21),
    );
    expect(request.method).toBe('POST');
    expect(request.url).toBe(
      'https://swr-api.cn-north-4.myhuaweicloud.com/v2/manage/utils/authorizationtoken',
    );
    expect(request.body).toBeUndefined();
    expect(request.headers?.['Authorization']).toMatch(
      /^SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('sends X-Project-Id, signed, when given', () => {
    const request = createAuthorizationTokenRequest(
      {
        endpoint: new URL('http://127.0.0.1:1'),
        projectId: 'p1',
        credentials: { kind: 'access-key', accessKeyId: 'AK', secretAccessKey: 'SK' },
      },
      0,
    );
    expect(request.headers?.['X-Project-Id']).toBe('p1');
    expect(request.headers?.['Authorization']).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date,',
    );
  });
});

describe('CreateAuthorizationToken against the emulator', () => {
  it('returns the bearertoken@ login with the lower-case x-swr-expireat, for every credential route, masked', async () => {
    // The documented example expiry: issued 24 h before it, on both clocks.
    const issuedAt = Date.UTC(2024, 11, 25, 11, 22, 50, 769);
    const server = await start({ now: () => issuedAt });
    const clock = { now: () => issuedAt, sleep: async () => {} };
    const routes: Array<[string, Credentials]> = [
      ['access key', { kind: 'access-key', ...server.credentials.permanent }],
      ['temporary access key', { kind: 'access-key', ...server.credentials.temporary }],
      ['IAM token', { kind: 'iam-token', token: server.authToken }],
    ];
    for (const [route, credentials] of routes) {
      const answer = await login(server, credentials, { ...sendOptions, clock });
      const issued = server.issued.at(-1);
      expect(issued?.api).toBe('create-authorization-token');
      expect(answer.logins, route).toEqual([
        { registry: '127.0.0.1:5000', username: issued?.username, password: issued?.password },
      ]);
      expect(answer.logins[0].username).toMatch(/^bearertoken@/);
      expect(answer.expiresAt).toBe('2024-12-26T11:22:50.769Z');
      expect(answer.loginCommand).toBe(
        `docker login -u ${issued?.username} -p ${issued?.password} 127.0.0.1:5000`,
      );
      expect(masks).toEqual(expect.arrayContaining([issued?.password, answer.loginCommand]));
    }
    expect(server.requests.every((request) => request.url === '/v2/manage/utils/authorizationtoken')).toBe(
      true,
    );
  });

  it('names both permissions on 403, keeps the encoded message for the debug line, masks nothing, no retry', async () => {
    const server = await start({ deny: ['swr::createAuthorizationToken'] });
    const error = await rejectedServiceError(login(server, { kind: 'iam-token', token: server.authToken }));
    expect(error.message).toContain('HTTP 403');
    expect(error.message).toContain('SVCSTG.SWR.4030170');
    expect(error.message).toContain(BOTH_PERMISSIONS);
    expect(error.message).toContain("set 'enhanced: false'");
    expect(error.message).not.toContain('swr::createLoginSecret');
    const debugLine = authorizationMessageDebugLine(error) ?? '';
    const encoded = debugLine.slice(debugLine.lastIndexOf(' ') + 1);
    expect(encoded).toMatch(/^EAM/);
    expect(error.message).not.toContain(encoded.slice(0, 40));
    expect(masks).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('names both permissions on 401 after the signature hint', async () => {
    const server = await start();
    const error = await rejectedServiceError(
      login(server, { kind: 'access-key', accessKeyId: server.accessKeyId, secretAccessKey: 'wrong' }),
    );
    expect(error.message).toContain('APIGW.0301');
    expect(error.message).toMatch(
      /check access-key-id, access-key-secret.*grant swr::createAuthorizationToken/,
    );
    expect(authorizationMessageDebugLine(error)).toBeUndefined();
  });

  it('does not blame permissions for a 400, and keeps any encoded message', async () => {
    const server = await start();
    server.swrFaults.push({
      kind: 'swr-error',
      status: 400,
      code: 'SVCSTG.SWR.4000001',
      message: 'bad',
      encodedAuthorizationMessage: true,
    });
    const error = await rejectedServiceError(login(server, { kind: 'iam-token', token: server.authToken }));
    expect(error.message).not.toContain('createAuthorizationToken');
    expect(authorizationMessageDebugLine(error)).toMatch(/EAM/);
  });
});
