import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { HOUR_MS, createManualClock, tryAcquireLock } from '../shared/index.js';
import { LAST_DREAM_FILE, dreamLockPath, statePath } from './dream-files.js';
import { checkDreamDue } from './dream-trigger.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function root(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-trigger-'));
  roots.push(dir);
  await mkdir(join(dir, 'sessions'), { recursive: true });
  await mkdir(join(dir, '.state'), { recursive: true });
  return dir;
}

async function session(dir: string, name: string, time: string): Promise<void> {
  await appendFile(
    join(dir, 'sessions', `${name}.jsonl`),
    `${JSON.stringify({ v: 1, session: name, kind: 'user', text: 'work', time })}\n`,
  );
}

const config = defaultConfig().dream;

describe('checkDreamDue', () => {
  it('is not due when nothing happened', async () => {
    const dir = await root();
    const due = await checkDreamDue(dir, config, createManualClock('2026-11-25T00:00:00Z'));
    expect(due).toMatchObject({ due: false, sessionsSince: 0, reasons: ['nothing happened so far (never dreamed)'] });
  });

  it('is due after 24 h without activity, not before', async () => {
    const dir = await root();
    await session(dir, '2026-11-24-a', '2026-11-24T08:00:00Z');
    const clock = createManualClock('2026-11-25T07:00:00Z');
    expect((await checkDreamDue(dir, config, clock)).due).toBe(false);
    clock.advance(HOUR_MS);
    const due = await checkDreamDue(dir, config, clock);
    expect(due.due).toBe(true);
    expect(due.reasons[0]).toMatch(/^24\.0 h without activity|^24 h without activity/);
  });

  it('is due after 5 sessions since the last dream, counting only sessions with new activity', async () => {
    const dir = await root();
    for (const name of ['s1', 's2', 's3', 's4']) await session(dir, name, '2026-11-20T08:00:00Z');
    // The last dream had seen s1 and s2 as they are now.
    const sizes = {
      's1.jsonl': (await stat(join(dir, 'sessions', 's1.jsonl'))).size,
      's2.jsonl': (await stat(join(dir, 'sessions', 's2.jsonl'))).size,
    };
    await mkdir(statePath(dir, 'dreams'), { recursive: true });
    await writeFile(
      statePath(dir, LAST_DREAM_FILE),
      JSON.stringify({ id: 'x', time: '2026-11-20T09:00:00Z', sessions: sizes, auditOffset: 0, lastActivity: '2026-11-20T08:00:00Z' }),
    );
    const clock = createManualClock('2026-11-20T12:00:00Z');
    expect(await checkDreamDue(dir, config, clock)).toMatchObject({ due: false, sessionsSince: 2 });
    for (const name of ['s5', 's6']) await session(dir, name, '2026-11-20T10:00:00Z');
    await session(dir, 's1', '2026-11-20T11:00:00Z');
    const due = await checkDreamDue(dir, config, clock);
    expect(due).toMatchObject({ due: true, sessionsSince: 5 });
    expect(due.reasons).toEqual(['5 session(s) since the last dream (≥ 5)']);
    expect(await checkDreamDue(dir, { ...config, sessions: 6 }, clock)).toMatchObject({ due: false });
  });

  it('is not due while another live process holds the dream lock, and is again when the holder is older than an hour', async () => {
    const dir = await root();
    await session(dir, 'a', '2026-11-20T08:00:00Z');
    const clock = createManualClock('2026-11-22T00:00:00Z');
    const lock = await tryAcquireLock(dreamLockPath(dir), { clock, purpose: 'dream' });
    if (!lock.acquired) throw new Error('lock');
    const busy = await checkDreamDue(dir, config, clock);
    expect(busy.due).toBe(false);
    expect(busy.running?.pid).toBe(process.pid);
    clock.advance(HOUR_MS + 1);
    expect((await checkDreamDue(dir, config, clock)).due).toBe(true);
    await lock.handle.release();
  });
});
