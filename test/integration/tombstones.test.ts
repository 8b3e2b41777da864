import { existsSync } from 'node:fs';
import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, initMemory, openMemory } from '../../src/index.js';

const DAY_MS = 86_400_000;
import { writeTopic } from '../helpers/dream-fixtures.js';
import { git } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-root.js';

/* Tombstones in the repository: a retirement on one copy of a memory reaches every other copy. */

const NOW = '2026-11-25T10:00:00Z';

async function twoCopies() {
  const cwd = await tempDir();
  const here = join(cwd, 'here');
  const there = join(cwd, 'there');
  await initMemory({ dir: here, cwd });
  const clock = createManualClock(NOW);
  const open = (dir: string) => openMemory({ dir, cwd, workspace: cwd, clock, config: { logLevel: 'silent' } });
  /** What a pull brings: the committed files, never `.state/`. */
  const pull = (from: string, to: string) => cp(from, to, { recursive: true, filter: (source) => !source.includes(`${from}/.state`) });
  return { here, there, open, pull };
}

async function tombstoneFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'tombstones')).catch(() => [] as string[])).sort();
}

describe('tombstones in the repository', () => {
  it('a forget here retires the same topic in another copy at its next write; doctor shows it first and changes nothing', async () => {
    const { here, there, open, pull } = await twoCopies();
    const mine = await open(here);
    await mine.remember({ name: 'Deploys', description: 'staging is blue-green', body: 'Staging is blue-green.', type: 'project' });
    await mine.remember({ name: 'Editor', description: 'two spaces', body: 'Indent with two spaces.', type: 'project' });
    await pull(here, there);
    const forgot = await mine.forget('deploys', { reason: 'we moved to canary' });
    expect(forgot.tombstone).toMatch(/^tombstones\/deploys--20261125T100000Z-[a-z0-9]{4}\.json$/);
    const tombstone = JSON.parse(await readFile(join(here, forgot.tombstone ?? ''), 'utf8')) as Record<string, unknown>;
    expect(tombstone).toMatchObject({ v: 1, slug: 'deploys', name: 'Deploys', by: 'forget', reason: 'we moved to canary' });
    // the other copy still has its deploys.md (an old branch, an edit kept in a conflict)
    await cp(join(here, 'tombstones'), join(there, 'tombstones'), { recursive: true });
    const theirs = await open(there);
    const doctor = await theirs.doctor();
    expect(doctor.git.tombstones.pending).toEqual(['deploys']);
    expect(doctor.wouldChange.join('\n')).toContain('retire deploys.md');
    expect(doctor.ok).toBe(false);
    expect(existsSync(join(there, 'deploys.md'))).toBe(true);
    // any write there applies it first
    await theirs.remember({ name: 'Tests', description: 'vitest', body: 'Tests run with vitest.', type: 'project' });
    expect(existsSync(join(there, 'deploys.md'))).toBe(false);
    expect((await theirs.list()).map((topic) => topic.slug).sort()).toEqual(['editor', 'tests']);
    expect(await readFile(join(there, 'MEMORY.md'), 'utf8')).not.toContain('deploys.md');
    expect(await theirs.records.versions('deploys')).toHaveLength(1); // recoverable from the trash
    const retiredLine = (await theirs.records.audit({ slug: 'deploys' })).find((entry) => entry.action === 'topic-retired');
    expect(retiredLine).toMatchObject({ actor: 'git' });
    expect(retiredLine?.reason).toContain('we moved to canary');
    expect((await theirs.doctor()).git.tombstones.pending).toEqual([]);
    // a topic written again under the slug has a new id: the old tombstone leaves it alone
    await mine.remember({ name: 'Deploys', description: 'canary now', body: 'Deploys are canary.', type: 'project' });
    await cp(join(here, 'deploys.md'), join(there, 'deploys.md'));
    await theirs.remember({ name: 'Editor', description: 'two spaces, always', body: 'Indent with two spaces.', type: 'project' });
    expect(existsSync(join(there, 'deploys.md'))).toBe(true);
    mine.close();
    theirs.close();
  });

  it('a dream’s retirements are tombstones in the repository, and its rollback withdraws them', async () => {
    const { here, open } = await twoCopies();
    await writeTopic(here, 'new-way', { name: 'New way', description: 'the current way', type: 'project', id: 'ID-NEW' }, 'New.');
    await writeTopic(
      here,
      'old-way',
      {
        name: 'Old way',
        description: 'how it was',
        type: 'project',
        id: 'ID-OLD',
        status: 'superseded',
        supersededBy: 'ID-NEW',
        updated: '2026-11-01T00:00:00Z',
      },
      'Old.',
    );
    const memory = await open(here);
    const outcome = await memory.dream();
    if (outcome.status !== 'applied') throw new Error(outcome.status);
    const files = await tombstoneFiles(here);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^old-way--/);
    expect(JSON.parse(await readFile(join(here, 'tombstones', files[0] ?? ''), 'utf8'))).toMatchObject({
      slug: 'old-way',
      id: 'ID-OLD',
      by: 'dream',
      dream: outcome.id,
    });
    await memory.rollbackDream(outcome.id);
    expect(await tombstoneFiles(here)).toEqual([]);
    expect(existsSync(join(here, 'old-way.md'))).toBe(true);
    memory.close();
  });

  it('old tombstones are pruned by doctor --fix and dream, with a copy in the trash, never while a branch still holds the topic', async () => {
    const cwd = await tempDir();
    git(cwd, 'init', '-q', '-b', 'main');
    const dir = join(cwd, '.mnemo');
    await initMemory({ dir, cwd });
    const clock = createManualClock(NOW);
    const memory = await openMemory({ dir, cwd, workspace: cwd, clock, config: { logLevel: 'silent' } });
    await memory.remember({ name: 'Deploys', description: 'blue-green', body: 'Staging is blue-green.', type: 'project' });
    await memory.remember({ name: 'Editor', description: 'two spaces', body: 'Indent with two spaces.', type: 'project' });
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'memory');
    git(cwd, 'branch', 'old-feature'); // a branch from before the forget: it still has deploys.md
    const forgot = await memory.forget('deploys');
    const file = (forgot.tombstone ?? '').replace('tombstones/', '');
    const content = await readFile(join(dir, 'tombstones', file), 'utf8');
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'forget deploys');
    clock.advance(60 * DAY_MS);
    await memory.forget('editor'); // 31 days old when the first is 91
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', 'forget editor');
    clock.advance(31 * DAY_MS);

    // 91 days old, but merging old-feature would bring deploys.md back: kept, saying why
    let doctor = await memory.doctor({ fix: true });
    expect(doctor.git.tombstones.old.pruned).toEqual([]);
    expect(doctor.git.tombstones.old.kept).toEqual([
      { file, slug: 'deploys', reason: 'the branch old-feature still has deploys.md: merging it would bring it back' },
    ]);
    expect(await tombstoneFiles(dir)).toHaveLength(2);

    git(cwd, 'branch', '-D', '-q', 'old-feature');
    doctor = await memory.doctor();
    expect(doctor.wouldChange.join('\n')).toContain(`prune tombstones/${file}`);
    expect(await tombstoneFiles(dir)).toHaveLength(2); // without --fix nothing changes
    doctor = await memory.doctor({ fix: true });
    expect(doctor.git.tombstones.old.pruned.map((entry) => entry.file)).toEqual([file]);
    expect((await tombstoneFiles(dir)).map((name) => name.split('--')[0])).toEqual(['editor']);
    // recoverable: the same bytes in the trash, and the audit says so
    expect(await readFile(join(dir, '.state', 'trash', 'tombstones', file), 'utf8')).toBe(content);
    expect((await memory.records.audit({ slug: 'deploys' })).map((entry) => entry.action)).toContain('tombstone-pruned');

    // a dream prunes the other one once it is old enough
    clock.advance(60 * DAY_MS);
    const dream = await memory.dream();
    if (dream.status !== 'applied') throw new Error(dream.status);
    expect(dream.tombstonesPruned).toHaveLength(1);
    expect(await tombstoneFiles(dir)).toEqual([]);
    memory.close();
  });

  it('keepDays: null never prunes, and a tombstone whose topic is still here is applied, not pruned', async () => {
    const { here, there, open, pull } = await twoCopies();
    const clock = createManualClock(NOW);
    const mine = await open(here);
    await mine.remember({ name: 'Deploys', description: 'blue-green', body: 'Staging is blue-green.', type: 'project' });
    await pull(here, there);
    await mine.forget('deploys');
    await cp(join(here, 'tombstones'), join(there, 'tombstones'), { recursive: true });
    const never = await openMemory({
      dir: here,
      cwd: here,
      workspace: here,
      clock,
      config: { logLevel: 'silent', tombstones: { keepDays: null } },
    });
    clock.advance(400 * DAY_MS);
    expect((await never.doctor({ fix: true })).git.tombstones.old).toEqual({ pruned: [], kept: [] });
    expect(await tombstoneFiles(here)).toHaveLength(1);
    const theirs = await openMemory({ dir: there, cwd: there, workspace: there, clock, config: { logLevel: 'silent' } });
    const doctor = await theirs.doctor();
    expect(doctor.git.tombstones.pending).toEqual(['deploys']);
    expect(doctor.git.tombstones.old.kept.map((entry) => entry.reason)).toEqual(['deploys.md is still here (it is retired first)']);
    expect((await theirs.doctor({ fix: true })).git.tombstones.retired).toEqual(['deploys']);
    mine.close();
    never.close();
    theirs.close();
  });
});
