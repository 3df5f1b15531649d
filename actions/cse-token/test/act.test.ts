// The whole main step in-process: inputs read as the runner passes them, the real HTTP transport
// (with the TLS trust defaultDeps builds from the inputs) against the service-center emulator,
// a logger that remembers, a clock that does not sleep. The bundle itself is tested end to end in
// test/cse-token.e2e.test.ts.
import type { Deps } from '@cloudcreds/core';
import {
  type BlackHoleNode,
  type ServiceCenterEmulator,
  serviceCenterFaults,
  startBlackHoleNode,
  startServiceCenterEmulator,
} from '@cloudcreds/emulators/service-center';
import {
  type FileCommandFiles,
  fileCommandFiles,
  instantClock,
  parseFileCommands,
  type RecordingLogger,
  recordingLogger,
  recordMasks,
} from '@cloudcreds/harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act, defaultDeps } from '../src/act.ts';
import { readInputs } from '../src/inputs.ts';

const username = 'ci-act';
const password = 'act-test-password-0123';
let sc: ServiceCenterEmulator;
let files: FileCommandFiles;
let logger: RecordingLogger;
let masked: string[];
const saved = { ...process.env };

const clock = instantClock();

beforeAll(async () => {
  sc = await startServiceCenterEmulator({ accounts: { [username]: { password, roles: ['developer'] } } });
});
afterAll(() => sc.close());

beforeEach(() => {
  files = fileCommandFiles();
  logger = recordingLogger();
  masked = recordMasks();
  sc.requests.length = 0;
  sc.faults.length = 0;
});
afterEach(() => {
  process.env = { ...saved };
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    INPUT_ENDPOINT: sc.url,
    INPUT_USERNAME: username,
    INPUT_PASSWORD: password,
    'INPUT_CA-CERT': sc.ca!.certPem,
    'INPUT_MAX-ATTEMPTS': '3',
    INPUT_TIMEOUT: '5',
    'INPUT_EXPORT-ENV': 'true',
    'INPUT_ENV-PREFIX': 'CSE',
    ...extra,
  };
}

/** The step as main.ts runs it, with the test's logger and clock in the runner's deps. */
async function runStep(extra: Record<string, string> = {}): Promise<void> {
  const stepEnv = env(extra);
  const inputs = readInputs(stepEnv);
  const deps: Deps = { ...defaultDeps(inputs, stepEnv), logger, clock };
  await act(inputs, deps);
}

const outputs = () => parseFileCommands(files.read('GITHUB_OUTPUT'));
const exported = () => parseFileCommands(files.read('GITHUB_ENV'));

function expectNothingPublished(): void {
  expect(files.read('GITHUB_OUTPUT')).toBe('');
  expect(files.read('GITHUB_ENV')).toBe('');
  expect(files.read('GITHUB_STEP_SUMMARY')).toBe('');
}

describe('cse-token main step, in-process', () => {
  it('logs in over HTTPS trusting ca-cert, masks the token forms, then publishes outputs, exports and summary', async () => {
    await runStep({ 'INPUT_TOKEN-EXPIRATION': '2h' });
    expect(sc.requests).toHaveLength(1);
    expect(JSON.parse(sc.requests[0]!.body.toString())).toEqual({
      name: username,
      password,
      tokenExpirationTime: '2h',
    });
    const token = outputs()['token']!;
    expect(token.split('.')).toHaveLength(3);
    expect(masked).toEqual(expect.arrayContaining([password, token, `Bearer ${token}`]));
    expect(outputs()).toEqual({
      token,
      authorization: `Bearer ${token}`,
      'expires-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      account: username,
      roles: 'developer',
      endpoint: sc.url,
    });
    expect(exported()).toEqual({
      CSE_TOKEN: token,
      CSE_AUTHORIZATION: `Bearer ${token}`,
      CSE_TOKEN_EXPIRES_AT: outputs()['expires-at'],
      CSE_ENDPOINT: sc.url,
    });
    const summary = files.read('GITHUB_STEP_SUMMARY');
    expect(summary).toContain(username);
    expect(summary).not.toContain(token);
    expect(logger.lines).toEqual([]);
  });

  it('sends a wrong password once and publishes nothing', async () => {
    await expect(runStep({ INPUT_PASSWORD: 'wrong-password-0123' })).rejects.toThrow(
      /^service-center \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code 401202: "User name or password is wrong"\. The account name or password is wrong/,
    );
    expect(sc.requests).toHaveLength(1);
    expectNothingPublished();
  });

  it('retries a 500 without sleeping the test, naming host, status and error code in the retry line', async () => {
    sc.faults.push(serviceCenterFaults.internalError());
    await runStep();
    expect(sc.requests).toHaveLength(2);
    expect(logger.lines).toEqual([
      [
        'info',
        expect.stringMatching(
          /^Attempt 1 of 3 failed \(127\.0\.0\.1:\d+ answered HTTP 500 with error code 500003\); retrying in 0\.[2-5] s$/,
        ),
      ],
    ]);
  });

  it('refuses a token over 16 KiB and says so, publishing nothing', async () => {
    sc.faults.push({ kind: 'status', status: 200, body: JSON.stringify({ token: 'x'.repeat(20_000) }) });
    await expect(runStep()).rejects.toThrow(
      /answered HTTP 200, but the token is 20000 characters long, more than the 16384 this action accepts/,
    );
    expectNothingPublished();
  });

  it('warns once about insecure-skip-tls-verify and about a token that will not outlive the hour', async () => {
    await runStep({
      'INPUT_CA-CERT': '',
      'INPUT_INSECURE-SKIP-TLS-VERIFY': 'true',
      'INPUT_TOKEN-EXPIRATION': '15m',
    });
    expect(logger.lines).toEqual([
      [
        'warning',
        expect.stringMatching(
          /^Input 'insecure-skip-tls-verify' is true: the engine's TLS certificate is NOT verified/,
        ),
      ],
      ['warning', expect.stringMatching(/^The token expires within the hour/)],
    ]);
  });

  describe('with an endpoint that is down before the engine', () => {
    let hole: BlackHoleNode;
    beforeAll(async () => {
      hole = await startBlackHoleNode();
    });
    afterAll(() => hole.close());

    it('leaves a black-holed endpoint after one connect timeout, logs in at the next, and warns once', async () => {
      await runStep({ INPUT_ENDPOINT: `${hole.url},${sc.url}`, INPUT_TIMEOUT: '1' });
      expect(outputs()['endpoint']).toBe(sc.url);
      expect(sc.requests).toHaveLength(1);
      expect(logger.lines).toEqual([
        [
          'warning',
          `Input 'endpoint' uses plain http:// for 127.0.0.1:${hole.port}: credentials and tokens travel unencrypted`,
        ],
        [
          'info',
          `127.0.0.1:${hole.port} did not accept a connection within 1 s; trying the next endpoint, ${new URL(sc.url).host}`,
        ],
        [
          'warning',
          `127.0.0.1:${hole.port} failed before ${new URL(sc.url).host} gave the token; the log says what happened at each`,
        ],
      ]);
    });

    it('says what really happened when every endpoint is black-holed: no connection, nothing sent', async () => {
      await expect(
        runStep({ INPUT_ENDPOINT: hole.url, INPUT_TIMEOUT: '1', 'INPUT_MAX-ATTEMPTS': '2' }),
      ).rejects.toThrow(`127.0.0.1:${hole.port} did not accept a connection within 1 s (after 2 attempts)`);
      expectNothingPublished();
    });
  });
});
