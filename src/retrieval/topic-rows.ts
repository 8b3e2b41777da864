import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { errnoCode } from '../shared/index.js';
import { listTopicFiles, readTopicFile, topicFromBytes, type StoredTopic, type TopicMeta } from '../store/index.js';
import { LessonTable } from './lesson-table.js';
import { RankTable } from './rank-table.js';
import { StatementCache } from './statement-cache.js';
import { StemTable } from './term-stems.js';

/** A topic as the catalog holds it: readable with its meta, or unreadable with the reason. */
export type CatalogTopic =
  | { slug: string; readable: true; meta: TopicMeta; body: string; problems: string[]; hash: string; mtimeMs: number; size: number }
  | { slug: string; readable: false; error: string; mtimeMs: number; size: number };

/** What bringing topic rows up to date found (the topic part of a sync report). */
export interface TopicSyncCounts {
  topicsAdded: number;
  topicsChanged: number;
  topicsRemoved: number;
  problems: { file: string; message: string }[];
}

export interface TopicRow {
  rowid: number;
  slug: string;
  mtime_ms: number;
  size: number;
  hash: string | null;
  readable: number;
  error: string | null;
  meta_json: string | null;
  body: string | null;
  problems: string | null;
  /** The frontmatter as written (kept when the topic is written back); null in rows indexed before it was recorded. */
  frontmatter?: string | null;
}

export function toCatalog(row: TopicRow): CatalogTopic {
  if (row.readable === 1 && row.meta_json !== null) {
    return {
      slug: row.slug,
      readable: true,
      meta: JSON.parse(row.meta_json) as TopicMeta,
      body: row.body ?? '',
      problems: row.problems ? (JSON.parse(row.problems) as string[]) : [],
      hash: row.hash ?? '',
      mtimeMs: row.mtime_ms,
      size: row.size,
    };
  }
  return { slug: row.slug, readable: false, error: row.error ?? 'unreadable', mtimeMs: row.mtime_ms, size: row.size };
}

type Read = Awaited<ReturnType<typeof readTopicFile>>;

/** A topic file as mnemo just wrote it: its content, and the size and modification time of those bytes. */
export interface WrittenTopic {
  content: string;
  size: number;
  mtimeMs: number;
}
type Known = Pick<TopicRow, 'slug' | 'mtime_ms' | 'size' | 'hash'>;

/**
 * The topic rows of the search index (`topics`, `topics_fts`, the lesson table) and the ways to
 * bring them up to date: a full scan of the folder, or just the files mnemo wrote or a recall is
 * about to use. A file whose size and time are unchanged is not read; one whose bytes hash the
 * same is only re-stamped.
 */
export class TopicRows {
  private readonly db: Database.Database;
  private readonly root: string;
  readonly lessons: LessonTable;
  /** What ranking MEMORY.md needs of each indexable topic (rank-table.ts). */
  readonly ranks: RankTable;
  /** The stems of each readable topic and how many topics carry each (term-stems.ts). */
  readonly stems: StemTable;
  private rowStat: Database.Statement | undefined;
  private storedRow: Database.Statement | undefined;
  private cache: StatementCache | undefined;

  /**
   * `written`: told of each topic row written to `topics_fts`, in the write's transaction (the
   * term columns keep what it holds: term-columns.ts).
   */
  constructor(
    db: Database.Database,
    root: string,
    private readonly written: (rowid: number) => void = () => {},
  ) {
    this.db = db;
    this.root = root;
    this.lessons = new LessonTable(db);
    this.ranks = new RankTable(db);
    this.stems = new StemTable(db);
  }

