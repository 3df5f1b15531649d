// ucloud-authconfig end to end: the built bundle, run as the runner runs it, against the UCloud
// emulator on loopback.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { paramsOf, startUcloudEmulator, type UcloudEmulator } from '@cloudcreds/emulators/ucloud';
import { findLeaks, NO_LEAKS, type RunResult, runAction } from '@cloudcreds/harness';
import { afterEach, describe, expect, it } from 'vitest';

const action = 'ucloud-authconfig';
let emulator: UcloudEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: Parameters<typeof startUcloudEmulator>[0] = {}): Promise<UcloudEmulator> {
  emulator = await startUcloudEmulator(options);
  return emulator;
}

function run(target: UcloudEmulator, inputs: Record<string, string> = {}, debug = false): Promise<RunResult> {
  return runAction({
    action,
    inputs: {
      'public-key': target.publicKey,
      'private-key': target.privateKey,
      region: 'cn-bj2',
      zone: 'cn-bj2-04',
      'base-url': target.url,
      timeout: '5',
      ...inputs,
    },
    secrets: [target.privateKey, ...target.secrets],
    debug,
    killAfterMs: 30_000,
  });
}

const bodies = (target: UcloudEmulator) => target.requests.map((request) => paramsOf(request) ?? {});

function expectNoLeaks(result: RunResult, target: UcloudEmulator): void {
  expect(findLeaks(result, [target.privateKey, ...target.secrets])).toEqual(NO_LEAKS);
  for (const secret of target.secrets) expect(result.summary).not.toContain(secret);
}

