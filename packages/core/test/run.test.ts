import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, failureMessage, NetworkError, ServiceError, SUITE_VERSION } from '../src/index.ts';

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
      'SWR answered HTTP 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail (request id abc). Check the SK',
    );
  });

  it('keeps configuration and network messages and folds anything unexpected onto one line', () => {
    expect(failureMessage(new ConfigError("Input 'region' is required"))).toBe("Input 'region' is required");
    expect(failureMessage(new NetworkError('x refused the connection', { retryable: true }))).toBe(
      'x refused the connection',
    );
    expect(failureMessage(new TypeError('boom\nat line'))).toBe('Unexpected failure: boom at line');
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
