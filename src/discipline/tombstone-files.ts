import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MnemoError, errnoCode, randomToken } from '../shared/index.js';
import { readTopicFile, type TopicRead } from '../store/index.js';

/**
 * `<root>/tombstones/`: one small JSON file per retired topic, committed with the memory. A
 * `forget` (or a dream's retirement) on one machine writes one; after a pull, the next write, `mnemo
 * git sync` or `mnemo doctor` on another machine retires the same topic there, instead of it
 * coming back from that machine's copy. Files are only ever added or withdrawn whole, never
 * edited, so two branches that retire topics merge without conflicts.
 */
export const TOMBSTONES_DIR = 'tombstones';

/** One tombstone in the repository (named `TombstoneFile` apart from dream's `.state/` record). */
export interface TombstoneFile {
  v: 1;
  slug: string;
  /** The retired topic's id: a topic later written under the same slug has another id and stays. */
  id?: string | undefined;
  /** sha256 of the retired file: identifies a topic without an id (a Claude Code or hand-written file). */
  hash: string | null;
  name: string;
  time: string;
  by: 'forget' | 'dream';
  reason: string;
  /** The dream that retired it (its rollback withdraws the tombstone). */
  dream?: string | undefined;
}

/** A tombstone file as found in the folder. */
export interface FoundTombstone {
  /** File name inside `tombstones/`. */
  file: string;
  tombstone: TombstoneFile;
}

/** A tombstone file to add (`content`) or withdraw (`null`) with a change set; `file` is a name inside `tombstones/`. */
export interface TombstoneFileWrite {
  file: string;
  content: string | null;
}

const FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\.json$/;

/** Whether a name may be a tombstone file (one name inside `tombstones/`, nothing that leaves it). */
export function isTombstoneFileName(file: string): boolean {
  return FILE_PATTERN.test(file) && !file.includes('..');
}

/** The path of a tombstone file, refusing names that are not one. */
export function tombstonePath(root: string, file: string): string {
  if (!isTombstoneFileName(file)) {
    throw new MnemoError('invalid-input', `${JSON.stringify(file)} is not a tombstone file name.`);
  }
  return join(root, TOMBSTONES_DIR, file);
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A new tombstone for a topic about to be retired, and its file (`<slug>--<time>-<random>.json`). */
export function newTombstone(
  read: TopicRead,
  details: { now: Date; by: TombstoneFile['by']; reason: string; dream?: string },
): TombstoneFileWrite & { tombstone: TombstoneFile } {
  const slug = read.status === 'ok' ? read.topic.slug : read.slug;
  const tombstone: TombstoneFile = {
    v: 1,
    slug,
    ...(read.status === 'ok' && read.topic.meta.id !== undefined ? { id: read.topic.meta.id } : {}),
    hash: read.status === 'ok' ? read.topic.hash : read.status === 'unreadable' ? (read.hash ?? null) : null,
    name: read.status === 'ok' ? read.topic.meta.name : slug,
    time: details.now.toISOString(),
    by: details.by,
    reason: details.reason,
    ...(details.dream === undefined ? {} : { dream: details.dream }),
  };
  const file = `${slug}--${stamp(details.now)}-${randomToken(4)}.json`;
  return { file, content: `${JSON.stringify(tombstone, null, 2)}\n`, tombstone };
}

function asTombstone(value: unknown): TombstoneFile | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<TombstoneFile>;
  if (typeof record.slug !== 'string' || record.slug === '') return undefined;
  if (record.hash !== null && typeof record.hash !== 'string') return undefined;
  if (record.id !== undefined && typeof record.id !== 'string') return undefined;
  return {
    v: 1,
    slug: record.slug,
    ...(record.id === undefined ? {} : { id: record.id }),
    hash: record.hash ?? null,
    name: typeof record.name === 'string' ? record.name : record.slug,
    time: typeof record.time === 'string' ? record.time : '',
    by: record.by === 'dream' ? 'dream' : 'forget',
    reason: typeof record.reason === 'string' ? record.reason : '',
    ...(typeof record.dream === 'string' ? { dream: record.dream } : {}),
  };
}

/** Every readable tombstone file, by file name; unreadable ones are named in `problems` and ignored. */
export async function readTombstoneFiles(
  root: string,
): Promise<{ found: FoundTombstone[]; problems: { file: string; message: string }[] }> {
  let names: string[];
  try {
    names = (await readdir(join(root, TOMBSTONES_DIR))).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return { found: [], problems: [] };
    throw error;
  }
  const found: FoundTombstone[] = [];
  const problems: { file: string; message: string }[] = [];
  for (const file of names) {
    if (!isTombstoneFileName(file)) continue;
    let tombstone: TombstoneFile | undefined;
    try {
      tombstone = asTombstone(JSON.parse(await readFile(join(root, TOMBSTONES_DIR, file), 'utf8')));
    } catch {
      tombstone = undefined;
    }
    if (tombstone === undefined) {
      problems.push({
        file: `${TOMBSTONES_DIR}/${file}`,
        message: 'is not a tombstone mnemo can read (JSON with slug and hash); fix it or delete it',
      });
    } else found.push({ file, tombstone });
  }
  return { found, problems };
}

/**
 * Whether a topic file is the one a tombstone retired: the same id, or (for a topic without an id)
 * the same bytes. A topic written again later under the slug has a new id and is not matched.
 */
export function tombstoneMatches(tombstone: TombstoneFile, read: TopicRead): boolean {
  if (read.status === 'missing') return false;
  if (tombstone.id !== undefined) return read.status === 'ok' && read.topic.meta.id === tombstone.id;
  const hash = read.status === 'ok' ? read.topic.hash : read.hash;
  return tombstone.hash !== null && hash === tombstone.hash;
}

/** Tombstones whose topic is still in the folder (pulled from another machine, not yet applied here), with the file's hash. */
export async function pendingTombstones(root: string): Promise<(FoundTombstone & { hash: string | undefined })[]> {
  const { found } = await readTombstoneFiles(root);
  const pending: (FoundTombstone & { hash: string | undefined })[] = [];
  const seen = new Set<string>();
  for (const entry of found) {
    if (seen.has(entry.tombstone.slug)) continue;
    let read: TopicRead;
    try {
      read = await readTopicFile(root, entry.tombstone.slug);
    } catch {
      continue;
    }
    if (!tombstoneMatches(entry.tombstone, read)) continue;
    seen.add(entry.tombstone.slug);
    pending.push({ ...entry, hash: read.status === 'ok' ? read.topic.hash : read.status === 'unreadable' ? read.hash : undefined });
  }
  return pending;
}
