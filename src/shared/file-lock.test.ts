import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { createManualClock } from './clock.js';
import { acquireLock, isProcessAlive, readLockOwner, tryAcquireLock, withLock } from './file-lock.js';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function writeOwner(path: string, owner: Record<string, unknown>): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify({ hostname: hostname(), token: 'other', purpose: 'test', ...owner }));
}

describe('file lock', () => {
  it('is exclusive while held, names its holder, and is free after release', async () => {
    const path = join(await tempDir(), 'locks', 'memory.lock');
    const first = await tryAcquireLock(path, { purpose: 'first' });
    expect(first.acquired).toBe(true);
    const second = await tryAcquireLock(path);
    expect(second).toMatchObject({ acquired: false, owner: { pid: process.pid, purpose: 'first' } });
    if (first.acquired) await first.handle.release();
    expect(await readLockOwner(path)).toBeUndefined();
    expect((await tryAcquireLock(path)).acquired).toBe(true);
  });

  it('takes over a lock whose holder process is dead', async () => {
    const path = join(await tempDir(), 'memory.lock');
    await writeOwner(path, { pid: deadPid(), acquiredAt: new Date().toISOString() });
    const attempt = await tryAcquireLock(path);
    expect(attempt.acquired).toBe(true);
    expect((await readLockOwner(path))?.pid).toBe(process.pid);
  });

  it('takes over a lock whose holder is a zombie (dead, not yet reaped), which kill(pid, 0) still finds', async () => {
    if (process.platform !== 'linux') return;
    // the short sleep outlives its shell, which has become the long sleep by then and never waits for it:
    // a zombie until the long sleep ends
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      for (;;) {
        const stat = await readFile(`/proc/${zombie}/stat`, 'utf8');
        if (stat.charAt(stat.lastIndexOf(')') + 2) === 'Z') break;
        await delay(10);
      }
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isProcessAlive(zombie)).toBe(false);
      const path = join(await tempDir(), 'daemon.lock');
      await writeOwner(path, { pid: zombie, acquiredAt: new Date().toISOString() });
      expect((await tryAcquireLock(path, { staleMs: Number.POSITIVE_INFINITY })).acquired).toBe(true);
      expect(isProcessAlive(process.pid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('takes over a lock older than its staleness limit even when the holder seems alive', async () => {
    const path = join(await tempDir(), 'memory.lock');
    const clock = createManualClock('2026-11-01T00:00:00Z');
    await writeOwner(path, { pid: process.pid, acquiredAt: '2026-11-01T00:00:00Z' });
    expect((await tryAcquireLock(path, { clock, staleMs: 60_000 })).acquired).toBe(false);
    clock.advance(61_000);
    expect((await tryAcquireLock(path, { clock, staleMs: 60_000 })).acquired).toBe(true);
  });

  it('treats an unreadable lock file (a crash while creating it) as stale', async () => {
    const path = join(await tempDir(), 'memory.lock');
    await writeFile(path, '{"pid":');
    expect((await tryAcquireLock(path)).acquired).toBe(true);
  });

  it('times out waiting for a live holder with an error that names it', async () => {
    const path = join(await tempDir(), 'memory.lock');
    const held = await acquireLock(path, { purpose: 'dream' });
    await expect(acquireLock(path, { timeoutMs: 50, retryMs: 5 })).rejects.toMatchObject({
      code: 'lock-timeout',
      message: expect.stringMatching(/held by process \d+ \(dream/),
    });
    await held.release();
  });

  it('release never removes a lock that another process took over', async () => {
    const path = join(await tempDir(), 'memory.lock');
    const clock = createManualClock();
    const mine = await acquireLock(path, { clock });
    await writeOwner(path, { pid: process.pid, token: 'someone-else', acquiredAt: clock.now().toISOString() });
    await mine.release();
    expect(JSON.parse(await readFile(path, 'utf8')).token).toBe('someone-else');
  });

  it('withLock serializes work in one process', async () => {
    const path = join(await tempDir(), 'memory.lock');
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        withLock(path, { retryMs: 2 }, async () => {
          order.push(`${name}-start`);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`${name}-end`);
        }),
      ),
    );
    for (let index = 0; index < order.length; index += 2)
      expect(order[index]?.replace('-start', '')).toBe(order[index + 1]?.replace('-end', ''));
  });
});
