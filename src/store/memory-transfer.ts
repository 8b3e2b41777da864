import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MnemoError, errnoCode, writeFileAtomic } from '../shared/index.js';
import type { MemoryStore } from './store-ports.js';

/*
 * Moving a whole memory between stores (file ⇄ PostgreSQL) and to or from a portable archive:
 * topics (their exact bytes), tombstones, transcripts (their exact bytes) and the rendered
 * index. Nothing is interpreted on the way, so a round trip is byte-identical.
 */

export interface TransferProgress {
  phase: 'topics' | 'tombstones' | 'transcripts' | 'index';
  done: number;
  total: number;
}

export interface TransferReport {
  topics: number;
  /** Topics already identical in the target. */
  unchanged: number;
  /** Tombstones applied: topics retired in the source that the target still had live. */
  retired: number;
  transcripts: number;
  /** Transcripts already identical in the target. */
  transcriptsUnchanged: number;
  index: boolean;
  bytes: number;
}

export interface TransferOptions {
  onProgress?: (progress: TransferProgress) => void;
  /** Topics per transaction on PostgreSQL (default 500). */
  batchSize?: number;
}

/** A memory as plain data: what an archive holds and what a transfer reads. */
export interface MemorySnapshot {
  topics: { slug: string; content: Buffer }[];
  tombstones: string[];
  transcripts: { name: string; content: Buffer }[];
  index: Buffer | undefined;
}

/** Read a whole memory out of a store. */
export async function snapshotStore(store: MemoryStore, options: TransferOptions = {}): Promise<MemorySnapshot> {
  const listing = await store.topics.list({ includeDeleted: true });
  const snapshot: MemorySnapshot = { topics: [], tombstones: [], transcripts: [], index: await store.readIndex() };
  const live = listing.filter((topic) => !topic.deleted);
  for (const topic of listing) if (topic.deleted) snapshot.tombstones.push(topic.slug);
  for (const topic of live) {
    const record = await store.topics.read(topic.slug);
    if (record?.content !== undefined) snapshot.topics.push({ slug: topic.slug, content: record.content });
    if (snapshot.topics.length % 500 === 0) options.onProgress?.({ phase: 'topics', done: snapshot.topics.length, total: live.length });
  }
  const files = await store.transcripts.listFiles();
  for (const file of files) {
    const content = await store.transcripts.readRaw(file.name);
    if (content !== undefined) snapshot.transcripts.push({ name: file.name, content });
  }
  return snapshot;
}

/** Write a snapshot into a store: changed topics in batches (one transaction each on PostgreSQL), tombstones, transcripts, the index. */
export async function restoreSnapshot(
  snapshot: MemorySnapshot,
  target: MemoryStore,
  options: TransferOptions = {},
): Promise<TransferReport> {
  const report: TransferReport = { topics: 0, unchanged: 0, retired: 0, transcripts: 0, transcriptsUnchanged: 0, index: false, bytes: 0 };
  const existing = new Map((await target.topics.list()).map((topic) => [topic.slug, topic]));
  const pending: { slug: string; content: Buffer }[] = [];
  for (const topic of snapshot.topics) {
    if (existing.has(topic.slug)) {
      const current = await target.topics.read(topic.slug);
      if (current?.content?.equals(topic.content)) {
        report.unchanged += 1;
        continue;
      }
    }
    pending.push(topic);
  }
  const batchSize = options.batchSize ?? 500;
  for (let start = 0; start < pending.length; start += batchSize) {
    const batch = pending.slice(start, start + batchSize);
    await target.topics.writeMany(batch);
    report.topics += batch.length;
    for (const topic of batch) report.bytes += topic.content.length;
    options.onProgress?.({ phase: 'topics', done: report.topics, total: pending.length });
  }
  const live = new Set(snapshot.topics.map((topic) => topic.slug));
  for (const slug of snapshot.tombstones) {
    if (live.has(slug) || !existing.has(slug)) continue;
    if ((await target.topics.remove(slug)) !== undefined) report.retired += 1;
  }
  if (report.retired > 0) options.onProgress?.({ phase: 'tombstones', done: report.retired, total: report.retired });
  for (const transcript of snapshot.transcripts) {
    const current = await target.transcripts.readRaw(transcript.name);
    if (current?.equals(transcript.content)) report.transcriptsUnchanged += 1;
    else {
      await target.transcripts.writeRaw(transcript.name, transcript.content);
      report.transcripts += 1;
      report.bytes += transcript.content.length;
    }
    options.onProgress?.({
      phase: 'transcripts',
      done: report.transcripts + report.transcriptsUnchanged,
      total: snapshot.transcripts.length,
    });
  }
  if (snapshot.index !== undefined) {
    const current = await target.readIndex();
    if (!current?.equals(snapshot.index)) {
      await target.writeIndex(snapshot.index);
      report.index = true;
    }
    options.onProgress?.({ phase: 'index', done: 1, total: 1 });
  }
  return report;
}

/** Copy a whole memory from one store into another. */
export async function transferMemory(source: MemoryStore, target: MemoryStore, options: TransferOptions = {}): Promise<TransferReport> {
  return restoreSnapshot(await snapshotStore(source, options), target, options);
}

const ARCHIVE_FORMAT = 'mnemo-archive';
const ARCHIVE_VERSION = 1;

