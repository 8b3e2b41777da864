import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  UNWRITABLE_CODES,
  describeError,
  errnoCode,
  ioReason,
  isMnemoError,
  makeDirectorySync,
  silentLogger,
  type Logger,
} from '../shared/index.js';
import {
  listSessionFiles,
  readTranscript,
  rootPaths,
  type StoredTopic,
  type TopicStatus,
  type TopicType,
  type TranscriptEvent,
} from '../store/index.js';
import { LESSON_TABLES_SQL, type LessonSignature } from './lesson-table.js';
import { ftsQuery, queryTerms } from './query-terms.js';
import { changeLogObjects, changeLogSql, clearColumnsSql, type TermColumnOptions } from './term-columns.js';
import { FtsTopK, type TopKWork } from './topk.js';
import type { RankTable } from './rank-table.js';
import { bumpWriteCounter, readRootStamp, readWriteCounter } from './root-stamp.js';
import { TopicRows, toCatalog, type CatalogTopic, type TopicRow, type WrittenTopic } from './topic-rows.js';
import { SESSION_PART_LINES, TurnTable, sessionPartOf, toTurn, type TurnHit, type TurnRecord, type TurnRow } from './turn-table.js';
import { StatementCache } from './statement-cache.js';

export type { TurnRecord, TurnHit } from './turn-table.js';
export type { CatalogTopic, WrittenTopic } from './topic-rows.js';

/** Bumped whenever the tables change: an index of another version is rebuilt from the files. */
const SCHEMA_VERSION = '5';
/** A topic row's provenance trust, as its expression index has it. */
const TRUST = "json_extract(meta_json, '$.source.trust')";
const TOKENIZER = "tokenize='porter unicode61 remove_diacritics 2'";

/** Field weights of topic ranking (BM25): name, description, tags, body. */
export const TOPIC_FIELD_WEIGHTS = { name: 8, description: 4, tags: 3, body: 1 } as const;

export interface TopicHit {
  slug: string;
  /** BM25 relevance; higher is better. */
  score: number;
  /** Cosine similarity of its vector to the query's (1 = same direction), when hybrid recall's vector side found it. */
  similarity?: number;
}

export interface SyncReport {
  topicsAdded: number;
  topicsChanged: number;
  topicsRemoved: number;
  turnsAdded: number;
  /** Turns dropped because their transcript file is gone. */
  turnsRemoved: number;
  /** Files that could not be read, with why; also kept in the catalog for unreadable topics. */
  problems: { file: string; message: string }[];
}

export interface SearchIndexOptions {
  root: string;
  dbPath: string;
  logger?: Logger;
  /**
   * How old the last full scan of the folder may get before a sync does one anyway, whatever
   * the root's stamp says (default 10 minutes): the timer of long-lived processes, and the
   * catch-all for changes no stamp shows.
   */
  fullScanMs?: number;
  /** Milliseconds since the epoch, for that timer (default `Date.now`). */
  now?: () => number;
  /** When topic search scores from term columns, and how they are kept (term-columns.ts; defaults for real use, smaller in tests). */
  columns?: TermColumnOptions;
}

/** What a sync brings up to date: `full` scans every topic file whatever the stamp says; `transcripts` (default true) also indexes new turns. */
export interface SyncOptions {
  full?: boolean;
  transcripts?: boolean;
}

const DEFAULT_FULL_SCAN_MS = 10 * 60_000;

interface SessionRow {
  name: string;
  size: number;
  offset: number;
  next_line: number;
}

const SQLITE_UNWRITABLE = new Set(['SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_FULL', 'SQLITE_PERM', 'SQLITE_IOERR']);

/** Why the database cannot be opened there, in words. */
function unwritableReason(error: unknown): string {
  if (isMnemoError(error)) return error.cause === undefined ? error.message : ioReason(error.cause);
  const code = errnoCode(error) ?? '';
  if (code === 'SQLITE_FULL') return 'no space is left on the device (SQLITE_FULL)';
  if (code.startsWith('SQLITE_READONLY')) return `the database or its folder is read-only (${code})`;
  if (code.startsWith('SQLITE_')) return `SQLite cannot open or write it (${code})`;
  return ioReason(error);
}

/** An error that means the place cannot be written (as opposed to a corrupt database or a bug). */
function cannotWriteThere(error: unknown): boolean {
  if (isMnemoError(error, 'io')) return true;
  const code = errnoCode(error) ?? '';
  if (UNWRITABLE_CODES.has(code)) return true;
  return SQLITE_UNWRITABLE.has(code) || [...SQLITE_UNWRITABLE].some((prefix) => code.startsWith(`${prefix}_`));
}

