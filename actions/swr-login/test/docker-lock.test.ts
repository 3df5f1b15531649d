import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, ToolError } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, withConfigLock } from '../src/docker-lock.ts';

const newDir = (): string => join(mkdtempSync(join(tmpdir(), 'docker-lock-')), 'docker');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process id that surely ended: a child that has exited and been reaped. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid as number;
}

describe('the docker config directory lock', () => {
  it('creates the directory, serialises holders, and leaves no file behind', async () => {
    const dir = newDir();
    const events: string[] = [];
    const hold = (name: string) =>
      withConfigLock(dir, systemClock, async () => {
        events.push(`${name} in`);
        await sleep(30);
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let index = 0; index < events.length; index += 2) {
      expect(events[index]?.replace(' in', '')).toBe(events[index + 1]?.replace(' out', ''));
    }
    expect(events).toHaveLength(6);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('releases the lock when the work fails', async () => {
    const dir = newDir();
    await expect(
      withConfigLock(dir, systemClock, async () => {
        throw new Error('docker failed');
      }),
    ).rejects.toThrow('docker failed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over at once a lock whose holder on this machine has died (a cancelled job)', async () => {
    const dir = newDir();
    await withConfigLock(dir, systemClock, async () => {});
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ id: 'cancelled', pid: deadPid(), host: hostname() }),
    );
    // No time to wait for a holder: only a takeover gets the lock.
    await withConfigLock(dir, systemClock, async () => {}, { waitMs: 0, staleMs: 60_000 });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over a lock older than the stale limit, whoever holds it', async () => {
    const dir = newDir();
    await withConfigLock(dir, systemClock, async () => {});
    const lock = join(dir, LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ id: 'other-machine', pid: 1, host: 'another-runner' }));
    const old = new Date(Date.now() - 5_000);
    utimesSync(lock, old, old);
    await withConfigLock(dir, systemClock, async () => {}, { waitMs: 0, staleMs: 2_000 });
    expect(existsSync(lock)).toBe(false);
  });

  it('waits for a live holder, then fails naming the directory and the way out', async () => {
    const dir = newDir();
    await withConfigLock(dir, systemClock, async () => {});
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ id: 'live', pid: process.pid, host: hostname() }));
    const started = Date.now();
    const failure = withConfigLock(dir, systemClock, async () => {}, { waitMs: 300, staleMs: 60_000 });
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toThrow(
      new RegExp(
        `^Waited 0\\.3 s for the lock on the docker config directory ${dir} \\(${LOCK_FILE}, held by process ${process.pid} on .* since .*\\): another swr-login step is still running docker there\\. Give each job its own 'docker-config-dir'`,
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // The live holder's lock stays, and the waiter left nothing of its own.
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });
});
