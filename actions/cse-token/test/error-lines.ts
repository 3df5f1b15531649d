// One rendered failure line per error template cse-token can produce, for the suite's error-voice
// test (test/error-voice.test.ts). Every line comes from driving the real code — the input reader
// with bad inputs, the answer reader with crafted answers, the login loop with the real transport
// against loopback endpoints that refuse, black-hole, hang or present an untrusted certificate —
// and is rendered as runMain renders it, never copied.
import { createHttpTransport, responseOf, setMaskFunction } from '@cloudcreds/core';
import { startBlackHoleNode, startServiceCenterEmulator } from '@cloudcreds/emulators/service-center';
import { createTestCa } from '@cloudcreds/emulators/tls';
import { closedPort, type ErrorLine, instantClock, recordingLogger, rendered } from '@cloudcreds/harness';
import { tokenFromResponse } from '../src/client.ts';
import { readInputs } from '../src/inputs.ts';
import { login } from '../src/login.ts';

const inputs = {
  INPUT_ENDPOINT: 'https://10.0.0.5:30100',
  INPUT_USERNAME: 'ci',
  INPUT_PASSWORD: 'error-lines-password',
};
const badInput = (template: string, env: Record<string, string>) =>
  rendered(template, () => readInputs({ ...inputs, ...env }));

const endpoint = new URL('https://10.0.0.5:30100');
const answer = (status: number, body: string | Buffer, headers: Record<string, string> = {}) =>
  responseOf(
    status,
    { 'content-type': 'application/json; charset=UTF-8', 'x-request-id': 'f3a1c2', ...headers },
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  );
const badAnswer = (
  template: string,
  status: number,
  body: string | Buffer,
  headers?: Record<string, string>,
) => rendered(template, () => tokenFromResponse(answer(status, body, headers), endpoint));

const silent = recordingLogger();
const noSleep = instantClock();
const transport = createHttpTransport({ userAgent: 'cse-token-error-lines' });

/**
 * The login loop over `urls` with the real transport; limits small so the lines come fast. The
 * endpoints are named `localhost` (loopback) so the lines read as they do for an engine with a
 * host name; with an IP address they start with the address.
 */
const loginAt = (template: string, urls: string[], maxAttempts: number, timeoutMs = 200) =>
  rendered(template, () =>
    login(
      urls.map((url) => Object.assign(new URL(url), { hostname: 'localhost' })),
      { username: 'ci', password: 'error-lines-password' },
      { maxAttempts, timeoutMs },
      { transport, clock: noSleep, logger: silent },
    ),
  );

const refusingUrl = async (): Promise<string> => `http://127.0.0.1:${await closedPort()}`;

