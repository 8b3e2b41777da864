import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, initMemory, openMemory, type Memory } from '../../src/index.js';
import { fileHashes, writeBlueGreenPair, writeSession, writeTopic } from '../helpers/dream-fixtures.js';
import { tempDir } from '../helpers/temp-root.js';

const NOW = '2026-11-25T10:00:00Z';

async function setup(): Promise<{ dir: string; cwd: string; clock: ReturnType<typeof createManualClock>; open: () => Promise<Memory> }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'm');
  await initMemory({ dir, cwd });
  const clock = createManualClock(NOW);
  return { dir, cwd, clock, open: () => openMemory({ dir, cwd, workspace: cwd, clock, config: { logLevel: 'silent' } }) };
}

async function audit(dir: string): Promise<{ action: string; slug?: string; actor?: string; reason?: string }[]> {
  const text = await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { action: string; slug?: string; actor?: string; reason?: string });
}

async function meta(dir: string, slug: string): Promise<string> {
  return readFile(join(dir, `${slug}.md`), 'utf8');
}

describe('dream consolidates', () => {
  it('merges near-duplicates into the most used one, with evidence and tags united and the others superseded', async () => {
    const { dir, cwd, open } = await setup();
    await writeBlueGreenPair(dir, cwd);
    const memory = await open();
    for (let index = 0; index < 3; index += 1) await memory.recall('blue-green staging');
    const outcome = await memory.dream();
    expect(outcome.status).toBe('applied');
    const survivor = await memory.show('staging-blue-green');
    const loser = await memory.show('blue-green-staging');
    memory.close();
    if (!survivor.found || !('meta' in survivor) || !loser.found || !('meta' in loser)) throw new Error('topics missing');
    // Both were recalled equally; the merge keeps one, points the other at it, and unites what they had.
    const [kept, gone] = survivor.meta.status === 'active' ? [survivor, loser] : [loser, survivor];
    expect(gone.meta.status).toBe('superseded');
    expect(gone.meta.supersededBy).toBe(kept.meta.id ?? kept.slug);
    expect(kept.meta.supersedes).toContain(gone.meta.id ?? gone.slug);
    expect(kept.meta.tags.sort()).toEqual(['deploy', 'staging']);
    expect(kept.meta.evidence).toEqual([expect.objectContaining({ kind: 'file', path: 'deploy.yaml' })]);
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).not.toContain(`(${gone.slug}.md)`);
    expect((await audit(dir)).filter((entry) => entry.actor === 'dream').map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['topic-superseded', 'topic-merged', 'dream-finished']),
    );
  });

  it('settles a conflict: the verified topic wins, the other is superseded, and the report says which values and why', async () => {
    const { dir, open } = await setup();
    await writeTopic(
      dir,
      'api-port',
      {
        name: 'API port',
        description: 'the port of the API',
        type: 'project',
        created: '2026-11-01T00:00:00Z',
        verified: '2026-11-20T00:00:00Z',
      },
      'The API port is 8080 in every environment.',
    );
    await writeTopic(
      dir,
      'api-listens',
      { name: 'API port setting', description: 'which port the API listens on', type: 'project', created: '2026-11-22T00:00:00Z' },
      'The API port is 9090 in every environment.',
    );
    const memory = await open();
    const outcome = await memory.dream();
    memory.close();
    if (outcome.status !== 'applied') throw new Error(outcome.status);
    expect(await meta(dir, 'api-listens')).toMatch(/status: superseded\nsupersededBy: api-port/);
    const report = await readFile(outcome.reportPath, 'utf8');
    expect(report).toContain(
      'conflict on "api port": api-port says 8080, api-listens says 9090; api-port wins: api-port was verified on 2026-11-20, api-listens never',
    );
  });

  it('settles a conflict by check times kept in .state/verdicts/: a topic confirmed on use wins, and its time goes into no file', async () => {
    const { dir, cwd, clock, open } = await setup();
    await writeFile(join(cwd, 'api.env'), 'PORT=8080\n');
    await writeTopic(
      dir,
      'api-port',
      {
        name: 'API port',
        description: 'the port of the API',
        type: 'project',
        created: '2026-11-01T00:00:00Z',
        source: { kind: 'user', trust: 'trusted' },
        evidence: [{ kind: 'file', path: 'api.env', contains: 'PORT=8080' }],
      },
      'The API port is 8080 in every environment.',
    );
    await writeTopic(
      dir,
      'api-listens',
      { name: 'API port setting', description: 'which port the API listens on', type: 'project', created: '2026-11-22T00:00:00Z' },
      'The API port is 9090 in every environment.',
    );
    const memory = await open();
    // Checked on use the day before (within the freshness window, so the dream does not check again): in .state/verdicts/ only.
    clock.set('2026-11-24T12:00:00Z');
    const recalled = await memory.recall('API port 8080');
    expect(recalled.topics.find((topic) => topic.slug === 'api-port')?.caveats).toContain('checked now: confirmed (1 item)');
    expect(await meta(dir, 'api-port')).not.toContain('verified');
    clock.set(NOW);
    const outcome = await memory.dream();
    memory.close();
    if (outcome.status !== 'applied') throw new Error(outcome.status);
    expect(await meta(dir, 'api-listens')).toMatch(/status: superseded\nsupersededBy: api-port/);
    const winner = await meta(dir, 'api-port');
    expect(winner).toContain('supersedes: [api-listens]');
    expect(winner).not.toContain('verified');
    expect(await readFile(outcome.reportPath, 'utf8')).toContain('api-port wins: api-port was verified on 2026-11-24, api-listens never');
  });

  it('turns an error that recurred across sessions with a verified fix into a lesson, and strengthens it later', async () => {
    const { dir, cwd, clock, open } = await setup();
    const memory = await open();
    for (const [index, session] of ['2026-11-20-s1', '2026-11-21-s2'].entries()) {
      const task = await memory.beginTask({ goal: `build ${index}`, session });
      await task.observe('error', 'Error: Cannot find module /work/app/dist/index.js');
      await task.complete({ confirmed: true, summary: 'run npm run build before the tests' });
    }
    clock.set('2026-11-25T10:00:00Z');
    await memory.dream();
    const lessons = (await memory.list({ type: 'lesson' })).filter((topic) => topic.readable);
    expect(lessons).toHaveLength(1);
    const lesson = await memory.show(lessons[0]?.slug ?? '');
    if (!lesson.found || !('body' in lesson)) throw new Error('no lesson');
    expect(lesson.body).toContain('Recurrence: seen in 2 sessions: 2026-11-20-s1, 2026-11-21-s2.');
    expect(lesson.body).toContain('run npm run build before the tests');
    // A third session with the same error and fix strengthens the same lesson.
    const task = await memory.beginTask({ goal: 'build 3', session: '2026-11-26-s3' });
    await task.observe('error', 'Error: Cannot find module /other/dist/main.js');
    await task.complete({ confirmed: true, summary: 'run npm run build before the tests' });
    clock.set('2026-11-28T10:00:00Z');
    await memory.dream();
    const again = await memory.show(lessons[0]?.slug ?? '');
    memory.close();
    if (!again.found || !('body' in again)) throw new Error('no lesson');
    expect(again.body).toContain('Recurrence: seen in 3 sessions');
    expect((await audit(dir)).some((entry) => entry.action === 'lesson-strengthened' && entry.actor === 'dream')).toBe(true);
    expect(cwd).toBeTruthy();
  });

  it('re-checks stale evidence: confirmed topics are re-verified, contradicted ones become suspect', async () => {
    const { dir, cwd, open } = await setup();
    await writeFile(join(cwd, 'app.json'), '{"port": 8080}\n');
    await writeTopic(
      dir,
      'holds',
      {
        name: 'Config file',
        description: 'app.json holds the port',
        type: 'reference',
        created: '2026-11-01T00:00:00Z',
        verified: '2026-11-01T00:00:00Z',
        source: { kind: 'user', trust: 'trusted' },
        evidence: [{ kind: 'file', path: 'app.json', contains: '"port"' }],
      },
      'app.json holds the port.',
    );
    await writeTopic(
      dir,
      'gone',
      {
        name: 'Old settings file',
        description: 'settings live in settings.ini',
        type: 'reference',
        created: '2026-11-01T00:00:00Z',
        verified: '2026-11-01T00:00:00Z',
        source: { kind: 'user', trust: 'trusted' },
        evidence: [{ kind: 'file', path: 'settings.ini' }],
      },
      'Settings live in settings.ini.',
    );
    const holdsBefore = await meta(dir, 'holds');
    const memory = await open();
    const outcome = await memory.dream();
    expect(outcome.status === 'applied' && outcome.counts).toEqual({ verify: 1, suspect: 1 });
    // The confirmation is kept in .state/verdicts/: the confirmed topic's file is not rewritten for it.
    const holds = await memory.show('holds');
    memory.close();
    expect(holds.found && 'verified' in holds && holds.verified).toBe(NOW);
    expect(await meta(dir, 'holds')).toBe(holdsBefore);
    // The status changed, so that file changed; its old check time moved out of it.
    const gone = await meta(dir, 'gone');
    expect(gone).toContain('status: suspect');
    expect(gone).not.toContain('verified:');
  });

  it('makes relative dates absolute from the time of the session the topic came from', async () => {
    const { dir, open } = await setup();
    await writeSession(dir, '2026-11-18-ab12', [{ kind: 'user', text: 'the build broke', time: '2026-11-18T16:00:00Z' }]);
    await writeTopic(
      dir,
      'outage',
      {
        name: 'Build outage',
        description: 'what broke the build',
        type: 'project',
        created: '2026-11-19T00:00:00Z',
        source: { kind: 'agent', session: '2026-11-18-ab12', trust: 'trusted' },
      },
      'The build broke yesterday because the cache was full.',
    );
    const memory = await open();
    await memory.dream();
    memory.close();
    expect(await meta(dir, 'outage')).toContain('The build broke yesterday (2026-11-17) because the cache was full.');
  });
});

