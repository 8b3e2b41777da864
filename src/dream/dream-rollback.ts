import { readFile } from 'node:fs/promises';
import {
  RANK_USAGE_FILE,
  readTombstoneFiles,
  type IndexReport,
  type MemoryWriter,
  type StateFileWrite,
  type TopicFileRemoval,
  type TopicFileWrite,
} from '../discipline/index.js';
import { HOUR_MS, MnemoError, sha256, tryAcquireLock, type Clock } from '../shared/index.js';
import { rootPaths, topicFileHash } from '../store/index.js';
import {
  TOMBSTONES_FILE,
  dreamLockPath,
  listDreamRecords,
  readDreamRecord,
  readTombstones,
  recordFile,
  type DreamRecord,
} from './dream-files.js';
import { readSnapshot, readSnapshotFile } from './snapshot.js';

export interface RollbackDependencies {
  root: string;
  clock: Clock;
  writer: MemoryWriter;
  lockStaleHours: number;
}

export interface RollbackResult {
  id: string;
  /** Topics written back to their bytes before the dream. */
  restored: string[];
  /** Topics the dream had created, moved to the trash. */
  removed: string[];
  /** Whether MEMORY.md is byte-identical to the snapshot after the index was rendered again. */
  indexIdentical: boolean;
  index: IndexReport;
  text: string;
}

async function chooseRecord(root: string, id: string | undefined): Promise<DreamRecord> {
  if (id !== undefined) {
    const record = await readDreamRecord(root, id);
    if (!record) throw new MnemoError('not-found', `No dream ${id}.`, { hint: 'See `mnemo dream status` for the dreams there are.' });
    return record;
  }
  const last = (await listDreamRecords(root)).find((record) => record.status === 'applied');
  if (!last) throw new MnemoError('not-found', 'No dream to roll back.', { hint: 'A dream that was rolled back already, or none ran.' });
  return last;
}

/**
 * Roll a dream back: every topic it changed gets back its exact bytes from the snapshot, topics
 * it created go to the trash, its tombstones are withdrawn, through one journaled change with an
 * audit line per topic; the index is rendered again. Refused when any of those topics changed
 * since the dream (a person's write would be erased), unless `force`: then they are overwritten too.
 */
