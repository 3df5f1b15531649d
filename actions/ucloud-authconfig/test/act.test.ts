// The main step driven in-process: inputs read from an environment, then act() with its own
// dependency bag — the real HTTP transport against the UCloud emulator (which verifies signatures
// with its own code), a logger that remembers, a clock that does not sleep. The bundles themselves
// run end to end in test/ucloud-authconfig.e2e.test.ts and the hostile suite.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpTransport, type Deps, NetworkError, ServiceError } from '@cloudcreds/core';
import {
  manyAuthConfigs,
  paramsOf,
  startUcloudEmulator,
  type UcloudEmulator,
} from '@cloudcreds/emulators/ucloud';
import {
  type FileCommandFiles,
  fakeClock,
  fileCommandFiles,
  parseFileCommands,
  type RecordingLogger,
  recordingLogger,
  recordMasks,
} from '@cloudcreds/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act } from '../src/act.ts';
import { readInputs } from '../src/inputs.ts';
import { run } from '../src/main.ts';
import { TEMPORARY_FILE_STATE } from '../src/output-file.ts';

let emulator: UcloudEmulator;
let workspace: string;
let files: FileCommandFiles;
let masked: string[];
const saved = { ...process.env };
const transport = createHttpTransport({ userAgent: 'ucloud-authconfig-test' });

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'ucloud-act-'));
  files = fileCommandFiles(workspace);
  masked = recordMasks();
});

afterEach(async () => {
  await emulator?.close();
  process.env = { ...saved };
  process.exitCode = undefined;
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'INPUT_PUBLIC-KEY': emulator.publicKey,
    'INPUT_PRIVATE-KEY': emulator.privateKey,
    INPUT_REGION: 'cn-bj2',
    INPUT_ZONE: 'cn-bj2-04',
    'INPUT_BASE-URL': emulator.url,
    'INPUT_MAX-ATTEMPTS': '3',
    INPUT_TIMEOUT: '5',
    GITHUB_WORKSPACE: workspace,
    ...extra,
  };
}

function deps(logger: RecordingLogger = recordingLogger(), clock = fakeClock()): Deps {
  return {
    env: {},
    workingDirectory: workspace,
    transport,
    clock,
    logger,
    exec: async () => {
      throw new Error('ucloud-authconfig runs no tool');
    },
    getIdToken: async () => {
      throw new Error('ucloud-authconfig asks for no ID token');
    },
  };
}

const outputs = () => parseFileCommands(files.read('GITHUB_OUTPUT'));
const state = () => parseFileCommands(files.read('GITHUB_STATE'));
const sentDomains = () => emulator.requests.map((request) => paramsOf(request)?.['Domain']);

