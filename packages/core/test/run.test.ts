import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  failureMessage,
  NetworkError,
  runMain,
  runPost,
  ServiceError,
  SUITE_VERSION,
  ToolError,
} from '../src/index.ts';

describe('failure messages', () => {
  it('renders a service failure with status, code, message, request id and hint on one line', () => {
    const error = new ServiceError({
      service: 'SWR',
      status: 401,
      code: 'APIGW.0301',
      message: 'Incorrect IAM authentication information:\nverify aksk signature fail',
      requestId: 'abc',
      hint: 'Check the SK',
    });
    expect(failureMessage(error)).toBe(
      'SWR answered HTTP 401 with error code APIGW.0301: "Incorrect IAM authentication information: verify aksk signature fail" (request id abc). Check the SK.',
    );
  });

  it('names the host, a code label and a problem with an answer the service did not mark as failed', () => {
    const error = new ServiceError({
      service: 'service-center',
      host: '10.0.0.5:30100',
      status: 200,
      problem: 'the body is not valid JSON',
    });
    expect(failureMessage(error)).toBe(
      'service-center (10.0.0.5:30100) answered HTTP 200, but the body is not valid JSON.',
    );
    const ucloud = new ServiceError({
      service: 'UCloud',
      host: 'api.ucloud.cn',
      code: '171',
      codeLabel: 'RetCode',
      message: 'Signature VerifyAC Error',
      requestId: 'r-1',
      hint: 'Check private-key.',
    });
    expect(failureMessage(ucloud)).toBe(
      'UCloud (api.ucloud.cn) answered with RetCode 171: "Signature VerifyAC Error" (request id r-1). Check private-key.',
    );
  });

  it('makes every field that came from the network inert: no workflow command, no control character', () => {
    const error = new ServiceError({
      service: 'SWR',
      status: 400,
      code: '::error::x',
      message: 'line one\n::warning::forged ##[error]forged\u0007',
      requestId: '##[group]r',
    });
    const line = failureMessage(error);
    expect(line).not.toMatch(/::(error|warning)::|##\[/);
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(line.replace(/\u200b/g, '')).toContain('line one ::warning::forged ##[error]forged');
  });

  it('renders a tool failure as its own sentence', () => {
    const error = new ToolError('docker', 1, 'docker login to r.example failed with exit code 1: denied');
    expect(error.name).toBe('ToolError');
    expect(error.exitCode).toBe(1);
    expect(failureMessage(error)).toBe('docker login to r.example failed with exit code 1: denied.');
  });

  it('keeps configuration and network messages and folds anything unexpected onto one line', () => {
    expect(failureMessage(new ConfigError("Input 'region' is required"))).toBe("Input 'region' is required.");
    expect(failureMessage(new NetworkError('x refused the connection', { retryable: true }))).toBe(
      'x refused the connection.',
    );
    expect(failureMessage(new TypeError('boom\nat line'))).toBe('Unexpected failure: boom at line.');
  });

  it('bounds very long messages', () => {
    expect(failureMessage(new ConfigError('x'.repeat(5000))).length).toBe(1000);
  });
});

describe('version', () => {
  it('matches the root package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(SUITE_VERSION).toBe(pkg.version);
  });
});

describe('entry wrappers', () => {
  let written: string[] = [];
  const stdout = (): string[] => written.join('').split('\n').filter(Boolean);
  const capture = (): void => {
    written = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  };
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = undefined;
  });

  it('turns a failure into exit code 1 and exactly one ::error:: line, without the stack', async () => {
    capture();
    await runMain(async () => {
      throw new ConfigError("Input 'region' is required\nsecond line");
    });
    expect(process.exitCode).toBe(1);
    expect(stdout()).toEqual(["::error::Input 'region' is required second line."]);
  });

  it('adds the stack as a ::debug:: line only with step debug on', async () => {
    vi.stubEnv('RUNNER_DEBUG', '1');
    capture();
    await runMain(async () => {
      throw new TypeError('boom');
    });
    const lines = stdout();
    expect(lines.filter((line) => line.startsWith('::error::'))).toEqual([
      '::error::Unexpected failure: boom.',
    ]);
    expect(lines[1]).toMatch(/^::debug::TypeError: boom%0A {4}at /);
    expect(lines).toHaveLength(2);
  });

  it('leaves a step that succeeds alone', async () => {
    capture();
    await runMain(async () => {});
    expect(process.exitCode).toBeUndefined();
    expect(written).toEqual([]);
  });

  it('turns a post-step failure into one warning, never a failed job', async () => {
    capture();
    await runPost(async () => {
      throw new NetworkError('registry reset the connection', { retryable: true });
    });
    expect(process.exitCode).toBeUndefined();
    expect(stdout()).toEqual(['::warning::registry reset the connection.']);
  });
});