export async function rollbackDream(
  dependencies: RollbackDependencies,
  id?: string,
  options: { force?: boolean } = {},
): Promise<RollbackResult> {
  const { root, clock, writer } = dependencies;
  writer.assertWritable('roll back a dream');
  const lock = await tryAcquireLock(dreamLockPath(root), {
    purpose: 'dream rollback',
    clock,
    staleMs: dependencies.lockStaleHours * HOUR_MS,
  });
  if (!lock.acquired) {
    throw new MnemoError('lock-timeout', `A dream is running (process ${lock.owner?.pid ?? '?'}); it cannot be rolled back now.`, {
      hint: 'Wait for it to finish, then run the rollback again.',
    });
  }
  try {
    return await writer.locked('dream rollback', async () => {
      const record = await chooseRecord(root, id);
      if (record.status === 'rolled-back') {
        throw new MnemoError('invalid-input', `Dream ${record.id} was already rolled back (${record.rolledBack?.time ?? ''}).`);
      }
      const snapshot = record.snapshot === '' ? undefined : await readSnapshot(root, record.id);
      const changed: string[] = [];
      for (const [slug, file] of Object.entries(record.files)) if ((await topicFileHash(root, slug)) !== file.after) changed.push(slug);
      if (changed.length > 0 && !options.force) {
        throw new MnemoError(
          'check-failed',
          `Topics changed since dream ${record.id}: ${changed.join(', ')}. Rolling back would erase those changes.`,
          {
            hint: `Roll back later dreams first, or pass --force to restore dream ${record.id}'s snapshot over them (the current versions go to the trash).`,
          },
        );
      }
      const writes: TopicFileWrite[] = [];
      const removals: TopicFileRemoval[] = [];
      const restored: string[] = [];
      const removed: string[] = [];
      for (const [slug, file] of Object.entries(record.files)) {
        const expectHash = options.force ? undefined : file.after;
        if (file.before === null) {
          if ((await topicFileHash(root, slug)) === null) continue;
          removals.push({ slug, ...(expectHash ? { expectHash } : {}) });
          removed.push(slug);
          continue;
        }
        const bytes = snapshot ? await readSnapshotFile(root, snapshot, `${slug}.md`) : undefined;
        if (!bytes || sha256(bytes) !== file.before) {
          throw new MnemoError('io', `The snapshot of dream ${record.id} has no intact copy of ${slug}.md; nothing was changed.`, {
            hint: `Look for it in ${rootPaths(root).trash}; the dream's retired and replaced versions are kept there too.`,
          });
        }
        const content = bytes.toString('utf8');
        if (Buffer.from(content, 'utf8').equals(bytes) === false) {
          throw new MnemoError(
            'io',
            `${slug}.md in the snapshot is not UTF-8 text and cannot be restored byte for byte; nothing was changed.`,
          );
        }
        writes.push({ slug, content, ...(expectHash !== undefined ? { expectHash } : {}) });
        restored.push(slug);
      }
      const now = clock.now().toISOString();
      const tombstones = (await readTombstones(root)).filter((tombstone) => tombstone.dream !== record.id);
      const updated: DreamRecord = { ...record, status: 'rolled-back', rolledBack: { time: now, restored } };
      const state: StateFileWrite[] = [
        { path: recordFile(record.id), content: JSON.stringify(updated, null, 2) },
        { path: TOMBSTONES_FILE, content: tombstones.map((tombstone) => `${JSON.stringify(tombstone)}\n`).join('') },
        ...(record.rankUsageBefore === undefined ? [] : [{ path: RANK_USAGE_FILE, content: record.rankUsageBefore }]),
      ];
      // Its tombstones in the repository are withdrawn too, so other clones keep (or get back) those topics.
      const withdrawn = (await readTombstoneFiles(root)).found.filter((entry) => entry.tombstone.dream === record.id);
      const reason = `rollback of dream ${record.id}`;
      const snapshotIndexBytes = snapshot ? await readSnapshotFile(root, snapshot, 'MEMORY.md') : undefined;
      const snapshotIndex = snapshotIndexBytes?.toString('utf8');
      const result = await writer.commitLocked(
        {
          reason,
          writes,
          removals,
          audit: [
            ...restored.map((slug) => ({ action: 'topic-restored', slug, actor: 'dream-rollback', reason })),
            ...removed.map((slug) => ({
              action: 'topic-withdrawn',
              slug,
              actor: 'dream-rollback',
              reason: `${reason}: the dream created it`,
            })),
            { action: 'dream-rolled-back', actor: 'dream-rollback', reason, details: { dream: record.id, forced: options.force === true } },
          ],
          state,
          tombstones: withdrawn.map((entry) => ({ file: entry.file, content: null })),
        },
        // verbatim: the snapshot's bytes as they were, an older `verified` field included.
        { onConflict: 'abort', verbatim: true, ...(snapshotIndex === undefined ? {} : { preferIndexText: snapshotIndex }) },
      );
      const indexBytes = await readFile(rootPaths(root).index).catch(() => Buffer.alloc(0));
      const indexIdentical = record.indexHash === null || sha256(indexBytes) === record.indexHash;
      const text = [
        `Rolled back dream ${record.id}: ${restored.length} topic(s) restored byte for byte, ${removed.length} topic(s) it created moved to the trash.`,
        indexIdentical
          ? 'MEMORY.md is byte-identical to before the dream.'
          : 'MEMORY.md was rendered again from the restored topics; it differs from before the dream only where ranking by use and age moved since.',
      ].join('\n');
      return { id: record.id, restored, removed, indexIdentical, index: result.index, text };
    });
  } finally {
    await lock.handle.release();
  }
}