describe('act', () => {
  it('fetches every domain in one signed request, masks every key, then publishes and summarises', async () => {
    emulator = await startUcloudEmulator();
    const logger = recordingLogger();
    await act(readInputs(env()), deps(logger));

    expect(emulator.requests).toHaveLength(1);
    expect(sentDomains()).toEqual([undefined]);
    for (const secret of emulator.secrets) expect(masked).toContain(secret);
    expect(JSON.parse(outputs()['auth-configs'] ?? '')).toEqual(emulator.authConfigs);
    expect(outputs()['domains']).toBe(emulator.domains.join(','));
    expect(outputs()).not.toHaveProperty('key');
    expect(outputs()).not.toHaveProperty('skipped');
    expect(logger.at('info')).toEqual(['UCloud returned auth configs for 3 domains; 6 keys selected']);
    const summary = files.read('GITHUB_STEP_SUMMARY');
    expect(summary).toContain('static.example.com');
    expect(summary).toContain('ksc: 2 keys');
    for (const secret of emulator.secrets) expect(summary).not.toContain(secret);
    expect(state()).toEqual({});
  });

  it('asks once for domains that differ only in case, in lower case, and selects key and iv', async () => {
    emulator = await startUcloudEmulator();
    await act(
      readInputs(env({ INPUT_DOMAIN: 'Static.Example.COM, static.example.com', INPUT_TYPE: 'ksc' })),
      deps(),
    );

    expect(sentDomains()).toEqual(['static.example.com']);
    const ksc = emulator.authConfigs[0]?.Config.find((auth) => auth.Type === 'ksc');
    expect(outputs()['key']).toBe(ksc?.Keys[0]?.Key);
    expect(outputs()['iv']).toBe(ksc?.Keys[0]?.Iv);
    expect(JSON.parse(outputs()['keys'] ?? '')).toEqual(
      ksc?.Keys.map((pair) => ({ key: pair.Key, iv: pair.Iv })),
    );
  });

  it('writes output-file 0600 after saving where its temporary file will be, and leaves no temporary file', async () => {
    emulator = await startUcloudEmulator();
    await act(readInputs(env({ 'INPUT_OUTPUT-FILE': 'out/ucdn.json' })), deps());

    const path = join(workspace, 'out', 'ucdn.json');
    expect(outputs()['file']).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(outputs()['auth-configs']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(workspace, 'out'))).toEqual(['ucdn.json']);
    const temporary = state()[TEMPORARY_FILE_STATE] ?? '';
    expect(temporary).toMatch(/\/out\/\.ucdn\.json\.[0-9a-f-]{36}\.tmp$/);
    expect(existsSync(temporary)).toBe(false);
  });

  it('retries RetCode 153 after the throttle floor, in the log, on a clock that does not sleep', async () => {
    emulator = await startUcloudEmulator();
    emulator.serviceFaults.push({ kind: 'retCode', retCode: 153, message: 'Request throttled' });
    const logger = recordingLogger();
    const clock = fakeClock();
    await act(readInputs(env()), deps(logger, clock));

    expect(emulator.requests).toHaveLength(2);
    expect(clock.slept).toHaveLength(1);
    expect(clock.slept[0]).toBeGreaterThanOrEqual(2000);
    expect(logger.at('info')[0]).toMatch(
      /^Attempt 1 of 3 failed \(RetCode 153: request throttled\); retrying in/,
    );
  });

  it('tells the debug log what it sends and what came back, never the signature', async () => {
    emulator = await startUcloudEmulator();
    const logger = recordingLogger(true);
    await act(readInputs(env({ INPUT_DOMAIN: 'video.example.com' })), deps(logger));

    const signature =
      paramsOf(emulator.requests[0] ?? { headers: {}, body: Buffer.from('') })?.['Signature'] ?? '';
    expect(signature).toMatch(/^[0-9a-f]{40}$/);
    expect(masked).toContain(signature);
    expect(logger.at('debug')[0]).toBe(
      `POST ${emulator.url}/ GetAuthConfig Domain=video.example.com; signed parameters: Action, Region, Zone, Domain, PublicKey, Signature`,
    );
    expect(logger.at('debug')[1]).toMatch(/^GetAuthConfig answered HTTP 200 \(request id [0-9a-f-]{36}\)$/);
    expect(logger.at('debug').join('\n')).not.toContain(signature);
  });

  it('fails on a wrong private key with RetCode 171 after one request, publishing and writing nothing', async () => {
    emulator = await startUcloudEmulator();
    const inputs = readInputs(
      env({ 'INPUT_PRIVATE-KEY': 'not-the-private-key', 'INPUT_OUTPUT-FILE': 'k.json' }),
    );
    const failure = await act(inputs, deps()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).failure).toMatchObject({
      service: 'UCloud',
      host: new URL(emulator.url).host,
      code: '171',
      codeLabel: 'RetCode',
      message: 'Signature VerifyAC Error',
    });
    expect((failure as ServiceError).failure.status).toBeUndefined();
    expect((failure as ServiceError).failure.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.requests).toHaveLength(1);
    expect(outputs()).toEqual({});
    expect(state()).toEqual({});
    expect(existsSync(join(workspace, 'k.json'))).toBe(false);
  });

  it('masks each distinct key of a 2,500-domain answer once, however often it is met', async () => {
    emulator = await startUcloudEmulator({ authConfigs: manyAuthConfigs(2500) });
    await act(readInputs(env()), deps());

    expect(emulator.secrets).toHaveLength(15000);
    const registered = new Set(masked);
    expect(emulator.secrets.filter((secret) => !registered.has(secret))).toEqual([]);
    expect(registered.size).toBe(masked.length);
  });

  it('an all-domains answer over the size cap fails naming domain; asking for domains then works', async () => {
    emulator = await startUcloudEmulator({ authConfigs: manyAuthConfigs(4000) });
    const failure = await act(readInputs(env()), deps()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkError);
    expect((failure as Error).message).toMatch(
      /^127\.0\.0\.1:\d+ sent an answer larger than 1024 kB; it was not read\. The answer for all domains is too large: name the domains the workflow needs in 'domain' \(one request each\)$/,
    );
    expect(emulator.requests).toHaveLength(1);
    expect(outputs()).toEqual({});

    await act(readInputs(env({ INPUT_DOMAIN: 'd17.example.com, d3711.example.com' })), deps());
    expect(outputs()['domains']).toBe('d17.example.com,d3711.example.com');
  });
});

describe('run (main.ts)', () => {
  it('with if-no-credentials: skip and no credential, sets skipped and sends nothing', async () => {
    emulator = await startUcloudEmulator();
    const { 'INPUT_PUBLIC-KEY': _public, 'INPUT_PRIVATE-KEY': _private, ...rest } = env();
    await run({ ...rest, ...files.paths, 'INPUT_IF-NO-CREDENTIALS': 'skip' });

    expect(process.exitCode).toBeUndefined();
    expect(outputs()).toEqual({ skipped: 'true' });
    expect(emulator.requests).toHaveLength(0);
  });

  it('with skip but half a key pair, still fails before any request', async () => {
    emulator = await startUcloudEmulator();
    const { 'INPUT_PRIVATE-KEY': _private, ...rest } = env();
    await run({ ...rest, ...files.paths, 'INPUT_IF-NO-CREDENTIALS': 'skip' });

    expect(process.exitCode).toBe(1);
    expect(outputs()).toEqual({});
    expect(emulator.requests).toHaveLength(0);
  });
});
