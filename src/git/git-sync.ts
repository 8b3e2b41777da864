import { pendingTombstones } from '../discipline/index.js';
import { CONFLICT_ERROR } from '../store/index.js';
import type { Memory } from '../app/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface GitSyncReport {
  root: string;
  /** Topics retired here because a tombstone from another clone says so. */
  retired: string[];
  /** Whether MEMORY.md was rendered again (it disagreed with the topic files). */
  indexWritten: boolean;
  /** Memory files left with git conflict markers (unreadable until resolved; `mnemo doctor` explains them). */
  conflicts: string[];
  /** Why nothing could be written, when writes are off. */
  readOnly: boolean;
  /** Whether anything changed. */
  changed: boolean;
}

/**
 * `mnemo git sync`, run by the hooks after a merge, a checkout or a rebase: the search index
 * reads the files again (a full scan: git changes files without mnemo's write counter), topics
 * whose tombstone came with the pull are retired, and MEMORY.md is rendered again when it
 * disagrees with the topics. Writes nothing when nothing changed.
 */
export async function syncAfterGit(memory: Memory): Promise<GitSyncReport> {
  const topics = await memory.list(); // the full scan of the topic files
  const root = memory.root;
  const pending = await pendingTombstones(root);
  // A topic with conflict markers reads as unreadable, saying so: no second pass over the files.
  const conflicts = topics.flatMap((topic) => (!topic.readable && topic.error.startsWith(CONFLICT_ERROR) ? [`${topic.slug}.md`] : []));
  const check = await memory.checkIndex();
  const readOnly = memory.config.writes === 'read-only' || memory.config.writes === 'off';
  if (readOnly || (pending.length === 0 && check.ok)) {
    return { root, retired: [], indexWritten: false, conflicts, readOnly, changed: false };
  }
  await memory.renderIndex();
  const retired = pending.map(({ tombstone }) => tombstone.slug).filter((slug) => !existsSync(join(root, `${slug}.md`)));
  return { root, retired, indexWritten: true, conflicts, readOnly, changed: true };
}
