import { readFile, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  MnemoError,
  errnoCode,
  fsyncDirectory,
  isValidSlug,
  withFolderMade,
  randomToken,
  writeFileAtomic,
  type Clock,
  type Logger,
} from '../shared/index.js';
import { redactDeep, redactSecrets } from '../guard/index.js';
import type { WrittenTopic } from '../retrieval/index.js';
import { recordGuardEvent } from './guard-log.js';
import { tombstonePath, type TombstoneFileWrite } from './tombstone-files.js';
import { appendAudit, rootPaths, topicFileHash, topicPath, writeTopicFile, type AuditEntry } from '../store/index.js';

/** One topic file to write: its full new content (already guarded and redacted). */
export interface TopicFileWrite {
  slug: string;
  content: string;
  /**
   * The hash of the file this write was computed from: `null` for a new topic, a hash for an
   * update. When the file on disk differs at commit time, the change set reports a conflict.
   */
  expectHash?: string | null;
}

/** A topic to move to the trash (retire, forget). */
export interface TopicFileRemoval {
  slug: string;
  expectHash?: string;
}

/** A file under `.state/` changed together with the topics (a task closed by its promotion). */
export interface StateFileWrite {
  /** Relative to `.state/`. */
  path: string;
  /** New content; `null` removes the file. */
  content: string | null;
}

/** Several file changes applied as one: all or (after recovery) all, never a part. */
export interface ChangeSet {
  reason: string;
  writes: TopicFileWrite[];
  removals: TopicFileRemoval[];
  audit: Omit<AuditEntry, 'time'>[];
  state?: StateFileWrite[];
  /** Tombstone files added or withdrawn in `<root>/tombstones/` with the removals they stand for. */
  tombstones?: TombstoneFileWrite[];
}

interface Journal {
  id: string;
  time: string;
  reason: string;
  writes: TopicFileWrite[];
  removals: TopicFileRemoval[];
  audit: AuditEntry[];
  state?: StateFileWrite[];
  tombstones?: TombstoneFileWrite[];
  /** Copies of the files as they were before, slug → trash path. */
  backups: Record<string, string>;
}

export type ConflictPolicy = 'abort' | 'skip';

/** Points inside a change where a test may inject a crash (the hook may kill the process). */
export type ChangePhase =
  'journal-written' | 'backups-written' | 'topic-written' | 'removals-done' | 'audit-written' | 'journal-removed' | 'index-written';
export type PhaseHook = (phase: ChangePhase, detail?: string) => void | Promise<void>;

export interface Conflict {
  slug: string;
  expected: string | null | undefined;
  actual: string | null;
}

