import { pendingTombstones } from '../discipline/index.js';
import { CONFLICT_ERROR } from '../store/index.js';
import type { Memory } from '../app/index.js';
import type { GitArrivals } from '../discipline/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { committedAtHead } from './head-blobs.js';

export interface GitSyncReport {
  root: string;
  /** Topics retired here because a tombstone from another clone says so. */
  retired: string[];
  /** Whether MEMORY.md was rendered again (it disagreed with the topic files). */
  indexWritten: boolean;
  /** Memory files left with git conflict markers (unreadable until resolved; `mnemo doctor` explains them). */
  conflicts: string[];
  /** Topics that changed through git and the guard found clean: recorded as arrived, so `mnemo doctor` stays quiet about them. */
  arrived: string[];
  /** Topics that changed through git and carry what the guard flags: left for `mnemo doctor` (and withheld or caveated by recall). */
  flagged: GitArrivals['flagged'];
  /** Topics changed here and not committed (their bytes are not HEAD's): no arrival, a hand edit that `mnemo doctor` reports. */
  local: string[];
  /** Why nothing could be written, when writes are off. */
  readOnly: boolean;
  /** Whether anything changed. */
  changed: boolean;
}

/**
 * `mnemo git sync`, run by the hooks after a merge, a checkout or a rebase: the search index
 * reads the files again (a full scan: git changes files without mnemo's write counter), topics
 * whose tombstone came with the pull are retired, and MEMORY.md is rendered again when it
 * disagrees with the topics. Topics whose hash the integrity manifest does not know (a teammate's
 * new or edited topic) and whose bytes are the ones committed at HEAD are scanned by the guard:
 * clean ones are recorded as arrived through git, flagged ones are left for `mnemo doctor`, and so
 * is an edit made here and not committed (it never came through git). Writes nothing when nothing
 * changed.
 */
export async function syncAfterGit(memory: Memory): Promise<GitSyncReport> {
  const topics = await memory.list(); // the full scan of the topic files
  const root = memory.root;
  const pending = await pendingTombstones(root);
  // A topic with conflict markers reads as unreadable, saying so: no second pass over the files.
  const conflicts = topics.flatMap((topic) => (!topic.readable && topic.error.startsWith(CONFLICT_ERROR) ? [`${topic.slug}.md`] : []));
  const check = await memory.checkIndex();
  const readOnly = memory.config.writes === 'read-only' || memory.config.writes === 'off';
  if (readOnly) return { root, retired: [], indexWritten: false, conflicts, arrived: [], flagged: [], local: [], readOnly, changed: false };
  let retired: string[] = [];
  let indexWritten = false;
  if (pending.length > 0 || !check.ok) {
    await memory.renderIndex(); // retires what the pulled tombstones say first
    retired = pending.map(({ tombstone }) => tombstone.slug).filter((slug) => !existsSync(join(root, `${slug}.md`)));
    indexWritten = true;
  }
  const { arrived, flagged, local } = await memory.recordGitArrivals(committedAtHead(root));
  return { root, retired, indexWritten, conflicts, arrived, flagged, local, readOnly, changed: indexWritten || arrived.length > 0 };
}
