import { MnemoError, type Clock } from '../shared/index.js';
import type { TopicStatus, TopicType } from './topic-schema.js';
import type { TranscriptEvent, TranscriptEventInput } from './transcript-store.js';

/*
 * The ports of a memory store: what the rest of mnemo needs from wherever the memory lives.
 * Two adapters implement them: the file store (today's files in a memory root, searched with
 * SQLite FTS5) and the PostgreSQL store (one database shared by a fleet). A contract suite
 * (test/integration/store-contract.test.ts) runs against both.
 */

/** Field weights of topic ranking, as in the SQLite search index: name, description, tags, body. */
export const STORE_FIELD_WEIGHTS = { name: 8, description: 4, tags: 3, body: 1 } as const;

/** One topic as a store holds it: the exact bytes of its file, or a tombstone once retired. */
export interface TopicRecord {
  slug: string;
  /** The topic file's bytes; undefined for a tombstone. */
  content: Buffer | undefined;
  /** Opaque token of this version: pass it back as `ifRevision` to write only over this version. */
  revision: string;
  /** True for a tombstone: the topic was retired and must not come back. */
  deleted: boolean;
}

/** A topic in a listing: no content. */
export type TopicListing = Omit<TopicRecord, 'content'>;

export interface TopicWriteOptions {
  /**
   * Compare-and-set: write only when the stored version is this revision (`null`: only when there
   * is no live topic of that slug). A mismatch throws `write-refused` and changes nothing.
   */
  ifRevision?: string | null;
}

export interface TopicPort {
  read(slug: string): Promise<TopicRecord | undefined>;
  write(slug: string, content: string | Buffer, options?: TopicWriteOptions): Promise<TopicRecord>;
  /** Several topics at once: all or none (one transaction on PostgreSQL). `onProgress` is told after each row. */
  writeMany(
    entries: readonly { slug: string; content: string | Buffer }[],
    options?: { onProgress?: (done: number) => void | Promise<void> },
  ): Promise<TopicRecord[]>;
  /** Retire a topic: it leaves a tombstone (and, on the file store, a recoverable copy in `.state/trash/`). */
  remove(slug: string, options?: TopicWriteOptions): Promise<TopicRecord | undefined>;
  /** Live topics by slug; with `includeDeleted`, tombstones too. */
  list(options?: { includeDeleted?: boolean }): Promise<TopicListing[]>;
}

/** A transcript file: the events of one session, in the order they were appended. */
export interface TranscriptFileListing {
  /** The file name (`<date>-<session>.jsonl`), the same in every store. */
  name: string;
  /** Bytes of the file as the file store would hold it. */
  bytes: number;
}

export interface TranscriptPort {
  /** Append events to a session's transcript, all in one write. */
  append(session: string, events: readonly TranscriptEventInput[], clock: Clock): Promise<TranscriptEvent[]>;
  /** The events of a session with their line numbers (bad lines are skipped). */
  read(session: string): Promise<(TranscriptEvent & { line: number })[]>;
  listFiles(): Promise<TranscriptFileListing[]>;
  /** The exact bytes of a transcript file (for export); undefined when there is none. */
  readRaw(name: string): Promise<Buffer | undefined>;
  /** Replace a transcript file with these bytes (for import). */
  writeRaw(name: string, bytes: Buffer): Promise<void>;
}

export interface StoreTopicHit {
  slug: string;
  /** BM25 relevance with the field weights; higher is better. */
  score: number;
}

export interface StoreSearchOptions {
  limit?: number;
  /** Default: active and suspect. */
  statuses?: readonly TopicStatus[];
  types?: readonly TopicType[];
}

export interface SearchPort {
  searchTopics(query: string, options?: StoreSearchOptions): Promise<StoreTopicHit[]>;
}

/** A change another writer made (or this one): delivered by `watch`. */
export interface StoreChange {
  kind: 'topic' | 'transcript' | 'index';
  /** The slug or transcript file name; undefined for the index. */
  name: string | undefined;
}

export interface MemoryStore {
  readonly kind: 'file' | 'postgres';
  /** Where it is, without secrets (a root path, or the URL without its password). */
  readonly location: string;
  readonly topics: TopicPort;
  readonly transcripts: TranscriptPort;
  readonly search: SearchPort;
  /** The rendered index (MEMORY.md) as stored; undefined when there is none. */
  readIndex(): Promise<Buffer | undefined>;
  writeIndex(bytes: Buffer): Promise<void>;
  /** Run `work` while no other process holds the lock of this name (an advisory lock on PostgreSQL). */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Be told of writes (other processes' too on PostgreSQL, through LISTEN/NOTIFY). Returns the way to stop. */
  watch(listener: (change: StoreChange) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The error of a compare-and-set that lost. */
export function revisionConflict(slug: string, expected: string | null, actual: string | undefined): MnemoError {
  const now = actual === undefined ? 'there is no such topic now' : `it is at revision ${actual} now`;
  return new MnemoError(
    'write-refused',
    `${slug} changed meanwhile: the write expected ${expected === null ? 'no topic' : `revision ${expected}`}, but ${now}.`,
    {
      hint: 'Read the topic again and apply the change to what is there now.',
    },
  );
}

/** Count word tokens the way the FTS5 unicode61 tokenizer does (letters and digits). */
export function countWordTokens(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

/** The transcript file name of a session among existing names, if any. */
export function findSessionFile(names: readonly string[], session: string): string | undefined {
  return names.find((name) => name === `${session}.jsonl` || name.endsWith(`-${session}.jsonl`));
}