/**
 * The derived search index in `.state/search.db`: topics (BM25 over name, description, tags and
 * body with field weights, Porter stemming) and transcript turns in a second table. It is
 * refreshed incrementally from the files (size/mtime, then content hash) on every `sync()`, so
 * hand edits are picked up; deleting the database loses nothing.
 */
export class SearchIndex {
  readonly root: string;
  readonly dbPath: string;
  /** Read access to transcript turns for turn recall (`rankTurns`). */
  readonly turnTable: TurnTable;
  /** Why the index lives in memory for this process (`.state/` cannot be written); undefined when on disk. */
  fallback: string | undefined;
  private readonly db: Database.Database;
  private readonly logger: Logger;
  private readonly rows: TopicRows;
  private readonly fullScanMs: number;
  private readonly now: () => number;
  private cache: StatementCache | undefined;
  /** Ranked topic search, pruned to the rows that can make the cut. */
  private readonly topK: FtsTopK;
  /** In `rebuild`: written rows keep no terms (the columns are built after). */
  private rebuilding = false;
  /** While the caller holds the memory lock (`holdWriteCounter`): the write counter, once read. */
  private heldCounter: { value: string | undefined } | undefined;

  private constructor(options: SearchIndexOptions, db: Database.Database) {
    this.root = options.root;
    this.dbPath = options.dbPath;
    this.db = db;
    this.turnTable = new TurnTable(db);
    this.logger = options.logger ?? silentLogger;
    this.fullScanMs = options.fullScanMs ?? DEFAULT_FULL_SCAN_MS;
    this.now = options.now ?? Date.now;
    const { name, description, tags, body } = TOPIC_FIELD_WEIGHTS;
    this.topK = new FtsTopK(db, {
      table: 'topics_fts',
      tokenizer: TOKENIZER,
      weights: [name, description, tags, body],
      columns: options.columns ?? {},
    });
    // Each row written keeps its terms for the columns, except in a reindex (which builds the columns after).
    this.rows = new TopicRows(db, options.root, (rowid) => {
      if (!this.rebuilding) this.topK.columns?.recordRow(rowid);
    });
  }

  /**
   * Open (creating or migrating) the database. A corrupt database is moved aside and rebuilt.
   * Where `.state/` cannot be written (a read-only memory, a full disk, a file in the way), the
   * index is built in memory for this process instead, and `fallback` says why: reads work on a
   * read-only memory.
   */
  static open(options: SearchIndexOptions): SearchIndex {
    let db: Database.Database;
    try {
      db = SearchIndex.openOnDisk(options);
    } catch (error) {
      if (!cannotWriteThere(error)) throw error;
      const index = new SearchIndex(options, SearchIndex.openDatabase(':memory:'));
      index.fallback = `${dirname(options.dbPath)} cannot be written: ${unwritableReason(error)}; the search index is kept in memory for this run, and nothing is recorded (usage, checks)`;
      return index;
    }
    return new SearchIndex(options, db);
  }