describe('dream prunes without losing anything', () => {
  it('retires long-superseded, long-suspect and unused low-confidence topics to the trash with a tombstone, never a user topic', async () => {
    const { dir, open } = await setup();
    await writeTopic(
      dir,
      'new-way',
      { name: 'New way', description: 'the current way', type: 'project', id: 'ID-NEW', created: '2026-11-01T00:00:00Z' },
      'Do it the new way.',
    );
    await writeTopic(
      dir,
      'old-way',
      {
        name: 'Old way',
        description: 'how it was done',
        type: 'project',
        status: 'superseded',
        supersededBy: 'ID-NEW',
        updated: '2026-11-01T00:00:00Z',
      },
      'Do it the old way.',
    );
    await writeTopic(
      dir,
      'older-way',
      {
        name: 'Older way',
        description: 'how it was done before',
        type: 'project',
        status: 'superseded',
        supersededBy: 'old-way',
        updated: '2026-11-24T00:00:00Z',
      },
      'Do it the older way.',
    );
    await writeTopic(
      dir,
      'doubtful',
      { name: 'Doubtful', description: 'a contradicted claim', type: 'project', status: 'suspect', updated: '2026-09-01T00:00:00Z' },
      'Something no longer true.',
    );
    await writeTopic(
      dir,
      'stale-guess',
      {
        name: 'Stale guess',
        description: 'an old unverified guess',
        type: 'reference',
        created: '2026-01-01T00:00:00Z',
        source: { kind: 'agent', trust: 'trusted' },
      },
      'A guess nobody used.',
    );
    await writeTopic(
      dir,
      'user-pref',
      {
        name: 'User likes tea',
        description: 'a preference',
        type: 'user',
        created: '2026-01-01T00:00:00Z',
        source: { kind: 'agent', trust: 'trusted' },
      },
      'The user likes tea.',
    );
    const memory = await open();
    const outcome = await memory.dream();
    memory.close();
    if (outcome.status !== 'applied') throw new Error(outcome.status);
    const retired = outcome.actions
      .filter((action) => action.kind === 'retire')
      .map((action) => action.slug)
      .sort();
    expect(retired).toEqual(['doubtful', 'old-way', 'stale-guess']);
    expect(outcome.heldRetirements.map((held) => held.slug)).toEqual(['user-pref']);
    expect(existsSync(join(dir, 'user-pref.md'))).toBe(true);
    for (const slug of retired) expect(existsSync(join(dir, `${slug}.md`))).toBe(false);
    // Each retired topic has a tombstone whose copy holds its exact bytes, and a copy in the trash.
    const tombstones = (await readFile(join(dir, '.state', 'tombstones.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { slug: string; copy: string; hash: string });
    expect(tombstones.map((tombstone) => tombstone.slug).sort()).toEqual(retired);
    for (const tombstone of tombstones) expect(existsSync(join(dir, '.state', tombstone.copy))).toBe(true);
    const trash = await readdir(join(dir, '.state', 'trash'));
    for (const slug of retired) expect(trash.some((name) => name.endsWith(`-${slug}.md`))).toBe(true);
    // A topic that pointed at a retired one points at its survivor now.
    expect(await meta(dir, 'older-way')).toContain('supersededBy: ID-NEW');
    expect((await audit(dir)).filter((entry) => entry.action === 'topic-retired')).toHaveLength(3);
  });
});

describe('dream is safe', () => {
  it('--propose computes the plan as a diff and changes nothing', async () => {
    const { dir, open } = await setup();
    await writeTopic(
      dir,
      'api-port',
      { name: 'API port', description: 'port', type: 'project', verified: '2026-11-20T00:00:00Z' },
      'The API port is 8080.',
    );
    await writeTopic(
      dir,
      'api-port-2',
      { name: 'API port', description: 'port', type: 'project', created: '2026-11-21T00:00:00Z' },
      'The API port is 9090.',
    );
    const memory = await open();
    await memory.renderIndex();
    const before = await fileHashes(dir);
    const state = async () => (await readdir(join(dir, '.state'))).filter((name) => !name.startsWith('search.db'));
    const stateBefore = await state();
    const outcome = await memory.dream({ propose: true });
    memory.close();
    expect(outcome.status).toBe('proposed');
    expect(outcome.status === 'proposed' && outcome.text).toContain('+status: superseded');
    expect(await fileHashes(dir)).toEqual(before);
    expect(await state()).toEqual(stateBefore);
  });

  it('rollback restores every file byte for byte, and refuses when topics changed since', async () => {
    const { dir, open } = await setup();
    await writeTopic(
      dir,
      'api-port',
      { name: 'API port', description: 'port', type: 'project', verified: '2026-11-20T00:00:00Z' },
      'The API port is 8080.',
    );
    await writeTopic(
      dir,
      'api-port-2',
      { name: 'API port', description: 'port', type: 'project', created: '2026-11-21T00:00:00Z' },
      'The API port is 9090.',
    );
    await writeTopic(
      dir,
      'old',
      { name: 'Old', description: 'old', type: 'project', status: 'superseded', supersededBy: 'api-port', updated: '2026-01-01T00:00:00Z' },
      'old',
    );
    const memory = await open();
    await memory.renderIndex();
    const before = await fileHashes(dir);
    const first = await memory.dream();
    expect(await fileHashes(dir)).not.toEqual(before);
    // The winner the dream wrote carries no check time any more: it is in .state/verdicts/, readers still see it.
    expect(await meta(dir, 'api-port')).not.toContain('verified');
    const winner = await memory.show('api-port');
    expect(winner.found && 'verified' in winner && winner.verified).toBe('2026-11-20T00:00:00Z');
    const result = await memory.rollbackDream();
    expect(result.id).toBe(first.status === 'applied' ? first.id : '');
    expect(result.indexIdentical).toBe(true);
    expect(await fileHashes(dir)).toEqual(before);
    // Dream again, then a person edits a topic it changed: rollback would erase that edit.
    await memory.dream();
    await memory.remember({ name: 'API port', slug: 'api-port', description: 'port', type: 'project', body: 'The API port is 7070.' });
    await expect(memory.rollbackDream()).rejects.toThrow(/changed since dream/);
    // With --force the snapshot wins; the person's version is kept in the trash.
    await memory.rollbackDream(undefined, { force: true });
    expect(await fileHashes(dir)).toEqual(before);
    const trash = await readdir(join(dir, '.state', 'trash'));
    const copies = await Promise.all(trash.map((name) => readFile(join(dir, '.state', 'trash', name), 'utf8')));
    expect(copies.some((copy) => copy.includes('The API port is 7070.'))).toBe(true);
    memory.close();
  });

  it('never erases a write that lands while it dreams', async () => {
    const { dir, cwd, clock } = await setup();
    await writeTopic(
      dir,
      'a-one',
      { name: 'Feature flags live in flags.yaml', description: 'where flags are', type: 'project' },
      'All feature flags are declared in config/flags.yaml.',
    );
    await writeTopic(
      dir,
      'a-two',
      { name: 'Feature flags are in config/flags.yaml', description: 'flag location', type: 'project' },
      'Feature flags: config/flags.yaml declares them.',
    );
    const other = await openMemory({ dir, cwd, clock, config: { logLevel: 'silent' } });
    const memory = await openMemory({
      dir,
      cwd,
      clock,
      config: { logLevel: 'silent' },
      onDreamPhase: async (phase) => {
        if (phase === 're-index')
          await other.remember({
            name: 'Feature flags',
            slug: 'a-two',
            description: 'edited meanwhile',
            type: 'project',
            body: 'A person rewrote this while the dream ran.',
          });
      },
    });
    const outcome = await memory.dream();
    memory.close();
    other.close();
    if (outcome.status !== 'applied') throw new Error(outcome.status);
    expect(outcome.skipped).toEqual(['a-one', 'a-two']);
    expect(await meta(dir, 'a-two')).toContain('A person rewrote this while the dream ran.');
    expect(await meta(dir, 'a-one')).not.toContain('superseded');
  });

  it('runs one dream at a time: a second one is refused while the first holds the lock', async () => {
    const { dir, open } = await setup();
    await writeTopic(dir, 'x', { name: 'X', description: 'x', type: 'project' }, 'x');
    const memory = await open();
    let second: unknown;
    const other = await open();
    const first = await (async () => {
      const running = await openMemory({
        dir,
        config: { logLevel: 'silent' },
        onDreamPhase: async (phase) => {
          if (phase === 'gather') second = await other.dream().catch((error: unknown) => error);
        },
      });
      try {
        return await running.dream();
      } finally {
        running.close();
      }
    })();
    expect(first.status).toBe('applied');
    expect(String(second)).toMatch(/Another dream is running/);
    expect((await other.dream({ ifDue: true })).status).toBe('not-due');
    memory.close();
    other.close();
  });
});
