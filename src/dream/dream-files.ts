import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, randomToken } from '../shared/index.js';
import { rootPaths } from '../store/index.js';
import type { DreamActionKind, Tombstone } from './dream-plan.js';

/*
 * Where dreams keep their state, all under `.state/` (relative paths are what change sets take):
 *   dreams/last.json            when the last dream ran and what it had seen (the trigger reads it)
 *   dreams/<id>.json            the record of one dream: every file it changed, before and after
 *   dreams/<id>.md              its report
 *   dreams/<id>/snapshot/       byte copies of MEMORY.md and every topic, taken before it changed anything
 *   tombstones.jsonl            one line per retired topic, with where its copy is
 *   locks/dream.lock            one dream at a time across processes
 */
export const DREAMS_FOLDER = 'dreams';
export const LAST_DREAM_FILE = join(DREAMS_FOLDER, 'last.json');
export const TOMBSTONES_FILE = 'tombstones.jsonl';

export function recordFile(id: string): string {
  return join(DREAMS_FOLDER, `${id}.json`);
}
export function reportFile(id: string): string {
  return join(DREAMS_FOLDER, `${id}.md`);
}
export function snapshotFolder(id: string): string {
  return join(DREAMS_FOLDER, id, 'snapshot');
}
export function dreamLockPath(root: string): string {
  return join(rootPaths(root).locks, 'dream.lock');
}
/** An absolute path of something under `.state/`. */
export function statePath(root: string, relative: string): string {
  return join(rootPaths(root).state, relative);
}

/**
 * A dream id: its UTC start time, a sequence among dreams started in the same second, and a
 * short random part, e.g. `20261122T091200Z-00k3`; ids sort in the order the dreams ran.
 */
export async function newDreamId(root: string, now: Date): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  let names: string[] = [];
  try {
    names = await readdir(statePath(root, DREAMS_FOLDER));
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const sequences = names.filter((name) => name.startsWith(`${stamp}-`)).map((name) => parseInt(name.slice(17, 19), 36));
  const next = sequences.length === 0 ? 0 : Math.max(...sequences.filter((value) => Number.isFinite(value))) + 1;
  return `${stamp}-${Math.min(next, 36 * 36 - 1)
    .toString(36)
    .padStart(2, '0')}${randomToken(2)}`;
}

/** What the trigger needs from the last dream: its time and how far it had read the activity. */
export interface LastDream {
  id: string;
  time: string;
  /** Session file name → its size when the dream gathered (append-only: a bigger file had activity since). */
  sessions: Record<string, number>;
  /** Bytes of `audit.jsonl` the dream had seen. */
  auditOffset: number;
  /** The newest activity the dream had seen. */
  lastActivity: string | undefined;
}

/** One file a dream changed: its hash before and after (null: absent). */
export interface ChangedFile {
  before: string | null;
  after: string | null;
}

/** The record of an applied dream: what it changed, so that it can be reported and rolled back. */
export interface DreamRecord {
  v: 1;
  id: string;
  time: string;
  trigger: string[];
  status: 'applied' | 'rolled-back';
  files: Record<string, ChangedFile>;
  actions: { kind: DreamActionKind; slug: string; slugs: string[]; reason: string }[];
  /** Slugs left alone because they changed while the dream ran. */
  skipped: string[];
  counts: Partial<Record<DreamActionKind, number>>;
  snapshot: string;
  report: string;
  /** Hash of MEMORY.md in the snapshot. */
  indexHash: string | null;
  /** Slugs the index left out after the dream (over its budget). */
  indexOmitted: string[];
  model?: string | undefined;
  /** `.state/usage-rank.json` before the dream (null: there was none), restored by a rollback. */
  rankUsageBefore?: string | null | undefined;
  rolledBack?: { time: string; restored: string[] } | undefined;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export function readLastDream(root: string): Promise<LastDream | undefined> {
  return readJson<LastDream>(statePath(root, LAST_DREAM_FILE));
}

export function readDreamRecord(root: string, id: string): Promise<DreamRecord | undefined> {
  if (!/^[0-9TZ]{16}-[a-z0-9]{4}$/.test(id)) return Promise.resolve(undefined);
  return readJson<DreamRecord>(statePath(root, recordFile(id)));
}

/** Every dream record, newest first. */
export async function listDreamRecords(root: string): Promise<DreamRecord[]> {
  let names: string[];
  try {
    names = await readdir(statePath(root, DREAMS_FOLDER));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const records: DreamRecord[] = [];
  for (const name of names
    .filter((file) => /^[0-9TZ]{16}-[a-z0-9]{4}\.json$/.test(file))
    .sort()
    .reverse()) {
    const record = await readDreamRecord(root, name.slice(0, -5));
    if (record) records.push(record);
  }
  return records;
}

export async function readTombstones(root: string): Promise<Tombstone[]> {
  let text: string;
  try {
    text = await readFile(statePath(root, TOMBSTONES_FILE), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Tombstone];
      } catch {
        return [];
      }
    });
}
