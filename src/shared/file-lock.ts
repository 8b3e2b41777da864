import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock, type Clock } from './clock.js';
import { MnemoError, errnoCode } from './errors.js';
import { randomToken } from './ids.js';
import { withFolderMade } from './make-directory.js';

/** What a lock file records about its holder. */
export interface LockOwner {
  pid: number;
  hostname: string;
  token: string;
  acquiredAt: string;
  purpose: string;
}

export interface LockOptions {
  /** Why the lock is held; shown to whoever waits for it. */
  purpose?: string;
  /** A lock older than this is taken over even if its holder seems alive. Default 60 s. */
  staleMs?: number;
  /** How long to wait for a live holder before failing with `lock-timeout`. Default 15 s. */
  timeoutMs?: number;
  /** Pause between attempts while waiting. Default 20 ms. */
  retryMs?: number;
  clock?: Clock;
}

export interface LockHandle {
  readonly path: string;
  readonly owner: LockOwner;
  /** Remove the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; handle: LockHandle } | { acquired: false; owner: LockOwner | undefined };

const HOST = hostname();

/**
 * Whether a process with this id is alive on this machine. A zombie (dead, not yet reaped by its
 * parent; a detached process is reaped by init, which can take a second or more) is not alive:
 * `kill(pid, 0)` still succeeds for it, so on Linux its state is read from `/proc`.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // no /proc (macOS, Windows), or the process is gone since the kill above
    return false;
  }
  // "pid (comm) S ...": the state is the first field after the command, which may hold spaces and parentheses
  return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
}

/** The current holder of a lock file, or undefined when there is none (or it is unreadable). */
export async function readLockOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return {
      pid: value.pid,
      hostname: typeof value.hostname === 'string' ? value.hostname : '',
      token: value.token,
      acquiredAt: typeof value.acquiredAt === 'string' ? value.acquiredAt : new Date(0).toISOString(),
      purpose: typeof value.purpose === 'string' ? value.purpose : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether a holder is stale: its process is dead (same host), or it holds the lock for longer
 * than `staleMs`. An unreadable lock file counts as stale (it can only come from a crash).
 */
export function isLockStale(owner: LockOwner | undefined, staleMs: number, clock: Clock): boolean {
  if (owner === undefined) return true;
  if (owner.hostname === HOST && !isProcessAlive(owner.pid)) return true;
  const age = clock.now().getTime() - new Date(owner.acquiredAt).getTime();
  return !(age < staleMs);
}

/**
 * Try once to take the lock. Creates it with `link()` from a fully written temp file, so a lock
 * file always holds a complete owner record. A stale lock is taken over by renaming it aside
 * (only one contender can rename a given file) and checking that what was moved was the stale
 * holder's, not a fresh one's.
 */
export async function tryAcquireLock(path: string, options: LockOptions = {}): Promise<LockAttempt> {
  const clock = options.clock ?? systemClock;
  const staleMs = options.staleMs ?? 60_000;
  const owner: LockOwner = {
    pid: process.pid,
    hostname: HOST,
    token: randomToken(12),
    acquiredAt: clock.now().toISOString(),
    purpose: options.purpose ?? 'mnemo',
  };
  const temp = `${path}.${owner.token}.tmp`;
  // The locks folder is made when missing (first use, or removed by hand), not checked every time.
  await withFolderMade(dirname(path), () => writeFile(temp, JSON.stringify(owner), { flag: 'wx' }));
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await link(temp, path);
        return { acquired: true, handle: createHandle(path, owner) };
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
      const holder = await readLockOwner(path);
      if (!isLockStale(holder, staleMs, clock)) return { acquired: false, owner: holder };
      await takeOverStale(path, holder);
    }
    return { acquired: false, owner: await readLockOwner(path) };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function takeOverStale(path: string, observed: LockOwner | undefined): Promise<void> {
  const aside = `${path}.stale-${randomToken(8)}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  const moved = await readLockOwner(aside);
  if (observed !== undefined && moved !== undefined && moved.token !== observed.token) {
    // We moved a lock that a faster contender had just taken: put it back.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

function createHandle(path: string, owner: LockOwner): LockHandle {
  let released = false;
  return {
    path,
    owner,
    release: async () => {
      if (released) return;
      released = true;
      const current = await readLockOwner(path);
      if (current?.token === owner.token) await unlink(path).catch(() => undefined);
    },
  };
}

/** Wait for the lock (up to `timeoutMs`), taking over stale holders. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retryMs = options.retryMs ?? 20;
  const started = Date.now();
  for (;;) {
    const attempt = await tryAcquireLock(path, options);
    if (attempt.acquired) return attempt.handle;
    if (Date.now() - started >= timeoutMs) {
      const holder = attempt.owner;
      const who = holder ? `process ${holder.pid} (${holder.purpose}, since ${holder.acquiredAt})` : 'another process';
      throw new MnemoError('lock-timeout', `Timed out after ${timeoutMs} ms waiting for ${path}, held by ${who}.`, {
        hint: 'Wait for the other mnemo process to finish; if it hangs, stop it and the lock is taken over.',
      });
    }
    await delay(retryMs + Math.floor(Math.random() * retryMs));
  }
}

/** Run `work` while holding the lock; always releases it. */
export async function withLock<T>(path: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const handle = await acquireLock(path, options);
  try {
    return await work();
  } finally {
    await handle.release();
  }
}
