import { EventEmitter } from 'node:events';
import { copyFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MnemoError, errnoCode, makeDirectory, randomToken, sha256, withLock, writeFileAtomic, type Clock } from '../shared/index.js';
import { rootPaths } from './memory-root.js';
import {
  STORE_FIELD_WEIGHTS,
  findSessionFile,
  revisionConflict,
  type MemoryStore,
  type SearchPort,
  type StoreChange,
  type StoreSearchOptions,
  type StoreTopicHit,
  type TopicListing,
  type TopicPort,
  type TopicRecord,
  type TopicWriteOptions,
  type TranscriptFileListing,
  type TranscriptPort,
} from './store-ports.js';
import { listTopicFiles, topicPath } from './topic-files.js';
import { parseTopicText } from './topic-format.js';
import { moveTopicToTrash, writeTopicFile, writeIndexFile } from './topic-writer.js';
import { appendTranscript, assertSessionId, listSessionFiles, readTranscript } from './transcript-store.js';

export interface FileStoreOptions {
  root: string;
  /** Search for this store; default: an in-memory SQLite FTS5 index of the topic files (same tokenizer and field weights as `.state/search.db`). */
  search?: SearchPort;
}

const TRASH_NAME = /^\d{8}T\d{6}Z-[A-Za-z0-9]+-(.+)\.md$/;
const TRANSCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.jsonl$/;

async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

export function assertTranscriptName(name: string): void {
  if (!TRANSCRIPT_NAME.test(name))
    throw new MnemoError('invalid-input', `${JSON.stringify(name)} is not a transcript file name.`, {
      hint: 'Transcript files are named with letters, digits, ".", "_" and "-", ending in .jsonl.',
    });
}

/** The file store: topics are `<root>/<slug>.md`, transcripts `sessions/*.jsonl`, retired topics go to `.state/trash/`. */
export function openFileStore(options: FileStoreOptions): MemoryStore {
  const root = options.root;
  const paths = rootPaths(root);
  const events = new EventEmitter();
  const emit = (change: StoreChange): void => {
    events.emit('change', change);
  };

  const record = (slug: string, content: Buffer): TopicRecord => ({ slug, content, revision: sha256(content), deleted: false });

  async function tombstones(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    let names: string[];
    try {
      names = await readdir(paths.trash);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return found;
      throw error;
    }
    for (const name of names.sort()) {
      const slug = TRASH_NAME.exec(name)?.[1];
      if (slug !== undefined) found.set(slug, `tombstone:${name}`);
    }
    return found;
  }

  /** Keep a recoverable copy of a file about to be replaced. */
  async function keepCopy(path: string, name: string): Promise<void> {
    await makeDirectory(paths.trash);
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}Z$/, 'Z');
    await copyFile(path, join(paths.trash, `${stamp}-${randomToken(4)}-${name}`));
  }

  const topics: TopicPort = {
    async read(slug) {
      const content = await readBytes(topicPath(root, slug));
      if (content !== undefined) return record(slug, content);
      const tombstone = (await tombstones()).get(slug);
      return tombstone === undefined ? undefined : { slug, content: undefined, revision: tombstone, deleted: true };
    },
    async write(slug, content, writeOptions: TopicWriteOptions = {}) {
      const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
      const path = topicPath(root, slug);
      const write = async (): Promise<TopicRecord> => {
        if (writeOptions.ifRevision !== undefined) {
          const current = await readBytes(path);
          const actual = current === undefined ? undefined : sha256(current);
          if (
            (writeOptions.ifRevision === null && actual !== undefined) ||
            (writeOptions.ifRevision !== null && actual !== writeOptions.ifRevision)
          )
            throw revisionConflict(slug, writeOptions.ifRevision, actual);
        }
        // Text goes through the store's topic writer; bytes that are not UTF-8 (kept losslessly by an import) are written raw.
        const text = bytes.toString('utf8');
        if (Buffer.from(text, 'utf8').equals(bytes)) await writeTopicFile(root, slug, text);
        else await writeFileAtomic(path, bytes);
        emit({ kind: 'topic', name: slug });
        return record(slug, bytes);
      };
      return writeOptions.ifRevision === undefined ? write() : store.exclusive(`topic-${slug}`, write);
    },
    async writeMany(entries, manyOptions = {}) {
      const written: TopicRecord[] = [];
      for (const entry of entries) {
        // A topic replaced by an import keeps its previous bytes in .state/trash/.
        const path = topicPath(root, entry.slug);
        const current = await readBytes(path);
        const bytes = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8');
        if (current !== undefined && !current.equals(bytes)) await keepCopy(path, `${entry.slug}.md`);
        written.push(await topics.write(entry.slug, bytes));
        await manyOptions.onProgress?.(written.length);
      }
      return written;
    },
    async remove(slug, removeOptions: TopicWriteOptions = {}) {
      const current = await readBytes(topicPath(root, slug));
      if (removeOptions.ifRevision !== undefined) {
        const actual = current === undefined ? undefined : sha256(current);
        if (actual !== (removeOptions.ifRevision ?? undefined)) throw revisionConflict(slug, removeOptions.ifRevision, actual);
      }
      if (current === undefined) return undefined;
      const trashed = await moveTopicToTrash(root, slug, new Date());
      emit({ kind: 'topic', name: slug });
      return { slug, content: undefined, revision: `tombstone:${trashed.split(/[\\/]/).pop() ?? ''}`, deleted: true };
    },
    async list(listOptions = {}) {
      const { files } = await listTopicFiles(root);
      const live: TopicListing[] = [];
      for (const file of files) {
        const bytes = await readBytes(file.path);
        if (bytes !== undefined) live.push({ slug: file.slug, revision: sha256(bytes), deleted: false });
      }
      if (!listOptions.includeDeleted) return live;
      const present = new Set(live.map((topic) => topic.slug));
      const dead = [...(await tombstones())]
        .filter(([slug]) => !present.has(slug))
        .map(([slug, revision]) => ({ slug, revision, deleted: true }));
      return [...live, ...dead].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    },
  };

  const transcripts: TranscriptPort = {
    async append(session, input, clock: Clock) {
      const { events: written, path } = await appendTranscript(root, session, input, clock);
      emit({ kind: 'transcript', name: path.split(/[\\/]/).pop() });
      return written;
    },
    async read(session) {
      assertSessionId(session);
      const name = findSessionFile(
        (await listSessionFiles(root)).map((file) => file.name),
        session,
      );
      if (name === undefined) return [];
      return (await readTranscript(join(paths.sessions, name))).events;
    },
    async listFiles(): Promise<TranscriptFileListing[]> {
      return (await listSessionFiles(root)).map((file) => ({ name: file.name, bytes: file.size }));
    },
    async readRaw(name) {
      assertTranscriptName(name);
      return readBytes(join(paths.sessions, name));
    },
    async writeRaw(name, bytes) {
      assertTranscriptName(name);
      const path = join(paths.sessions, name);
      const current = await readBytes(path);
      if (current?.equals(bytes)) return;
      if (current !== undefined) await keepCopy(path, name);
      await makeDirectory(paths.sessions);
      await writeFileAtomic(path, bytes);
      emit({ kind: 'transcript', name });
    },
  };

  const search = options.search ?? fileSearch(root);

  const store: MemoryStore = {
    kind: 'file',
    location: root,
    topics,
    transcripts,
    search,
    readIndex: () => readBytes(paths.index),
    async writeIndex(bytes) {
      const current = await readBytes(paths.index);
      if (current?.equals(bytes)) return;
      const text = bytes.toString('utf8');
      if (Buffer.from(text, 'utf8').equals(bytes)) await writeIndexFile(root, text);
      else await writeFileAtomic(paths.index, bytes);
      emit({ kind: 'index', name: undefined });
    },
    async exclusive(name, work) {
      await makeDirectory(paths.locks);
      return withLock(join(paths.locks, `store-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`), { purpose: `store: ${name}` }, work);
    },
    async watch(listener) {
      events.on('change', listener);
      return async () => {
        events.off('change', listener);
      };
    },
    async close() {
      events.removeAllListeners();
    },
  };
  return store;
}

