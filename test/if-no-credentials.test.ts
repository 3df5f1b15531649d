// `if-no-credentials` on the built bundles, as a fork's pull request or a Dependabot run meets them:
// no secret arrives. With `skip` and no credential at all, the step succeeds doing nothing: one
// notice, the output `skipped`, no request, no docker call, and a post step that does nothing.
// Partly given credentials, an env fallback or an OIDC route are never skipped; with `fail` (the
// default) the error says why the secret may be missing. Every case runs with step debug off and on.
import { createServer, type Server, type Socket } from 'node:net';
import { createDockerShim, type RunResult, runAction, runPostAfter } from '@cloudcreds/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A loopback server that counts connections and resets each at once: any request is seen, fast. */
let recorder: { url: string; connections: () => number; close(): Promise<void> };

beforeAll(async () => {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  recorder = {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
});
afterAll(() => recorder.close());

interface ActionCase {
  action: string;
  /** Every input except credentials, endpoints at the recorder. */
  base: () => Record<string, string>;
  /** Part of a credential: with skip this must still fail. */
  partial?: Record<string, string>;
  /** A credential given through an env fallback only. */
  envFallback: Record<string, string>;
}

const CASES: ActionCase[] = [
  {
    action: 'swr-login',
    base: () => ({ region: 'cn-north-4', endpoint: recorder.url }),
    partial: { 'access-key-id': 'AKIDEXAMPLE123' },
    envFallback: {
      HUAWEI_CLOUD_ACCESS_KEY_ID: 'AKIDEXAMPLE123',
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: 'sk-from-the-environment',
    },
  },
  {
    action: 'cse-token',
    base: () => ({ endpoint: recorder.url, username: 'ci-tests' }),
    envFallback: {},
  },
  {
    action: 'ucloud-authconfig',
    base: () => ({ 'base-url': recorder.url, region: 'cn-bj2', zone: 'cn-bj2-02' }),
    partial: { 'public-key': 'public-key-example' },
    envFallback: { UCLOUD_PUBLIC_KEY: 'public-key-example', UCLOUD_PRIVATE_KEY: 'private-key-example' },
  },
];

const FORK_HINT = /GitHub passes no secrets to workflows run for a pull request from a fork or by Dependabot/;

function notices(result: RunResult): string[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::notice::'))
    .map((line) => line.slice('::notice::'.length));
}

describe.each(CASES)('$action', ({ action, base, partial, envFallback }) => {
  describe.each([false, true])('step debug %s', (debug) => {
    const run = (
      inputs: Record<string, string>,
      options: { env?: Record<string, string>; pathPrefix?: string[] } = {},
    ) =>
      runAction({
        action,
        inputs: { ...base(), timeout: '2', 'max-attempts': '1', ...inputs },
        debug,
        ...options,
      });

    it('skip without any credential: one notice, skipped=true, nothing sent, nothing run, post does nothing', async () => {
      const before = recorder.connections();
      const docker = createDockerShim();
      const result = await run({ 'if-no-credentials': 'skip' }, { pathPrefix: [docker.dir] });
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(notices(result)).toHaveLength(1);
      expect(notices(result)[0]).toMatch(
        /^Skipped: no credential was given \(.*'if-no-credentials' is 'skip'/,
      );
      expect(notices(result)[0]).toMatch(FORK_HINT);
      expect(result.outputs).toEqual({ skipped: 'true' });
      expect(result.exported).toEqual({});
      expect(result.state).toEqual({});
      expect(result.summary).toBe('');
      expect(recorder.connections()).toBe(before);
      expect(docker.calls()).toEqual([]);
      if (action === 'swr-login') {
        const post = await runPostAfter(result, { action, debug, pathPrefix: [docker.dir] });
        expect(post.exitCode).toBe(0);
        expect(
          post.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('::debug::')),
        ).toEqual([]);
        expect(docker.calls()).toEqual([]);
      }
    });

    it('fail (the default) without any credential: one error naming why secrets may be missing, nothing sent', async () => {
      const before = recorder.connections();
      const result = await run({});
      expect(result.exitCode).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(FORK_HINT);
      expect(result.outputs).toEqual({});
      expect(recorder.connections()).toBe(before);
    });

    if (partial) {
      it('skip with part of a credential still fails, before any request', async () => {
        const before = recorder.connections();
        const result = await run({ 'if-no-credentials': 'skip', ...partial });
        expect(result.exitCode).toBe(1);
        expect(result.errors).toHaveLength(1);
        expect(result.outputs).toEqual({});
        expect(recorder.connections()).toBe(before);
      });
    }

    if (Object.keys(envFallback).length > 0) {
      it('skip with a credential in an env fallback is not skipped: the request is made', async () => {
        const before = recorder.connections();
        const result = await run({ 'if-no-credentials': 'skip' }, { env: envFallback });
        expect(notices(result)).toEqual([]);
        expect(result.outputs['skipped']).toBeUndefined();
        expect(recorder.connections()).toBeGreaterThan(before);
      });
    }

    if (action === 'swr-login') {
      it('skip with an OIDC route is not skipped', async () => {
        const result = await run({ 'if-no-credentials': 'skip', 'identity-provider': 'github-actions' });
        expect(notices(result)).toEqual([]);
        expect(result.exitCode).toBe(1);
        expect(result.errors[0]).toMatch(/id-token: write/);
      });
    }

    it('refuses an unknown if-no-credentials value before anything else', async () => {
      const result = await run({ 'if-no-credentials': 'never' });
      expect(result.exitCode).toBe(1);
      expect(result.errors).toEqual(["Input 'if-no-credentials' must be fail or skip."]);
    });
  });
});