export async function errorLines(): Promise<ErrorLine[]> {
  // The lines are what matters here, not the masks the input reader registers on the way.
  setMaskFunction(() => {});
  const lines: ErrorLine[] = [
    await badInput('input: password missing', { INPUT_PASSWORD: '' }),
    await badInput('input: endpoint missing', { INPUT_ENDPOINT: '' }),
    await badInput('input: endpoint not a URL', { INPUT_ENDPOINT: '10.0.0.5:30100' }),
    await badInput('input: token-expiration out of range', { 'INPUT_TOKEN-EXPIRATION': '25h' }),
    await badInput('input: token-expiration not a Go duration', { 'INPUT_TOKEN-EXPIRATION': '1d' }),
    await badInput('input: env-prefix', { 'INPUT_ENV-PREFIX': 'GITHUB' }),
    await badInput('input: ca-cert unreadable', { 'INPUT_CA-CERT': '/no/such/ca.pem' }),
    await badInput('input: ca-cert too large', { 'INPUT_CA-CERT': '/dev/zero' }),
    await badInput('input: ca-cert without a certificate', { 'INPUT_CA-CERT': '-----BEGIN nothing' }),
    await badInput('input: ca-cert with a private key', {
      'INPUT_CA-CERT': createTestCa('error lines').issue(['x.test']).key,
    }),
    await badInput('input: ca-cert not X.509', {
      'INPUT_CA-CERT': '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----',
    }),

    await badAnswer(
      'answer: 401 wrong credentials',
      401,
      '{"errorCode":"401202","errorMessage":"User name or password is wrong"}',
    ),
    await badAnswer(
      'answer: 403 account blocked',
      403,
      '{"errorCode":"403201","errorMessage":"Account blocked"}',
    ),
    await badAnswer(
      'answer: front-layer attempt limit',
      403,
      '{"error_code":"SVCSTG.00300401","error_message":"exceed times"}',
    ),
    await badAnswer('answer: other 403', 403, '{"errorCode":"403205","errorMessage":"No permission(s)"}'),
    await badAnswer('answer: 404 RBAC off', 404, '404 page not found\n', { 'content-type': 'text/plain' }),
    await badAnswer('answer: 405', 405, 'Method Not Allowed', { 'content-type': 'text/plain' }),
    await badAnswer(
      'answer: 400 invalid parameter',
      400,
      '{"errorCode":"400001","errorMessage":"Invalid parameter(s)","detail":"field \'Account.TokenExpirationTime\' invalid"}',
    ),
    await badAnswer('answer: 500', 500, '{"errorCode":"500003","errorMessage":"Internal server error"}'),
    await badAnswer('answer: 502 from a gateway', 502, '<html>502 Bad Gateway</html>', {
      'content-type': 'text/html',
    }),
    await badAnswer(
      'answer: hostile error code and message',
      503,
      '{"errorCode":"5\\n::error::x","errorMessage":"##[error]y"}',
    ),
    await badAnswer('answer: 201', 201, '{"token":"a.b.c"}'),
    await badAnswer('answer: 200 not JSON', 200, '<html>proxy login</html>', { 'content-type': 'text/html' }),
    await badAnswer('answer: 200 empty', 200, ''),
    await badAnswer('answer: 200 not UTF-8', 200, Buffer.from([0x7b, 0xff, 0x7d])),
    await badAnswer('answer: 200 without a token', 200, '{"tokens":[]}'),
    await badAnswer('answer: 200 token too long', 200, JSON.stringify({ token: 'x'.repeat(20_000) })),
    await badAnswer('answer: 200 token with control characters', 200, '{"token":"a\\nb"}'),
  ];

  const engine = await startServiceCenterEmulator({ tls: false });
  const untrusted = await startServiceCenterEmulator({
    tls: createTestCa('nobody trusts').issue(['127.0.0.1']),
  });
  const hole = await startBlackHoleNode();
  const secondHole = await startBlackHoleNode();
  try {
    const refused = await refusingUrl();
    const refusedMany = await Promise.all(Array.from({ length: 12 }, refusingUrl));
    lines.push(
      await loginAt('network: refused, after retries', [refused], 2),
      await loginAt('network: no connection within the timeout', [hole.url], 1),
      await loginAt('network: untrusted certificate', [untrusted.url], 3),
      await loginAt('network: every endpoint down', [refused, hole.url], 1),
      await loginAt('network: attempts in all spent', refusedMany, 1),
      await loginAt('network: time in all spent', [hole.url, secondHole.url, refused], 1),
    );
    engine.faults.push({ kind: 'hang' }, { kind: 'hang' });
    lines.push(await loginAt('network: stopped for the lockout', [engine.url], 3));
    engine.faults.push({
      kind: 'status',
      status: 429,
      body: '{"errorCode":"429001","errorMessage":"Too many requests"}',
      headers: { 'retry-after': '60' },
    });
    lines.push(await loginAt('answer: retry did not fit in the time', [engine.url], 3));
    engine.faults.push({ kind: 'status', status: 503, body: '{"errorCode":"503001","errorMessage":"busy"}' });
    lines.push(await loginAt('answer: after endpoints passed over', [refused, engine.url], 1));
  } finally {
    await Promise.all([engine.close(), untrusted.close(), hole.close(), secondHole.close()]);
  }
  return lines;
}