/** Quoted word tokens joined with OR: partial matches rank, no FTS syntax from the query is read. */
function matchExpression(query: string): string | undefined {
  const seen = new Set<string>();
  for (const token of query
    .toLowerCase()
    .normalize('NFKC')
    .match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (token.length < 2 && !/\d/.test(token)) continue;
    seen.add(token);
  }
  if (seen.size === 0) return undefined;
  return [...seen].map((token) => `"${token}"`).join(' OR ');
}

/**
 * Search over the topic files with SQLite FTS5 in memory, rebuilt when the folder's files change
 * (names, sizes, times): the same tokenizer, fields and weights as the search index in `.state/`.
 */
function fileSearch(root: string): SearchPort {
  let db: Database.Database | undefined;
  let signature = '';
  async function ready(): Promise<Database.Database> {
    const { files } = await listTopicFiles(root);
    const now = files.map((file) => `${file.slug}:${file.size}:${file.mtimeMs}`).join('|');
    if (db !== undefined && now === signature) return db;
    db?.close();
    const fresh = new Database(':memory:');
    fresh.exec(`CREATE TABLE topics(rowid INTEGER PRIMARY KEY, slug TEXT, status TEXT, type TEXT);
      CREATE VIRTUAL TABLE topics_fts USING fts5(name, description, tags, body, tokenize='porter unicode61 remove_diacritics 2');`);
    const insert = fresh.prepare('INSERT INTO topics(slug, status, type) VALUES (?, ?, ?)');
    const insertFts = fresh.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
    for (const file of files) {
      const bytes = await readBytes(file.path);
      if (bytes === undefined) continue;
      const parsed = parseTopicText(bytes.toString('utf8'), file.slug);
      if (!parsed.ok) continue;
      const { meta, body } = parsed.topic;
      const rowid = insert.run(file.slug, meta.status, meta.type).lastInsertRowid;
      insertFts.run(rowid, meta.name, meta.description, meta.tags.join(' '), body);
    }
    db = fresh;
    signature = now;
    return fresh;
  }
  return {
    async searchTopics(query: string, options: StoreSearchOptions = {}): Promise<StoreTopicHit[]> {
      const match = matchExpression(query);
      if (match === undefined) return [];
      const database = await ready();
      const { name, description, tags, body } = STORE_FIELD_WEIGHTS;
      const statuses = options.statuses ?? ['active', 'suspect'];
      const limit = options.limit ?? 50;
      const rows = database
        .prepare(
          `SELECT t.slug AS slug, bm25(topics_fts, ${name}, ${description}, ${tags}, ${body}) AS rank, t.status AS status, t.type AS type
           FROM topics_fts JOIN topics t ON t.rowid = topics_fts.rowid WHERE topics_fts MATCH ? ORDER BY rank, t.slug`,
        )
        .all(match) as { slug: string; rank: number; status: string; type: string }[];
      return rows
        .filter(
          (row) =>
            (statuses as readonly string[]).includes(row.status) &&
            (options.types === undefined || (options.types as readonly string[]).includes(row.type)),
        )
        .slice(0, limit)
        .map((row) => ({ slug: row.slug, score: -row.rank }));
    },
  };
}
