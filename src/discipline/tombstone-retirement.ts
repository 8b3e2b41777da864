import type { ChangeSet } from './change-set.js';
import { pendingTombstones } from './tombstone-files.js';

/**
 * The change that retires every topic a tombstone from another clone names and that is still in
 * the folder here: to the trash (the change set keeps the copy), one audit line each naming the
 * tombstone. Undefined when there is nothing to retire.
 */
export async function tombstoneRetirement(root: string): Promise<{ changes: ChangeSet; slugs: string[] } | undefined> {
  const pending = await pendingTombstones(root);
  if (pending.length === 0) return undefined;
  return {
    slugs: pending.map(({ tombstone }) => tombstone.slug),
    changes: {
      reason: 'tombstones',
      writes: [],
      removals: pending.map(({ tombstone, hash }) => ({ slug: tombstone.slug, ...(hash === undefined ? {} : { expectHash: hash }) })),
      audit: pending.map(({ tombstone, file }) => ({
        action: 'topic-retired',
        slug: tombstone.slug,
        id: tombstone.id,
        actor: 'git',
        reason: `tombstone ${file} (${tombstone.by}: ${tombstone.reason})`,
        details: { tombstone: file },
      })),
    },
  };
}