  /** The prepared statement of this SQL, prepared once (each write runs the same few). */
  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /** List and stat every topic file; read the changed ones. */
  async scan(report: TopicSyncCounts): Promise<void> {
    const { files, problems } = await listTopicFiles(this.root);
    report.problems.push(...problems);
    const known = new Map<string, Known>();
    for (const row of this.db.prepare('SELECT slug, mtime_ms, size, hash FROM topics').all() as TopicRow[]) known.set(row.slug, row);
    const present = new Set(files.map((file) => file.slug));
    const reads: Read[] = [];
    for (const file of files) {
      const row = known.get(file.slug);
      if (row && row.mtime_ms === file.mtimeMs && row.size === file.size) continue;
      reads.push(await readTopicFile(this.root, file.slug));
    }
    this.apply(
      reads,
      [...known.keys()].filter((slug) => !present.has(slug)),
      known,
      report,
    );
  }

  /**
   * Read these topic files again (written by mnemo, or changed on disk) and update their rows.
   * Those in `written` (what mnemo just wrote to them, with the size and time of those bytes) are
   * taken from there instead of being read back.
   */
  async refresh(slugs: readonly string[], report: TopicSyncCounts, written?: ReadonlyMap<string, WrittenTopic>): Promise<void> {
    const unique = [...new Set(slugs)];
    if (unique.length === 0) return;
    const known = new Map<string, Known>();
    const get = this.statement('SELECT slug, mtime_ms, size, hash FROM topics WHERE slug = ?');
    for (const slug of unique) {
      const row = get.get(slug) as Known | undefined;
      if (row) known.set(slug, row);
    }
    const reads: Read[] = [];
    for (const slug of unique) {
      const known = written?.get(slug);
      reads.push(known ? topicFromBytes(this.root, slug, Buffer.from(known.content, 'utf8'), known) : await readTopicFile(this.root, slug));
    }
    const gone = reads.filter((read) => read.status === 'missing').map((read) => read.slug);
    this.apply(
      reads,
      gone.filter((slug) => known.has(slug)),
      known,
      report,
    );
  }

  /**
   * The slugs among these whose file differs (size, time, gone, or new) from its row: one lstat
   * each, so a recall notices a file edited in place before it uses the topic.
   */
  changed(slugs: readonly string[]): string[] {
    const get = (this.rowStat ??= this.db.prepare('SELECT mtime_ms, size FROM topics WHERE slug = ?'));
    const out: string[] = [];
    for (const slug of new Set(slugs)) {
      const row = get.get(slug) as { mtime_ms: number; size: number } | undefined;
      let stats;
      try {
        stats = lstatSync(join(this.root, `${slug}.md`));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        if (row) out.push(slug);
        continue;
      }
      // A symbolic link is judged by reading it again (its target's time is what counts).
      if (!row || stats.isSymbolicLink() || row.mtime_ms !== stats.mtimeMs || row.size !== stats.size) out.push(slug);
    }
    return out;
  }

  /**
   * A topic as its file holds it, from its row, when the file is the one indexed (same size and
   * time, not a link) and the row has its frontmatter: what `readTopicFile` would give, without
   * reading and parsing the file. Undefined otherwise (the caller reads the file).
   */
  stored(slug: string): StoredTopic | undefined {
    const row = (this.storedRow ??= this.db.prepare('SELECT * FROM topics WHERE slug = ?')).get(slug) as TopicRow | undefined;
    if (!row || row.readable !== 1 || row.meta_json === null || row.frontmatter === null || row.frontmatter === undefined) return undefined;
    const path = join(this.root, `${slug}.md`);
    let stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    if (stats.isSymbolicLink() || stats.mtimeMs !== row.mtime_ms || stats.size !== row.size) return undefined;
    return {
      slug,
      meta: JSON.parse(row.meta_json) as TopicMeta,
      body: row.body ?? '',
      problems: row.problems ? (JSON.parse(row.problems) as string[]) : [],
      path,
      frontmatter: row.frontmatter,
      hash: row.hash ?? '',
      mtimeMs: row.mtime_ms,
      size: row.size,
    };
  }