/** A path under `.state/`, refusing anything that leaves it. */
function statePath(root: string, relativePath: string): string {
  const state = rootPaths(root).state;
  const path = resolve(state, relativePath);
  if (!path.startsWith(`${state}${sep}`)) {
    throw new MnemoError('invalid-input', `${JSON.stringify(relativePath)} is not a path inside .state/.`);
  }
  return path;
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Find conflicts between a change set's expectations and the files as they are now. */
export async function findConflicts(root: string, changes: Pick<ChangeSet, 'writes' | 'removals'>): Promise<Conflict[]> {
  const conflicts: Conflict[] = [];
  for (const item of [...changes.writes, ...changes.removals]) {
    if (item.expectHash === undefined) continue;
    const actual = await topicFileHash(root, item.slug);
    if (actual !== item.expectHash) conflicts.push({ slug: item.slug, expected: item.expectHash, actual });
  }
  return conflicts;
}

/**
 * Apply a change set through a journal. Must be called under the memory lock. Order: journal
 * (with every new content) → backup copies of what will change → topic files → removals to
 * trash → audit → journal removed. A crash at any point is finished by `recoverJournals`.
 * The index is re-rendered by the caller after this returns. Returns, with the journal's id and
 * the backups, the topic files written (content, size, time), so the caller need not read them back.
 *
 * Crash argument (what each fsync is for; a `remember` of a new topic costs five):
 * - The journal file and its folder are fsynced before any topic changes (`writeFileAtomic`): from
 *   then on, a crash is finished from the journal, which holds every new content.
 * - Backups are fsynced (file and trash folder) before the file they copy is replaced; with no
 *   backup to make (a new topic) the trash folder is not touched and not fsynced.
 * - Each topic file is fsynced before its rename and the memory folder after it, so a rename
 *   is durable before the journal can go.
 * - The journal's removal is not fsynced: if a power cut loses it, recovery rolls the change
 *   forward again, and every step is idempotent (same bytes written, backups made once, the
 *   audit line written only when its change id is missing). The next change's journal write
 *   fsyncs the journal folder anyway.
 * - MEMORY.md, derived, is written by the caller without a folder fsync (see `writeIndexFile`).
 */
export async function applyChangeSet(
  root: string,
  changes: ChangeSet,
  clock: Clock,
  onPhase?: PhaseHook,
): Promise<{ journalId: string; backups: Record<string, string>; written: Map<string, WrittenTopic> }> {
  const paths = rootPaths(root);
  const now = clock.now();
  for (const item of [...changes.writes, ...changes.removals]) topicPath(root, item.slug);
  for (const item of changes.state ?? []) statePath(root, item.path);
  for (const item of changes.tombstones ?? []) tombstonePath(root, item.file);
  // No mkdir of journal/ or trash/ here: the atomic write of the journal (and of a backup) makes
  // its folder when the open finds it missing, and a removal makes trash/ when its rename does.
  const id = `${stamp(now)}-${randomToken(6)}`;
  const backups: Record<string, string> = {};
  for (const item of [...changes.writes, ...changes.removals]) {
    if ((await topicFileHash(root, item.slug)) !== null)
      backups[item.slug] = join(paths.trash, `${stamp(now)}-${randomToken(4)}-${item.slug}.md`);
  }
  // The last line of defence: no secret reaches a topic, a state file, the audit or the journal,
  // whichever path prepared the change (the guard redacted them before, where it could).
  let redacted = 0;
  const clean = (text: string): string => {
    const result = redactSecrets(text);
    redacted += result.redactions.length;
    return result.text;
  };
  const audit = redactDeep(
    changes.audit.map((entry) => ({ time: now.toISOString(), ...entry, details: { ...entry.details, change: id } })),
  );
  redacted += audit.redactions.length;
  const journal: Journal = {
    id,
    time: now.toISOString(),
    reason: changes.reason,
    writes: changes.writes.map((write) => ({ ...write, content: clean(write.content) })),
    removals: changes.removals,
    ...(changes.state
      ? { state: changes.state.map((item) => ({ ...item, content: item.content === null ? null : clean(item.content) })) }
      : {}),
    ...(changes.tombstones
      ? { tombstones: changes.tombstones.map((item) => ({ ...item, content: item.content === null ? null : clean(item.content) })) }
      : {}),
    audit: audit.value,
    backups,
  };
  await recordGuardEvent(root, { time: now.toISOString(), action: 'redacted', where: 'change', count: redacted });
  const journalPath = join(paths.journal, `${id}.json`);
  await writeFileAtomic(journalPath, JSON.stringify(journal));
  await onPhase?.('journal-written', id);
  const written = new Map<string, WrittenTopic>();
  await rollForward(root, journal, { onPhase, fresh: true, written });
  // Not fsynced: the removal only says "done". Lost in a power cut, the journal is found again
  // and rolled forward once more, which is idempotent (see applyChangeSet's crash argument).
  await unlink(journalPath);
  await onPhase?.('journal-removed', id);
  return { journalId: id, backups, written };
}

/**
 * Finish a journaled change: idempotent, so it can run again after a crash at any point. `fresh`:
 * the first run of a change just journaled, whose audit lines cannot be written yet (its id is
 * new), so the audit log is not searched for them (a read of the whole log, growing with the
 * memory, on every write).
 */
async function rollForward(
  root: string,
  journal: Journal,
  options: { onPhase?: PhaseHook; fresh?: boolean; written?: Map<string, WrittenTopic> } = {},
): Promise<void> {
  const { onPhase } = options;
  const removed = new Set(journal.removals.map((item) => item.slug));
  // The trash folder is fsynced when a backup is involved and no write of one here did it already
  // (a copy found from an earlier, interrupted attempt may not be durable yet).
  let trashUnsynced = false;
  for (const [slug, backup] of Object.entries(journal.backups)) {
    if (removed.has(slug)) continue;
    const exists = await readFile(backup).then(
      () => true,
      () => false,
    );
    if (exists) {
      trashUnsynced = true;
      continue;
    }
    const current = await readFile(topicPath(root, slug)).catch(() => undefined);
    // Copy the old version aside once; if the new one is already in place, the copy was made.
    const planned = journal.writes.find((write) => write.slug === slug);
    if (current !== undefined && (planned === undefined || current.toString('utf8') !== planned.content)) {
      await writeFileAtomic(backup, current); // fsyncs the file and the trash folder
    } else trashUnsynced = true;
  }
  if (trashUnsynced) await fsyncDirectory(rootPaths(root).trash);
  await onPhase?.('backups-written');
  for (const write of journal.writes) {
    const file = await writeTopicFile(root, write.slug, write.content);
    options.written?.set(write.slug, { content: write.content, size: file.size, mtimeMs: file.mtimeMs });
    await onPhase?.('topic-written', write.slug);
  }
  for (const removal of journal.removals) {
    const target = journal.backups[removal.slug];
    const present = await readFile(topicPath(root, removal.slug)).then(
      () => true,
      () => false,
    );
    if (!present) continue;
    if (target === undefined) continue; // it did not exist when the change was planned
    // trash/ is made when the rename finds it missing (removed by hand).
    await withFolderMade(dirname(target), () => rename(topicPath(root, removal.slug), target));
    await fsyncDirectory(root);
  }
  for (const removal of journal.removals) options.written?.delete(removal.slug); // written, then moved away: gone
  for (const item of journal.state ?? []) {
    const path = statePath(root, item.path);
    if (item.content === null) await unlink(path).catch(() => undefined);
    else await writeFileAtomic(path, item.content); // makes its folder when missing
  }
  for (const item of journal.tombstones ?? []) {
    const path = tombstonePath(root, item.file);
    if (item.content === null) await unlink(path).catch(() => undefined);
    else await writeFileAtomic(path, item.content); // makes its folder when missing
  }
  await onPhase?.('removals-done');
  const written = options.fresh !== true && (await auditAlreadyWritten(root, journal.id));
  if (!written) await appendAudit(root, journal.audit);
  await onPhase?.('audit-written');
}

async function auditAlreadyWritten(root: string, changeId: string): Promise<boolean> {
  try {
    const text = await readFile(rootPaths(root).audit, 'utf8');
    return text.includes(`"change":"${changeId}"`);
  } catch {
    return false;
  }
}

/** The journals in `.state/journal/` (changes not finished yet), oldest first; none when there is no such folder. */
export async function listJournals(root: string): Promise<string[]> {
  try {
    return (await readdir(rootPaths(root).journal)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Finish every change set a crash left half-applied (`journals`: as `listJournals` just listed them). Must run under the memory lock, before any
 * new write and before the index is rendered. Returns the ids it finished.
 */
export async function recoverJournals(
  root: string,
  logger: Logger,
  journals?: readonly string[],
): Promise<{ id: string; slugs: string[] }[]> {
  const folder = rootPaths(root).journal;
  const names = journals ?? (await listJournals(root));
  const finished: { id: string; slugs: string[] }[] = [];
  for (const name of names) {
    const path = join(folder, name);
    let journal: Journal;
    try {
      journal = JSON.parse(await readFile(path, 'utf8')) as Journal;
    } catch {
      // An atomic write never leaves a partial journal; an unreadable one is set aside, not applied.
      logger.warn('unreadable journal set aside', { path });
      await rename(path, `${path}.unreadable`).catch(() => undefined);
      continue;
    }
    if (![...journal.writes, ...journal.removals].every((item) => isValidSlug(item.slug))) {
      logger.warn('journal with invalid topic names set aside', { path });
      continue;
    }
    await rollForward(root, journal);
    await unlink(path).catch(() => undefined);
    finished.push({ id: journal.id, slugs: [...journal.writes, ...journal.removals].map((item) => item.slug) });
    logger.info('finished an interrupted change', { change: journal.id, reason: journal.reason });
  }
  return finished;
}
