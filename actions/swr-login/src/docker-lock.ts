// docker rewrites config.json whole and without a lock (read, change, write back), so two logins
// into one config directory at the same moment can each write the file without the other's entry.
// Matrix jobs on one self-hosted runner share ~/.docker, so every docker login and logout this
// action runs holds a lock beside config.json. The lock is a file created exclusively (O_EXCL)
// naming its holder; a holder that died (a cancelled job) leaves it behind, so a lock whose holder
// is gone from this machine, or older than any login takes, is taken over.
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Clock, isObject, printable, ToolError } from '@cloudcreds/core';

export const LOCK_FILE = 'swr-login.lock';

export interface LockLimits {
  /** How long to wait for a live holder before failing. */
  waitMs: number;
  /** A lock older than this is abandoned, whoever holds it (a holder on another machine cannot be asked). */
  staleMs: number;
}

/** A login takes seconds; a minute of waiting means something is stuck, two that its holder is gone. */
export const DEFAULT_LOCK_LIMITS: LockLimits = { waitMs: 60_000, staleMs: 120_000 };

interface Holder {
  id: string;
  pid: number;
  host: string;
}

interface Found {
  holder: Holder | undefined;
  inode: number;
  modifiedMs: number;
}

/** Runs `work` while holding the lock on `dir` (created when missing). */
export async function withConfigLock<T>(
  dir: string,
  clock: Clock,
  work: () => Promise<T>,
  limits: LockLimits = DEFAULT_LOCK_LIMITS,
): Promise<T> {
  const lock = await acquire(dir, clock, limits);
  try {
    return await work();
  } finally {
    release(lock);
  }
}

async function acquire(dir: string, clock: Clock, limits: LockLimits): Promise<{ path: string; id: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK_FILE);
  const me: Holder = { id: crypto.randomUUID(), pid: process.pid, host: hostname() };
  const deadline = clock.now() + limits.waitMs;
  for (;;) {
    if (create(path, me)) return { path, id: me.id };
    const found = look(path);
    if (found === undefined) continue;
    if (isAbandoned(found, clock.now(), limits.staleMs)) {
      takeOver(path, found);
      continue;
    }
    if (clock.now() >= deadline) throw timedOut(dir, found, limits.waitMs);
    // Jittered, so that waiting jobs do not all try again in the same instant.
    await clock.sleep(50 + Math.random() * 100);
  }
}

/** Creates the lock file naming `me`, or returns false when it exists already. */
function create(path: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

function release(lock: { path: string; id: string }): void {
  // Only our own: a lock taken over from us (we were too slow) belongs to someone else now.
  if (look(lock.path)?.holder?.id === lock.id) unlinkQuietly(lock.path);
}

/**
 * The lock file's holder (undefined while it is being written, or when unreadable) and identity,
 * or undefined when it is gone.
 */
function look(path: string): Found | undefined {
  try {
    const stat = statSync(path);
    let holder: Holder | undefined;
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (
        isObject(parsed) &&
        typeof parsed['id'] === 'string' &&
        typeof parsed['pid'] === 'number' &&
        typeof parsed['host'] === 'string'
      ) {
        holder = { id: parsed['id'], pid: parsed['pid'], host: parsed['host'] };
      }
    } catch {
      holder = undefined;
    }
    return { holder, inode: stat.ino, modifiedMs: stat.mtimeMs };
  } catch {
    return undefined;
  }
}

function isAbandoned(found: Found, now: number, staleMs: number): boolean {
  if (now - found.modifiedMs > staleMs) return true;
  const holder = found.holder;
  return holder !== undefined && holder.host === hostname() && !isRunning(holder.pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the abandoned lock aside and deletes it. The rename is atomic, so of several waiters only
 * one moves it; if what it moved is not the lock it judged (a new holder got in between), it puts
 * that one back.
 */
function takeOver(path: string, abandoned: Found): void {
  const aside = `${path}.abandoned.${crypto.randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  if (look(aside)?.inode !== abandoned.inode) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds the lock again already; the one moved aside lost it.
    }
  }
  unlinkQuietly(aside);
}

function timedOut(dir: string, found: Found, waitMs: number): ToolError {
  const holder = found.holder
    ? `process ${found.holder.pid} on ${printable(found.holder.host, 100)}`
    : 'an unknown process';
  return new ToolError(
    'docker',
    undefined,
    `Waited ${Number((waitMs / 1000).toFixed(1))} s for the lock on the docker config directory ${dir} (${LOCK_FILE}, held by ${holder} since ${new Date(found.modifiedMs).toISOString()}): another swr-login step is still running docker there. Give each job its own 'docker-config-dir' (e.g. \${{ runner.temp }}/docker-config), or delete the lock file if no such step is running`,
  );
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already.
  }
}