  private apply(reads: readonly Read[], removed: readonly string[], known: ReadonlyMap<string, Known>, report: TopicSyncCounts): void {
    const upsert = this.statement(`
      INSERT INTO topics(slug, mtime_ms, size, hash, readable, error, type, status, meta_json, body, problems, frontmatter)
      VALUES (@slug, @mtime_ms, @size, @hash, @readable, @error, @type, @status, @meta_json, @body, @problems, @frontmatter)
      ON CONFLICT(slug) DO UPDATE SET mtime_ms=excluded.mtime_ms, size=excluded.size, hash=excluded.hash,
        readable=excluded.readable, error=excluded.error, type=excluded.type, status=excluded.status,
        meta_json=excluded.meta_json, body=excluded.body, problems=excluded.problems, frontmatter=excluded.frontmatter`);
    const touchOnly = this.statement('UPDATE topics SET mtime_ms = ?, size = ? WHERE slug = ?');
    const rowidOf = this.statement('SELECT rowid FROM topics WHERE slug = ?');
    const deleteFts = this.statement('DELETE FROM topics_fts WHERE rowid = ?');
    const insertFts = this.statement('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
    const removeRow = this.statement('DELETE FROM topics WHERE slug = ?');
    const transaction = this.db.transaction(() => {
      for (const read of reads) {
        if (read.status === 'missing') continue;
        const slug = read.status === 'ok' ? read.topic.slug : read.slug;
        const previous = known.get(slug);
        const hash = read.status === 'ok' ? read.topic.hash : read.hash;
        if (previous && hash !== undefined && previous.hash === hash) {
          touchOnly.run(read.status === 'ok' ? read.topic.mtimeMs : read.mtimeMs, read.status === 'ok' ? read.topic.size : read.size, slug);
          continue;
        }
        if (read.status === 'ok') this.upsertTopic(read.topic, upsert);
        else {
          upsert.run({
            slug,
            mtime_ms: read.mtimeMs,
            size: read.size,
            hash: read.hash ?? null,
            readable: 0,
            error: read.error,
            type: null,
            status: null,
            meta_json: null,
            body: null,
            problems: null,
            frontmatter: null,
          });
          this.lessons.drop(slug);
          this.ranks.putUnreadable(slug, read.error);
          this.stems.drop(slug);
          report.problems.push({ file: `${slug}.md`, message: read.error });
        }
        const rowid = (rowidOf.get(slug) as { rowid: number }).rowid;
        deleteFts.run(rowid);
        if (read.status === 'ok') {
          const { meta, body } = read.topic;
          insertFts.run(rowid, meta.name, meta.description, meta.tags.join(' '), body);
          this.written(rowid);
        }
        if (previous) report.topicsChanged += 1;
        else report.topicsAdded += 1;
      }
      for (const slug of removed) {
        const row = rowidOf.get(slug) as { rowid: number } | undefined;
        if (row) deleteFts.run(row.rowid);
        removeRow.run(slug);
        this.lessons.drop(slug);
        this.ranks.drop(slug);
        this.stems.drop(slug);
        report.topicsRemoved += 1;
      }
    });
    transaction.immediate();
  }

  private upsertTopic(topic: StoredTopic, upsert: Database.Statement): void {
    upsert.run({
      slug: topic.slug,
      mtime_ms: topic.mtimeMs,
      size: topic.size,
      hash: topic.hash,
      readable: 1,
      error: null,
      type: topic.meta.type,
      status: topic.meta.status,
      meta_json: JSON.stringify(topic.meta),
      body: topic.body,
      problems: topic.problems.length > 0 ? JSON.stringify(topic.problems) : null,
      frontmatter: topic.frontmatter,
    });
    const { meta } = topic;
    this.lessons.put(topic.slug, meta.type === 'lesson' && meta.status === 'active' ? meta.errorSignature : undefined);
    this.ranks.put(topic.slug, meta);
    this.stems.put(topic.slug, meta);
  }
}