describe('ucloud-authconfig bundle', () => {
  it('fetches every domain in one request, keys from the UCLOUD_* environment', async () => {
    const target = await start();
    const result = await runAction({
      action,
      inputs: { 'base-url': target.url, timeout: '5' },
      env: {
        UCLOUD_PUBLIC_KEY: target.publicKey,
        UCLOUD_PRIVATE_KEY: target.privateKey,
        UCLOUD_REGION: 'cn-bj2',
        UCLOUD_ZONE: 'cn-bj2-04',
      },
      secrets: [target.privateKey, ...target.secrets],
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.outputs['auth-configs'] ?? '')).toEqual(target.authConfigs);
    expect(result.outputs['domains']).toBe(target.domains.join(','));
    const allKeys = target.authConfigs.flatMap((c) =>
      c.Config.flatMap((a) => a.Keys.map((k) => ({ key: k.Key, iv: k.Iv }))),
    );
    expect(JSON.parse(result.outputs['keys'] ?? '')).toEqual(allKeys);
    expect(result.outputs).not.toHaveProperty('key');
    expect(result.outputs).not.toHaveProperty('file');
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]?.method).toBe('POST');
    expect(target.requests[0]?.url).toBe('/');
    expect(target.requests[0]?.headers['content-type']).toBe('application/json');
    expect(target.requests[0]?.headers).not.toHaveProperty('channel-key');
    expect(bodies(target)[0]).not.toHaveProperty('Domain');
    expect(bodies(target)[0]).not.toHaveProperty('ProjectId');
    // Every key and iv was registered before the outputs were written.
    for (const secret of target.secrets) expect(result.log.masks).toContain(secret);
    for (const domain of target.domains) expect(result.summary).toContain(domain);
    expect(result.summary).toContain('ksc: 2 keys');
    expectNoLeaks(result, target);
  });

  it('domain + type → key, iv and keys of that selection', async () => {
    const target = await start();
    const result = await run(target, { domain: 'static.example.com', type: 'ksc', 'project-id': 'org-demo' });
    expect(result.errors).toEqual([]);
    const ksc = target.authConfigs[0]?.Config.find((auth) => auth.Type === 'ksc');
    expect(result.outputs['key']).toBe(ksc?.Keys[0]?.Key);
    expect(result.outputs['iv']).toBe(ksc?.Keys[0]?.Iv);
    expect(JSON.parse(result.outputs['keys'] ?? '')).toEqual(
      ksc?.Keys.map((k) => ({ key: k.Key, iv: k.Iv })),
    );
    expect(result.outputs['domains']).toBe('static.example.com');
    expect(bodies(target)).toEqual([
      expect.objectContaining({ Domain: 'static.example.com', ProjectId: 'org-demo' }),
    ]);
    expectNoLeaks(result, target);
  });

  it('several domains → one request each, merged in the order asked', async () => {
    const target = await start();
    const result = await run(target, { domain: 'img.example.com\nstatic.example.com', type: 'pkey' });
    expect(result.errors).toEqual([]);
    expect(bodies(target).map((body) => body['Domain'])).toEqual(['img.example.com', 'static.example.com']);
    const configs = JSON.parse(result.outputs['auth-configs'] ?? '') as Array<{ Domain: string }>;
    expect(configs.map((config) => config.Domain)).toEqual(['img.example.com', 'static.example.com']);
    expect(result.outputs['domains']).toBe('img.example.com,static.example.com');
    expect(JSON.parse(result.outputs['keys'] ?? '')).toHaveLength(2);
    expect(result.outputs).not.toHaveProperty('key');
    expectNoLeaks(result, target);
  });

  it('writes output-file (relative to the workspace) with the auth-configs JSON and mode 0600', async () => {
    const target = await start();
    const result = await run(target, { 'output-file': 'secrets/ucdn.json' });
    expect(result.errors).toEqual([]);
    const path = join(result.workspace.root, 'secrets', 'ucdn.json');
    expect(result.outputs['file']).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(result.outputs['auth-configs']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(result.workspace.root, 'secrets'))).toEqual(['ucdn.json']);
    expect(result.summary).toContain(path);
    expectNoLeaks(result, target);
  });

  it('wrong private key → RetCode 171 named with message, request id and hint, one request, no outputs, no file', async () => {
    const target = await start();
    const result = await run(target, { 'private-key': 'not-the-private-key', 'output-file': 'keys.json' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^UCloud \(127\.0\.0\.1:\d+\) answered with RetCode 171: "Signature VerifyAC Error" \(request id [0-9a-f-]{36}\)\. Check that 'private-key' belongs to 'public-key'.*'channel-key'\.$/,
    );
    expect(target.requests).toHaveLength(1);
    expect(result.outputs).toEqual({});
    expect(result.exported).toEqual({});
    expect(existsSync(join(result.workspace.root, 'keys.json'))).toBe(false);
    expect(findLeaks(result, ['not-the-private-key'])).toEqual(NO_LEAKS);
  });

  it('RetCode 153 then success: retried after a longer pause', async () => {
    const target = await start();
    target.serviceFaults.push({ kind: 'retCode', retCode: 153, message: 'Request throttled' });
    const result = await run(target);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(target.requests).toHaveLength(2);
    expect(result.log.text).toMatch(
      /Attempt 1 of 3 failed \(RetCode 153: request throttled\); retrying in [2-9]\.\d s/,
    );
    const gap = (target.requests[1]?.receivedAt ?? 0) - (target.requests[0]?.receivedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(JSON.parse(result.outputs['auth-configs'] ?? '')).toEqual(target.authConfigs);
  });

  it('HTTP 502 then success', async () => {
    const target = await start();
    target.faults.push({ kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
    const result = await run(target);
    expect(result.errors).toEqual([]);
    expect(target.requests).toHaveLength(2);
    expect(result.log.text).toContain('Attempt 1 of 3 failed (HTTP 502)');
    expectNoLeaks(result, target);
  });

  it('a hung attempt times out and is retried; RetCode as a string is understood', async () => {
    const target = await start();
    target.faults.push({ kind: 'hang' });
    target.serviceFaults.push({ kind: 'retCodeAsString' });
    const result = await run(target, { timeout: '1', 'max-attempts': '2' });
    expect(result.errors).toEqual([]);
    expect(target.requests).toHaveLength(2);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(JSON.parse(result.outputs['auth-configs'] ?? '')).toEqual(target.authConfigs);
  });

  it('missing region → one error naming the input, zero requests', async () => {
    const target = await start();
    const result = await run(target, { region: '' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(["Input 'region' is required (or set UCLOUD_REGION)."]);
    expect(target.requests).toHaveLength(0);
    expect(result.outputs).toEqual({});
  });

  it('sends channel-key as an unsigned header when set', async () => {
    const target = await start({
      keyPairs: [{ publicKey: 'pub-ch', privateKey: 'priv-ch-secret', channelKey: 'ch_abc123' }],
    });
    const result = await run(target, { 'channel-key': 'ch_abc123' });
    expect(result.errors).toEqual([]);
    expect(target.requests[0]?.headers['channel-key']).toBe('ch_abc123');
    expect(JSON.stringify(bodies(target)[0])).not.toContain('ch_abc123');
    expect(result.log.masks).toContain('ch_abc123');

    const without = await run(target);
    expect(without.errors[0]).toMatch(/RetCode 171: .*must also set 'channel-key'\.$/);
    expect(target.requests[1]?.headers).not.toHaveProperty('channel-key');
  });

  it('signs security-token as SecurityToken', async () => {
    const target = await start({
      keyPairs: [{ publicKey: 'tmp-pub', privateKey: 'tmp-priv-secret', securityToken: 'sts-token-value' }],
    });
    const result = await run(target, {
      'security-token': 'sts-token-value',
      domain: 'video.example.com',
      type: 'typeA',
    });
    expect(result.errors).toEqual([]);
    expect(bodies(target)[0]?.['SecurityToken']).toBe('sts-token-value');
    expect(result.outputs['iv']).toBe('');
    expect(findLeaks(result, ['sts-token-value', ...target.secrets])).toEqual(NO_LEAKS);
  });

  it('a domain matching nothing → error listing existing domains and types, never a key', async () => {
    const target = await start();
    const result = await run(target, { domain: 'static.example.com,nosuch.example.com' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toBe(
      "Input 'domain': no auth config for nosuch.example.com. Domains with auth configs: static.example.com (pkey: 1 key, ksc: 2 keys); video.example.com (typeA: 1 key); img.example.com (pkey: 1 key, typeA: 1 key).",
    );
    expect(result.outputs).toEqual({});
    for (const secret of target.secrets) expect(result.errors[0]).not.toContain(secret);
    expectNoLeaks(result, target);
  });

  it('a type matching nothing → error listing what exists', async () => {
    const target = await start();
    const result = await run(target, { type: 'typeB' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^Input 'type': no 'typeB' auth config for any domain\. Domains with auth configs: static/,
    );
    expect(target.requests).toHaveLength(1);
  });

  it('missing fields: no Keys for the selected type → clear error, no crash', async () => {
    const target = await start();
    target.serviceFaults.push({ kind: 'omitKeys' });
    const result = await run(target, { domain: 'static.example.com', type: 'pkey' });
    expect(result.errors).toEqual([
      "Inputs 'domain' and 'type' select no key. Domains with auth configs: static.example.com (pkey: 0 keys, ksc: 0 keys).",
    ]);
    expect(result.stderr).toBe('');
  });

  it('malformed JSON → one error naming the request id, not retried', async () => {
    const target = await start();
    target.serviceFaults.push({ kind: 'malformedJson' });
    const result = await run(target);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^UCloud \(127\.0\.0\.1:\d+\) answered HTTP 200 \(request id [0-9a-f-]{36}\), but the body is not valid JSON \(application\/json; charset=UTF-8, 66 bytes\)\.$/,
    );
    expect(target.requests).toHaveLength(1);
  });

  it('step debug on leaks nothing, even keys with quotes, backslashes and URL-special characters', async () => {
    const target = await start({
      authConfigs: [
        {
          Domain: 'cdn.example.com',
          Config: [
            { Type: 'pkey', Keys: [{ Key: 'k"quoted\\slash-9f8e7d', Iv: 'iv+/=&%20-6c5b4a' }] },
            { Type: 'typeA', Keys: [{ Key: 'typeA-key-3b2a1908', Iv: '' }] },
          ],
        },
      ],
    });
    const result = await run(
      target,
      { domain: 'cdn.example.com', type: 'pkey', 'output-file': 'k.json' },
      true,
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs['key']).toBe('k"quoted\\slash-9f8e7d');
    expectNoLeaks(result, target);
    // The JSON forms the outputs carry are registered too.
    expect(result.log.masks).toContain('k\\"quoted\\\\slash-9f8e7d');
  });
});
