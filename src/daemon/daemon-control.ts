import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { MnemoError, isProcessAlive, makeDirectory, readLockOwner, type LockOwner } from '../shared/index.js';
import { assertMemoryRoot } from '../store/index.js';
import { daemonPaths, type DaemonPaths } from './daemon-paths.js';
import { readDaemonState, type DaemonState } from './daemon-state.js';

/** Whether a daemon runs for a root, and what its state file says. */
export interface DaemonStatus {
  root: string;
  running: boolean;
  pid: number | undefined;
  /** The lock's holder died without releasing it (a crash, kill -9): the next start takes it over. */
  staleLock: boolean;
  paths: DaemonPaths;
  state: DaemonState | undefined;
}

/**
 * The lock's owner and whether it runs. A daemon started by `start` is reparented to init and is a
 * zombie until init reaps it (a second or more on a busy machine); `isProcessAlive` counts a zombie
 * as dead, the same test the daemon's own lock take-over uses, so `status` and a new daemon agree.
 */
async function liveOwner(paths: DaemonPaths): Promise<{ owner: LockOwner | undefined; alive: boolean }> {
  const owner = await readLockOwner(paths.lock);
  return { owner, alive: owner !== undefined && isProcessAlive(owner.pid) };
}

/** The daemon of a root: running or not, its pid, the state it last wrote. */
export async function daemonStatus(root: string): Promise<DaemonStatus> {
  const paths = daemonPaths(root);
  const { owner, alive } = await liveOwner(paths);
  return {
    root,
    running: alive,
    pid: alive ? owner?.pid : undefined,
    staleLock: owner !== undefined && !alive,
    paths,
    state: await readDaemonState(paths.state),
  };
}

/** The last `lines` lines of the log file (empty when there is none yet). */
export async function readLogTail(path: string, lines: number): Promise<string[]> {
  let text: string;
  try {
    const size = (await stat(path)).size;
    const handle = await open(path, 'r');
    try {
      const length = Math.min(size, Math.max(64 * 1024, lines * 1024));
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
  const all = text.split('\n').filter((line) => line !== '');
  return all.slice(-lines);
}

export interface StartOptions {
  /** The program and arguments that run `mnemo daemon run` for this root in the foreground. */
  command: string;
  args: readonly string[];
  cwd: string;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the daemon to report that it watches. */
  readyTimeoutMs?: number;
}

export type StartResult = { status: 'started'; pid: number; state: DaemonState } | { status: 'already-running'; pid: number };

/**
 * Start the daemon in the background: a detached process in its own session (it survives the
 * terminal closing), its output appended to the log file. Resolves once it watches; a daemon
 * that exits first is an error carrying the end of its log.
 */
export async function startDaemon(root: string, options: StartOptions): Promise<StartResult> {
  assertMemoryRoot(root);
  const paths = daemonPaths(root);
  const { owner, alive } = await liveOwner(paths);
  if (alive && owner) return { status: 'already-running', pid: owner.pid };
  await makeDirectory(paths.dir);
  const log = openSync(paths.log, 'a');
  let child;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      ...(options.env ? { env: options.env } : {}),
      detached: true,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new MnemoError('io', `Could not start the daemon (${options.command}).`);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code ?? -1));
  child.once('error', () => (exited = -1));
  child.unref();
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    const state = await readDaemonState(paths.state);
    if (state?.pid === pid && state.status !== 'starting' && state.status !== 'stopped') return { status: 'started', pid, state };
    if (exited !== undefined || Date.now() > deadline) {
      const tail = (await readLogTail(paths.log, 8)).join('\n');
      throw new MnemoError(
        'io',
        exited !== undefined
          ? `The daemon exited (code ${exited}) before it watched anything.`
          : `The daemon (process ${pid}) did not report ready in time.`,
        { hint: `Its log (${paths.log}) ends with:\n${tail}` },
      );
    }
    await delay(100);
  }
}

export type StopResult =
  | { status: 'not-running'; staleLockRemoved: boolean }
  | { status: 'stopped'; pid: number; waitedMs: number }
  | { status: 'still-running'; pid: number; waitedMs: number; current: DaemonState['current'] };

/**
 * Ask the daemon to stop (SIGTERM): it finishes the step under way (a check, a dream), then exits.
 * Waits up to `timeoutMs` for it to be gone. A lock left by a dead daemon is removed.
 */
export async function stopDaemon(root: string, options: { timeoutMs: number }): Promise<StopResult> {
  const paths = daemonPaths(root);
  const { owner, alive } = await liveOwner(paths);
  if (!alive || owner === undefined) {
    if (owner !== undefined) {
      await unlink(paths.lock).catch(() => undefined);
      await unlink(paths.pid).catch(() => undefined);
    }
    return { status: 'not-running', staleLockRemoved: owner !== undefined };
  }
  const started = Date.now();
  try {
    process.kill(owner.pid, 'SIGTERM');
  } catch {
    return { status: 'stopped', pid: owner.pid, waitedMs: 0 };
  }
  while (isProcessAlive(owner.pid)) {
    if (Date.now() - started > options.timeoutMs) {
      const state = await readDaemonState(paths.state);
      return { status: 'still-running', pid: owner.pid, waitedMs: Date.now() - started, current: state?.current };
    }
    await delay(50);
  }
  return { status: 'stopped', pid: owner.pid, waitedMs: Date.now() - started };
}