type ArchiveLine =
  | { type: 'header'; format: string; v: number }
  | { type: 'topic'; slug: string; content: string }
  | { type: 'tombstone'; slug: string }
  | { type: 'transcript'; name: string; content: string }
  | { type: 'index'; content: string }
  | { type: 'end'; topics: number; tombstones: number; transcripts: number; sha256: string };

/** The archive's text: JSON lines, contents in base64, a last line with counts and a checksum of all lines before it. */
export function renderArchive(snapshot: MemorySnapshot): string {
  const lines: string[] = [JSON.stringify({ type: 'header', format: ARCHIVE_FORMAT, v: ARCHIVE_VERSION } satisfies ArchiveLine)];
  for (const topic of snapshot.topics)
    lines.push(JSON.stringify({ type: 'topic', slug: topic.slug, content: topic.content.toString('base64') } satisfies ArchiveLine));
  for (const slug of snapshot.tombstones) lines.push(JSON.stringify({ type: 'tombstone', slug } satisfies ArchiveLine));
  for (const transcript of snapshot.transcripts)
    lines.push(
      JSON.stringify({ type: 'transcript', name: transcript.name, content: transcript.content.toString('base64') } satisfies ArchiveLine),
    );
  if (snapshot.index !== undefined)
    lines.push(JSON.stringify({ type: 'index', content: snapshot.index.toString('base64') } satisfies ArchiveLine));
  const body = lines.map((line) => `${line}\n`).join('');
  const end: ArchiveLine = {
    type: 'end',
    topics: snapshot.topics.length,
    tombstones: snapshot.tombstones.length,
    transcripts: snapshot.transcripts.length,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
  return `${body}${JSON.stringify(end)}\n`;
}

function badArchive(path: string, why: string): MnemoError {
  return new MnemoError('invalid-input', `${path} is not a complete mnemo archive: ${why}. Nothing was imported.`, {
    hint: 'Make the archive again with `mnemo export --to FILE`; an archive cut short (a full disk, a copy interrupted) is refused whole.',
  });
}

/** Parse an archive; refuses it whole when it is truncated, altered or of another format. */
export function parseArchive(text: string, path = 'the archive'): MemorySnapshot {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const last = lines.pop();
  if (last === undefined) throw badArchive(path, 'it is empty');
  let end: ArchiveLine;
  try {
    end = JSON.parse(last) as ArchiveLine;
  } catch {
    throw badArchive(path, 'its last line is cut short');
  }
  if (end.type !== 'end') throw badArchive(path, 'it has no end line (cut short?)');
  const body = lines.map((line) => `${line}\n`).join('');
  if (createHash('sha256').update(body).digest('hex') !== end.sha256)
    throw badArchive(path, 'its checksum does not match (altered or damaged)');
  const snapshot: MemorySnapshot = { topics: [], tombstones: [], transcripts: [], index: undefined };
  lines.forEach((line, index) => {
    const entry = JSON.parse(line) as ArchiveLine;
    if (index === 0) {
      if (entry.type !== 'header' || entry.format !== ARCHIVE_FORMAT)
        throw badArchive(path, 'it does not start with a mnemo archive header');
      if (entry.v !== ARCHIVE_VERSION)
        throw badArchive(path, `it is format version ${String(entry.v)}, this mnemo reads version ${ARCHIVE_VERSION}`);
      return;
    }
    switch (entry.type) {
      case 'topic':
        snapshot.topics.push({ slug: entry.slug, content: Buffer.from(entry.content, 'base64') });
        break;
      case 'tombstone':
        snapshot.tombstones.push(entry.slug);
        break;
      case 'transcript':
        snapshot.transcripts.push({ name: entry.name, content: Buffer.from(entry.content, 'base64') });
        break;
      case 'index':
        snapshot.index = Buffer.from(entry.content, 'base64');
        break;
      default:
        throw badArchive(path, `line ${index + 1} is of an unknown kind`);
    }
  });
  if (
    snapshot.topics.length !== end.topics ||
    snapshot.transcripts.length !== end.transcripts ||
    snapshot.tombstones.length !== end.tombstones
  )
    throw badArchive(path, 'its counts do not match its end line');
  return snapshot;
}

/** Write a store's whole memory to an archive file (atomically). */
export async function exportToArchive(
  source: MemoryStore,
  path: string,
  options: TransferOptions = {},
): Promise<TransferReport & { path: string }> {
  const snapshot = await snapshotStore(source, options);
  const text = renderArchive(snapshot);
  await writeFileAtomic(path, text);
  return {
    path,
    topics: snapshot.topics.length,
    unchanged: 0,
    retired: snapshot.tombstones.length,
    transcripts: snapshot.transcripts.length,
    transcriptsUnchanged: 0,
    index: snapshot.index !== undefined,
    bytes: Buffer.byteLength(text),
  };
}

/** Read an archive file (whole, checked) and write it into a store. */
export async function importFromArchive(path: string, target: MemoryStore, options: TransferOptions = {}): Promise<TransferReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT')
      throw new MnemoError('not-found', `No archive at ${path}.`, { hint: 'Pass the file `mnemo export --to FILE` wrote.' });
    throw error;
  }
  return restoreSnapshot(parseArchive(text, path), target, options);
}