  private static openOnDisk(options: SearchIndexOptions): Database.Database {
    makeDirectorySync(dirname(options.dbPath));
    try {
      return SearchIndex.openDatabase(options.dbPath);
    } catch (error) {
      if (cannotWriteThere(error)) throw error;
      (options.logger ?? silentLogger).warn('search index unreadable; rebuilding it from the files', {
        path: options.dbPath,
        error: describeError(error),
      });
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${options.dbPath}${suffix}`, { force: true });
      return SearchIndex.openDatabase(options.dbPath);
    }
  }

  private static openDatabase(path: string): Database.Database {
    const db = new Database(path, { timeout: 10_000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const version = (() => {
        try {
          return (db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined)?.value;
        } catch {
          return undefined;
        }
      })();
      if (version !== SCHEMA_VERSION) {
        db.exec(`
          DROP TABLE IF EXISTS topics; DROP TABLE IF EXISTS topics_fts;
          DROP TABLE IF EXISTS sessions; DROP TABLE IF EXISTS turns; DROP TABLE IF EXISTS turns_fts;
          DROP TABLE IF EXISTS session_texts; DROP TABLE IF EXISTS session_texts_fts;
          DROP TABLE IF EXISTS lessons; DROP TABLE IF EXISTS lesson_words; DROP TABLE IF EXISTS topic_counts;
          DROP TABLE IF EXISTS topics_fts_columns; DROP TABLE IF EXISTS topics_fts_lengths; DROP TABLE IF EXISTS topics_fts_changes;
          DROP TABLE IF EXISTS topics_fts_change_seq; DROP TABLE IF EXISTS topics_fts_row_terms;
          CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
          DELETE FROM meta WHERE key IN ('topics_stamp', 'full_scan_at');
          CREATE TABLE topics(
            rowid INTEGER PRIMARY KEY, slug TEXT UNIQUE NOT NULL, mtime_ms REAL NOT NULL, size INTEGER NOT NULL,
            hash TEXT, readable INTEGER NOT NULL, error TEXT, type TEXT, status TEXT,
            meta_json TEXT, body TEXT, problems TEXT, frontmatter TEXT);
          CREATE INDEX topics_status ON topics(status);
          CREATE VIRTUAL TABLE topics_fts USING fts5(name, description, tags, body, ${TOKENIZER});
          CREATE TABLE sessions(name TEXT PRIMARY KEY, size INTEGER NOT NULL, offset INTEGER NOT NULL, next_line INTEGER NOT NULL);
          CREATE TABLE turns(
            rowid INTEGER PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL, session TEXT NOT NULL, time TEXT NOT NULL,
            kind TEXT NOT NULL, role TEXT, speaker TEXT, task TEXT, injected INTEGER NOT NULL, text TEXT NOT NULL, data_json TEXT,
            UNIQUE(file, line));
          CREATE INDEX turns_session ON turns(session, line);
          CREATE INDEX turns_speaker ON turns(speaker);
          CREATE VIRTUAL TABLE turns_fts USING fts5(text, speaker, ${TOKENIZER});
          CREATE TABLE session_texts(
            rowid INTEGER PRIMARY KEY, file TEXT NOT NULL, session TEXT NOT NULL, part INTEGER NOT NULL,
            UNIQUE(file, session, part));
          CREATE VIRTUAL TABLE session_texts_fts USING fts5(text, ${TOKENIZER});
          ${LESSON_TABLES_SQL}
        `);
        db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
      }
      // Added after schema 5 shipped (no rebuild needed): counting unreadable rows without reading
      // every row, and the frontmatter as written (rows indexed before have none: their file is read).
      db.exec('CREATE INDEX IF NOT EXISTS topics_readable ON topics(readable)');
      const columns = db.prepare('PRAGMA table_info(topics)').all() as { name: string }[];
      if (!columns.some((column) => column.name === 'frontmatter')) {
        try {
          db.exec('ALTER TABLE topics ADD COLUMN frontmatter TEXT');
        } catch (error) {
          // Another process added it first.
          if (!/duplicate column/i.test(describeError(error))) throw error;
        }
      }
      SearchIndex.keepIndexableCount(db);
      // Added after schema 5 shipped: untrusted topics found without reading every row (`topicsWhere`)…
      db.exec(`CREATE INDEX IF NOT EXISTS topics_trust ON topics(${TRUST})`);
      // …and the guard's findings on hand-edited topics (see `screenedFindings`).
      db.exec(
        'CREATE TABLE IF NOT EXISTS guard_screens(slug TEXT PRIMARY KEY, hash TEXT NOT NULL, code TEXT NOT NULL, findings TEXT NOT NULL)',
      );
      // …and the change log the term columns of common words are kept valid by (term-columns.ts).
      // Without all of it (a new index, one a writer rebuilt without the triggers, or one from
      // before the kept row terms) what changed is unknown: columns kept from before are forgotten.
      const logObjects = changeLogObjects('topics_fts');
      const present = db
        .prepare('SELECT count(*) FROM sqlite_master WHERE name IN (SELECT value FROM json_each(?))')
        .pluck()
        .get(JSON.stringify(logObjects)) as number;
      if (present !== logObjects.length)
        db.transaction(() => {
          db.exec(changeLogSql('topics_fts', 'topics', ['meta_json', 'body', 'readable']));
          db.exec(clearColumnsSql('topics_fts'));
        }).immediate();
      db.prepare('SELECT count(*) FROM topics').get();
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * The number of indexable topics (active or suspect, or unreadable), kept in `topic_counts` by
   * triggers on `topics`, so that MEMORY.md after a write does not count every row (tens of ms
   * at 100k topics). Every writer of the table goes through the triggers, whichever process or
   * version; an index from before them gains them and the count in place, in one transaction.
   */
  private static keepIndexableCount(db: Database.Database): void {
    const counted = "(coalesce(X.status, '') IN ('active', 'suspect') OR X.readable = 0)";
    const added = counted.replaceAll('X.', 'NEW.');
    const gone = counted.replaceAll('X.', 'OLD.');
    db.transaction(() => {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'topics_count_update'").get() !== undefined) return;
      db.exec(`
        CREATE TABLE IF NOT EXISTS topic_counts(id INTEGER PRIMARY KEY CHECK (id = 1), indexable INTEGER NOT NULL);
        DROP TRIGGER IF EXISTS topics_count_insert; DROP TRIGGER IF EXISTS topics_count_delete;
        CREATE TRIGGER topics_count_insert AFTER INSERT ON topics BEGIN
          UPDATE topic_counts SET indexable = indexable + ${added} WHERE id = 1; END;
        CREATE TRIGGER topics_count_delete AFTER DELETE ON topics BEGIN
          UPDATE topic_counts SET indexable = indexable - ${gone} WHERE id = 1; END;
        CREATE TRIGGER topics_count_update AFTER UPDATE OF status, readable ON topics BEGIN
          UPDATE topic_counts SET indexable = indexable + ${added} - ${gone} WHERE id = 1; END;
        INSERT OR REPLACE INTO topic_counts(id, indexable)
          SELECT 1, count(*) FROM topics WHERE ${counted.replaceAll('X.', '')};
      `);
    }).immediate();
  }

  close(): void {
    this.cache = undefined;
    if (this.db.open) this.db.close();
  }

  /** The open connection, for the optional vector index kept beside these tables (vector-index.ts). */
  get database(): Database.Database {
    return this.db;
  }

  /** The prepared statement of this SQL, prepared once per index. */
  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /** Forget everything derived and read all files again (what `mnemo reindex` does). */
  async rebuild(): Promise<SyncReport> {
    this.db.exec(
      'DELETE FROM topics_fts; DELETE FROM topics; DELETE FROM turns_fts; DELETE FROM turns; DELETE FROM sessions; DELETE FROM session_texts_fts; DELETE FROM session_texts; DELETE FROM lessons; DELETE FROM lesson_words; DELETE FROM guard_screens;' +
        clearColumnsSql('topics_fts'),
    );
    this.rebuilding = true;
    let report: SyncReport;
    try {
      report = await this.sync({ full: true });
    } finally {
      this.rebuilding = false;
    }
    // The columns of common words, built now rather than by the first queries that need them.
    this.topK.buildColumns();
    return report;
  }

  private metaValue(key: string): string | undefined {
    return (this.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.statement('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run(key, value);
  }

  /**
   * Whether the topic rows are known to match the folder: its stamp (folder time and mnemo's
   * write counter) is the one recorded after the last scan or write, and the last full scan is
   * recent enough. Files edited in place are not covered: see `freshen`.
   */
  inStep(): boolean {
    const scannedAt = Number(this.metaValue('full_scan_at') ?? Number.NaN);
    if (!(this.now() - scannedAt < this.fullScanMs)) return false;
    return this.metaValue('topics_stamp') === this.rootStamp();
  }

  /** Record the folder's stamp as matching the rows (after a scan, or after mnemo's own write when it was in step before). */
  markInStep(): void {
    this.setMeta('topics_stamp', this.rootStamp());
  }

  /**
   * For the holder of the memory lock, from taking it to releasing it (call the function returned
   * then): only writes under that lock bump the write counter, so it is read once and then known
   * (this index's own bumps update it), instead of read again for every stamp. The folder's time
   * is still read every time: files edited by hand change it, lock or not.
   */
  holdWriteCounter(): () => void {
    const held: { value: string | undefined } = { value: undefined };
    this.heldCounter = held;
    return () => {
      if (this.heldCounter === held) this.heldCounter = undefined;
    };
  }

  private rootStamp(): string {
    const held = this.heldCounter;
    if (held === undefined) return readRootStamp(this.root);
    held.value ??= readWriteCounter(this.root);
    return readRootStamp(this.root, held.value);
  }

  /**
   * Bring the index up to date with the files. The topic folder is listed and stat'ed only when
   * its stamp changed since the last scan or write (or `full`, or the full-scan timer ran out):
   * otherwise a sync costs one stat and one small read, whatever the size of the memory.
   */
  async sync(options: SyncOptions = {}): Promise<SyncReport> {
    const report: SyncReport = { topicsAdded: 0, topicsChanged: 0, topicsRemoved: 0, turnsAdded: 0, turnsRemoved: 0, problems: [] };
    if (options.full || !this.inStep()) {
      // The stamp is taken before the scan: a change that lands during it shows next time.
      const stamp = this.rootStamp();
      const started = this.now();
      await this.rows.scan(report);
      this.setMeta('topics_stamp', stamp);
      this.setMeta('full_scan_at', String(started));
      if (report.topicsAdded + report.topicsChanged + report.topicsRemoved > 0) this.noteOutsideChange();
    }
    if (options.transcripts !== false) await this.syncTranscripts(report);
    return report;
  }

  /**
   * After mnemo wrote these topic files (under the memory lock): bump the root's write counter,
   * so that other processes see the change, and update just their rows (from `written`, what the
   * writer wrote to them, where it says; the others are read).
   */
  async recordWrite(slugs: readonly string[], written?: ReadonlyMap<string, WrittenTopic>): Promise<void> {
    const held = this.heldCounter;
    const counter = bumpWriteCounter(this.root, held?.value);
    if (held !== undefined) held.value = counter;
    await this.rows.refresh(slugs, { topicsAdded: 0, topicsChanged: 0, topicsRemoved: 0, problems: [] }, written);
  }

  /**
   * Stat these topics (the candidates a recall is about to use) and read again those whose file
   * changed since it was indexed: a topic edited by hand is seen before it is used. Returns the
   * slugs that changed.
   */
  async freshen(slugs: readonly string[]): Promise<string[]> {
    const changed = this.rows.changed(slugs);
    if (changed.length === 0) return [];
    await this.rows.refresh(changed, { topicsAdded: 0, topicsChanged: 0, topicsRemoved: 0, problems: [] });
    this.noteOutsideChange();
    return changed;
  }

  /** A counter of changes found on disk that mnemo did not write (scans and `freshen`): the index renderer re-ranks everything when it moved. */
  outsideChanges(): number {
    return Number(this.metaValue('outside_changes') ?? '0');
  }

  private noteOutsideChange(): void {
    this.setMeta('outside_changes', String(this.outsideChanges() + 1));
  }

  private async syncTranscripts(report: SyncReport): Promise<void> {
    // What is indexed is read before the folder is listed, so a file another process indexes
    // meanwhile is never taken for one that is gone.
    const known = new Map<string, SessionRow>();
    for (const row of this.db.prepare('SELECT name, size, offset, next_line FROM sessions').all() as SessionRow[]) known.set(row.name, row);
    const files = await listSessionFiles(this.root);
    const insertTurn = this.db.prepare(`
      INSERT OR IGNORE INTO turns(file, line, session, time, kind, role, speaker, task, injected, text, data_json)
      VALUES (@file, @line, @session, @time, @kind, @role, @speaker, @task, @injected, @text, @data_json)`);
    const insertFts = this.db.prepare('INSERT INTO turns_fts(rowid, text, speaker) VALUES (?, ?, ?)');
    const getSession = this.db.prepare('SELECT name, size, offset, next_line FROM sessions WHERE name = ?');
    const putSession = this.db.prepare('INSERT OR REPLACE INTO sessions(name, size, offset, next_line) VALUES (?, ?, ?, ?)');
    const parts = this.sessionParts();
    for (const file of files) {
      const row = known.get(file.name);
      if (row && row.size === file.size) continue;
      const restart = row !== undefined && file.size < row.offset;
      const offset = row && !restart ? row.offset : 0;
      const firstLine = row && !restart ? row.next_line : 1;
      const read = await readTranscript(file.path, offset, firstLine);
      for (const problem of read.problems)
        report.problems.push({ file: `sessions/${file.name}:${problem.line}`, message: problem.message });
      const apply = this.db.transaction(() => {
        const current = getSession.get(file.name) as SessionRow | undefined;
        // Another process indexed this file meanwhile: leave it to the next sync.
        if ((current?.offset ?? 0) !== (row?.offset ?? 0)) return;
        if (restart) parts.dropFile(file.name);
        const touched = new Map<string, { session: string; part: number }>();
        for (const event of read.events) {
          const part = sessionPartOf(event.line);
          touched.set(`${event.session}\u0000${part}`, { session: event.session, part });
          const result = insertTurn.run(this.turnParams(file.name, event));
          if (result.changes === 1) {
            insertFts.run(result.lastInsertRowid, event.text, event.speaker ?? event.role ?? '');
            report.turnsAdded += 1;
          }
        }
        putSession.run(file.name, read.nextOffset, read.nextOffset, read.nextLine);
        for (const { session, part } of touched.values()) parts.refresh(file.name, session, part);
      });
      apply.immediate();
    }
    // A transcript that is gone (deleted, or moved out of sessions/) takes its turns with it; one
    // that was only unreadable just now is kept.
    const present = new Set(files.map((file) => file.name));
    const dropSession = this.db.prepare('DELETE FROM sessions WHERE name = ?');
    const forget = this.db.transaction((name: string) => {
      report.turnsRemoved += parts.dropFile(name);
      dropSession.run(name);
    });
    const folder = rootPaths(this.root).sessions;
    for (const name of known.keys()) if (!present.has(name) && !existsSync(join(folder, name))) forget.immediate(name);
  }

  /**
   * The session parts: every stretch of up to `SESSION_PART_LINES` lines of a transcript, the
   * turns of one session in it indexed as one document (`Speaker: text` per turn, injected turns
   * left out), so that turn recall can rank stretches of conversation by the whole query. Only
   * the parts that new lines fall in are rewritten when a transcript grows, so a long session
   * synced often costs the same per sync as a short one.
   */
  private sessionParts(): {
    refresh(file: string, session: string, part: number): void;
    /** Drop a file's turns and parts; returns how many turns went. */
    dropFile(file: string): number;
  } {
    const find = this.db.prepare('SELECT rowid FROM session_texts WHERE file = ? AND session = ? AND part = ?').pluck();
    const add = this.db.prepare('INSERT INTO session_texts(file, session, part) VALUES (?, ?, ?)');
    const drop = this.db.prepare('DELETE FROM session_texts_fts WHERE rowid = ?');
    const lines = this.db
      .prepare(
        `SELECT coalesce(speaker, role, kind) || ': ' || text FROM turns
         WHERE file = ? AND session = ? AND line BETWEEN ? AND ? AND injected = 0 ORDER BY line`,
      )
      .pluck();
    const put = this.db.prepare('INSERT INTO session_texts_fts(rowid, text) VALUES (?, ?)');
    const dropPartsFts = this.db.prepare('DELETE FROM session_texts_fts WHERE rowid IN (SELECT rowid FROM session_texts WHERE file = ?)');
    const dropParts = this.db.prepare('DELETE FROM session_texts WHERE file = ?');
    const dropTurnsFts = this.db.prepare('DELETE FROM turns_fts WHERE rowid IN (SELECT rowid FROM turns WHERE file = ?)');
    const dropTurns = this.db.prepare('DELETE FROM turns WHERE file = ?');
    return {
      refresh: (file, session, part) => {
        const rowid = (find.get(file, session, part) as number | undefined) ?? Number(add.run(file, session, part).lastInsertRowid);
        drop.run(rowid);
        const first = part * SESSION_PART_LINES + 1;
        const text = (lines.all(file, session, first, first + SESSION_PART_LINES - 1) as string[]).join('\n');
        if (text !== '') put.run(rowid, text);
      },
      dropFile: (file) => {
        dropPartsFts.run(file);
        dropParts.run(file);
        dropTurnsFts.run(file);
        return dropTurns.run(file).changes;
      },
    };
  }

  private turnParams(file: string, event: TranscriptEvent & { line: number }): Record<string, unknown> {
    return {
      file,
      line: event.line,
      session: event.session,
      time: event.time,
      kind: event.kind,
      role: event.role ?? null,
      speaker: event.speaker ?? null,
      task: event.task ?? null,
      injected: event.injected ? 1 : 0,
      text: event.text,
      data_json: event.data ? JSON.stringify(event.data) : null,
    };
  }

  /** Every topic the index knows, readable or not, by slug. */
  catalog(): CatalogTopic[] {
    return (this.db.prepare('SELECT * FROM topics ORDER BY slug').all() as TopicRow[]).map(toCatalog);
  }

  /** Topics whose file still carries a `verified` field (the format before checks moved to `.state/`). */
  slugsWithVerifiedField(): string[] {
    return (
      this.statement(
        "SELECT slug FROM topics WHERE readable = 1 AND json_extract(meta_json, '$.verified') IS NOT NULL ORDER BY slug",
      ).all() as {
        slug: string;
      }[]
    ).map((row) => row.slug);
  }

  /** Readable topics of one type. */
  topicsOfType(type: TopicType): CatalogTopic[] {
    return (this.db.prepare('SELECT * FROM topics WHERE readable = 1 AND type = ? ORDER BY slug').all(type) as TopicRow[]).map(toCatalog);
  }

  /**
   * Active lessons whose error signature a text may carry, by slug: those whose key words all
   * occur among `words` (the text's normalized words), and those without key words. The caller
   * applies the exact test; no lesson is read that cannot match.
   */
  lessonCandidates(words: readonly string[]): LessonSignature[] {
    return this.rows.lessons.candidates(words);
  }

  /**
   * A topic as its file holds it, taken from the index when the file is unchanged since it was
   * indexed (one lstat); undefined when it must be read from the file.
   */
  storedTopic(slug: string): StoredTopic | undefined {
    return this.rows.stored(slug);
  }

  /** Topics by slug (those with a row), in the order asked. */
  topicsBySlug(slugs: readonly string[]): CatalogTopic[] {
    const get = this.statement('SELECT * FROM topics WHERE slug = ?');
    return slugs.flatMap((slug) => {
      const row = get.get(slug) as TopicRow | undefined;
      return row ? [toCatalog(row)] : [];
    });
  }

  /**
   * How rare words are among the readable topics (any status): their number, and for a stem
   * (`stemTerm`) the number whose name, description or tags carry it. Kept with the topic rows
   * (term-stems.ts), so this reads two small rows, whatever the size of the memory.
   */
  termStatistics(): { topics: number; frequency: (stem: string) => number } {
    const stems = this.rows.stems;
    stems.ensureComplete();
    return { topics: stems.topics(), frequency: (stem) => stems.frequency(stem) };
  }

  /**
   * The topics that belong in the index (active, suspect, unreadable) but are not among `listed`
   * (the slugs an index text lists): how many, and the first `limit` of them in slug order. Read
   * from the rank table: what costs is the listed slugs and the names asked for, not the memory.
   */
  indexableOutside(listed: ReadonlySet<string>, limit: number): { count: number; first: string[] } {
    const ranks = this.rows.ranks;
    const total = this.indexableCount();
    ranks.ensureComplete(total);
    const has = this.statement('SELECT 1 FROM topic_ranks WHERE slug = ?');
    let inside = 0;
    for (const slug of listed) if (has.get(slug) !== undefined) inside += 1;
    const first: string[] = [];
    if (limit > 0 && total - inside > 0) {
      for (const row of this.db.prepare('SELECT slug FROM topic_ranks ORDER BY slug_key').iterate() as Iterable<{ slug: string }>) {
        if (listed.has(row.slug)) continue;
        first.push(row.slug);
        if (first.length >= limit) break;
      }
    }
    return { count: total - inside, first };
  }

  /** The rank table of the topics MEMORY.md may list (rank-table.ts), for the index renderer. */
  indexRanks(): RankTable {
    return this.rows.ranks;
  }

  /** How many topics belong in the index: active and suspect ones, and unreadable files. */
  indexableCount(): number {
    // Kept by triggers (see keepIndexableCount).
    const kept = this.statement('SELECT indexable FROM topic_counts WHERE id = 1').get() as { indexable: number } | undefined;
    if (kept !== undefined) return kept.indexable;
    // Two counts on the indexes (status, readable), not one scan of every row with its body: an
    // unreadable file has no status, so the two never count a row twice.
    return (
      this.statement(
        `SELECT (SELECT count(*) FROM topics WHERE status IN ('active', 'suspect'))
              + (SELECT count(*) FROM topics WHERE readable = 0 AND coalesce(status, '') NOT IN ('active', 'suspect')) AS n`,
      ).get() as { n: number }
    ).n;
  }

  /**
   * What the guard found in a topic's text, as recorded by `recordScreen` for the same bytes
   * (`hash`) scanned by the same guard code (`code`, a fingerprint of it); undefined when that
   * pair was never scanned. The scan is a pure function of both, so a recall in a new process
   * (a hook, a CLI call) does not scan a hand-edited topic again until the file or the guard
   * changes. The rows are as trustworthy as the manifest beside them in the same state folder.
   */
  screenedFindings(slug: string, hash: string, code: string): string | undefined {
    return (
      this.statement('SELECT findings FROM guard_screens WHERE slug = ? AND hash = ? AND code = ?').get(slug, hash, code) as
        { findings: string } | undefined
    )?.findings;
  }

  /** Record what the guard found in this version of a topic (best effort: a busy or read-only index keeps nothing). */
  recordScreen(slug: string, hash: string, code: string, findings: string): void {
    try {
      this.statement('INSERT OR REPLACE INTO guard_screens(slug, hash, code, findings) VALUES (?, ?, ?, ?)').run(
        slug,
        hash,
        code,
        findings,
      );
    } catch (error) {
      if (!/SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR)/.test(`${(error as { code?: string }).code ?? ''} ${describeError(error)}`))
        throw error;
    }
  }

  /**
   * The readable topics with this status, type and (`untrusted`) provenance, from the rows through
   * their indexes: what the answer costs, not the memory (no listing of the folder; a file rewritten
   * in place shows after the next full scan). In slug order.
   */
  topicsWhere(filter: { status?: TopicStatus; type?: TopicType; trust?: 'untrusted' }): CatalogTopic[] {
    const where = ['readable = 1'];
    const values: string[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      values.push(filter.status);
    }
    if (filter.type !== undefined) {
      where.push('type = ?');
      values.push(filter.type);
    }
    if (filter.trust === 'untrusted') where.push(`${TRUST} = 'untrusted'`);
    const rows = this.statement(`SELECT * FROM topics WHERE ${where.join(' AND ')} ORDER BY slug`).all(...values) as TopicRow[];
    return rows.map(toCatalog);
  }

  /** One topic by slug or by frontmatter id. */
  lookup(reference: string): CatalogTopic | undefined {
    const bySlug = this.statement('SELECT * FROM topics WHERE slug = ?').get(reference) as TopicRow | undefined;
    if (bySlug) return toCatalog(bySlug);
    const byId = this.statement("SELECT * FROM topics WHERE json_extract(meta_json, '$.id') = ?").get(reference) as TopicRow | undefined;
    return byId ? toCatalog(byId) : undefined;
  }

  /**
   * Rank topics for a query with weighted BM25. Only the given statuses are searched (default:
   * active and suspect); superseded and quarantined topics never come back from recall.
   */
  searchTopics(
    query: string,
    options: { limit?: number; statuses?: readonly TopicStatus[]; types?: readonly TopicType[] } = {},
  ): TopicHit[] {
    const terms = queryTerms(query);
    if (ftsQuery(terms) === undefined) return [];
    const statuses = options.statuses ?? ['active', 'suspect'];
    const limit = options.limit ?? 50;
    // The FTS query ranks and cuts at four times the limit (room for topics of other statuses
    // and types); only the rows it keeps are joined with their topics, in order. The cut is taken
    // from its head: the best `limit` rows first, more only while too few of them qualify, which
    // gives the same answer (every cut is a prefix of the one at four times the limit) and lets
    // the pruned ranking (topk.ts) score only the rows that can make a small cut.
    const cut = Math.max(1, limit * 4);
    const get = this.statement('SELECT slug, status, type FROM topics WHERE rowid = ?');
    for (let size = Math.min(cut, Math.max(1, limit)); ; size = Math.min(cut, size * 2)) {
      const ranked = this.topK.search(terms, size);
      const hits = ranked.flatMap((hit) => {
        const row = get.get(hit.rowid) as { slug: string; status: TopicStatus; type: TopicType } | undefined;
        if (row === undefined || !statuses.includes(row.status) || (options.types !== undefined && !options.types.includes(row.type)))
          return [];
        return [{ slug: row.slug, score: -hit.rank }];
      });
      if (hits.length >= limit || ranked.length < size || size === cut) return hits.slice(0, limit);
    }
  }

  /** What the last topic search did: pruned or full, and how many rows it scored at most (tests, benches). */
  get lastTopicSearchWork(): TopKWork | undefined {
    return this.topK.lastWork;
  }

  /** Rank transcript turns for a query with BM25 over their text. */
  searchTurns(query: string, options: { limit?: number; includeInjected?: boolean } = {}): TurnHit[] {
    const match = ftsQuery(queryTerms(query));
    if (match === undefined) return [];
    const rows = this.statement(
      `SELECT t.*, bm25(turns_fts, 1, 0.5) AS rank FROM turns_fts JOIN turns t ON t.rowid = turns_fts.rowid
       WHERE turns_fts MATCH ? ${options.includeInjected ? '' : 'AND t.injected = 0'} ORDER BY rank LIMIT ?`,
    ).all(match, options.limit ?? 20) as (TurnRow & { rank: number })[];
    return rows.map((row) => ({ ...toTurn(row), score: -row.rank }));
  }

  /** Turns of one session in order, optionally a window of lines. */
  sessionTurns(session: string, fromLine = 0, toLine = Number.MAX_SAFE_INTEGER): TurnRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM turns WHERE session = ? AND line BETWEEN ? AND ? ORDER BY file, line')
        .all(session, fromLine, toLine) as TurnRow[]
    ).map(toTurn);
  }

  /** Counts for `status`. */
  counts(): { topics: number; unreadable: number; turns: number; sessions: number } {
    const topics = (this.db.prepare('SELECT count(*) AS n FROM topics WHERE readable = 1').get() as { n: number }).n;
    const unreadable = (this.db.prepare('SELECT count(*) AS n FROM topics WHERE readable = 0').get() as { n: number }).n;
    const turns = (this.db.prepare('SELECT count(*) AS n FROM turns').get() as { n: number }).n;
    const sessions = (this.db.prepare('SELECT count(DISTINCT session) AS n FROM turns').get() as { n: number }).n;
    return { topics, unreadable, turns, sessions };
  }
}
