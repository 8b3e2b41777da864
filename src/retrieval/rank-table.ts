import type Database from 'better-sqlite3';
import { renderIndexLine, type TopicMeta, type TopicType } from '../store/index.js';
import { StatementCache } from './statement-cache.js';

/**
 * Bumped when what a row holds changes (the line format of `renderIndexLine`, the groups): the
 * table is then filled again from the topic rows, once.
 */
const RANK_TABLE_VERSION = '2';

/**
 * One topic that belongs in MEMORY.md, as the rank table holds it: its group (type and suspect, or
 * unreadable), the time its recency counts from, and its index line, rendered once when the row
 * changed. The rank itself depends on the clock and on usage, so it is computed by the reader;
 * within a group it falls as the time does, so a group read by `time DESC` comes in rank order.
 */
export interface RankRow {
  slug: string;
  slug_key: string;
  /** `<type>:<0|1>` (1 for suspect), or `unreadable`. */
  grp: string;
  /** `Date.parse` of `updated ?? created`; null when absent or not a date. */
  time_ms: number | null;
  line: string;
  /** Bytes of `line` and its newline. */
  line_bytes: number;
}

/**
 * A key that SQLite's byte order sorts as JavaScript compares strings (UTF-16 code units, as
 * `compareSlugs` does): each code unit as four hex digits.
 */
export function slugSortKey(slug: string): string {
  let key = '';
  for (let index = 0; index < slug.length; index += 1) key += slug.charCodeAt(index).toString(16).padStart(4, '0');
  return key;
}

export const UNREADABLE_GROUP = 'unreadable';

/** The group of a readable topic of this type. */
export function rankGroup(type: TopicType, suspect: boolean): string {
  return `${type}:${suspect ? 1 : 0}`;
}

/** The time (ms) a topic's recency counts from, or NaN, exactly as the index ranking reads it. */
export function rankTimeMs(meta: Pick<TopicMeta, 'updated' | 'created'>): number {
  const time = meta.updated ?? meta.created;
  return time ? Date.parse(time) : Number.NaN;
}

/** The line an unreadable topic gets in MEMORY.md (its hook says why). */
export function unreadableHook(error: string): string {
  return `unreadable, run mnemo doctor: ${error}`;
}

const TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS topic_ranks(
    slug TEXT PRIMARY KEY, grp TEXT NOT NULL, time_ms REAL, slug_key TEXT NOT NULL, line TEXT NOT NULL, line_bytes INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS topic_ranks_order ON topic_ranks(grp, time_ms DESC, slug_key, line_bytes);
  CREATE TABLE IF NOT EXISTS topic_rank_count(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT OR IGNORE INTO topic_rank_count(id, n) SELECT 1, count(*) FROM topic_ranks;
  CREATE TRIGGER IF NOT EXISTS topic_ranks_insert AFTER INSERT ON topic_ranks BEGIN
    UPDATE topic_rank_count SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS topic_ranks_delete AFTER DELETE ON topic_ranks BEGIN
    UPDATE topic_rank_count SET n = n - 1 WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS topics_rank_update AFTER UPDATE OF meta_json, readable, status, error ON topics BEGIN
    DELETE FROM topic_ranks WHERE slug = OLD.slug; END;
  CREATE TRIGGER IF NOT EXISTS topics_rank_delete AFTER DELETE ON topics BEGIN
    DELETE FROM topic_ranks WHERE slug = OLD.slug; END;`;

/**
 * The topics MEMORY.md may list, with what ranking them needs, kept beside the topic rows (in the
 * same transactions), so that rendering MEMORY.md reads the top of each group instead of every
 * topic. A writer that does not keep this table (an older mnemo) still leaves it consistent: the
 * triggers drop the row of every topic row it changes, the count then differs from the number
 * of indexable topics, and `ensureComplete` fills the table again from the topic rows.
 */
export class RankTable {
  private readonly db: Database.Database;
  private readonly remove: Database.Statement;
  private readonly insert: Database.Statement;
  private cache: StatementCache | undefined;

  constructor(db: Database.Database) {
    this.db = db;
    db.transaction(() => {
      const version = (db.prepare("SELECT value FROM meta WHERE key = 'rank_table'").get() as { value: string } | undefined)?.value;
      if (version !== RANK_TABLE_VERSION) {
        // Another layout, or none yet: made anew, filled by the next `ensureComplete` (the count is off).
        db.exec('DROP TABLE IF EXISTS topic_ranks; DROP TABLE IF EXISTS topic_rank_count;');
        db.exec(TABLE_SQL);
        db.exec('UPDATE topic_rank_count SET n = -1 WHERE id = 1');
        db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('rank_table', ?)").run(RANK_TABLE_VERSION);
      } else db.exec(TABLE_SQL);
    }).immediate();
    this.remove = db.prepare('DELETE FROM topic_ranks WHERE slug = ?');
    this.insert = db.prepare(
      'INSERT OR REPLACE INTO topic_ranks(slug, grp, time_ms, slug_key, line, line_bytes) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /** Record (or drop, when it does not belong in the index) a readable topic. Inside the caller's transaction. */
  put(slug: string, meta: TopicMeta): void {
    if (meta.status !== 'active' && meta.status !== 'suspect') {
      this.remove.run(slug);
      return;
    }
    const suspect = meta.status === 'suspect';
    const line = renderIndexLine({ slug, title: meta.name, hook: meta.description, suspect });
    const time = rankTimeMs(meta);
    this.insert.run(
      slug,
      rankGroup(meta.type, suspect),
      Number.isNaN(time) ? null : time,
      slugSortKey(slug),
      line,
      Buffer.byteLength(`${line}\n`),
    );
  }

  /** Record an unreadable topic file (listed so that it stays findable). */
  putUnreadable(slug: string, error: string): void {
    const line = renderIndexLine({ slug, title: slug, hook: unreadableHook(error) });
    this.insert.run(slug, UNREADABLE_GROUP, null, slugSortKey(slug), line, Buffer.byteLength(`${line}\n`));
  }

  drop(slug: string): void {
    this.remove.run(slug);
  }

  /**
   * Make the table hold exactly the indexable topics (`indexable`, their count): when its count
   * differs, fill it again from the topic rows, in one transaction. Returns whether it did.
   */
  ensureComplete(indexable: number): boolean {
    const count = (this.statement('SELECT n FROM topic_rank_count WHERE id = 1').get() as { n: number } | undefined)?.n;
    if (count === indexable) return false;
    const rows = this.db
      .prepare("SELECT slug, readable, error, meta_json FROM topics WHERE coalesce(status, '') IN ('active', 'suspect') OR readable = 0")
      .all() as { slug: string; readable: number; error: string | null; meta_json: string | null }[];
    this.db
      .transaction(() => {
        this.db.exec('DELETE FROM topic_ranks');
        for (const row of rows) {
          if (row.readable === 1 && row.meta_json !== null) this.put(row.slug, JSON.parse(row.meta_json) as TopicMeta);
          else this.putUnreadable(row.slug, row.error ?? 'unreadable');
        }
        this.db.exec('INSERT OR REPLACE INTO topic_rank_count(id, n) SELECT 1, count(*) FROM topic_ranks');
      })
      .immediate();
    return true;
  }

  /**
   * The latest time below `before` (or the latest of all) among a group's rows whose line takes at
   * most `maxBytes`; undefined when there is none.
   */
  nextTime(grp: string, before: number | undefined, maxBytes: number): number | undefined {
    const row = (
      before === undefined
        ? this.statement(
            'SELECT time_ms FROM topic_ranks WHERE grp = ? AND time_ms IS NOT NULL AND line_bytes <= ? ORDER BY time_ms DESC LIMIT 1',
          ).get(grp, maxBytes)
        : this.statement(
            'SELECT time_ms FROM topic_ranks WHERE grp = ? AND time_ms < ? AND line_bytes <= ? ORDER BY time_ms DESC LIMIT 1',
          ).get(grp, before, maxBytes)
    ) as { time_ms: number } | undefined;
    return row?.time_ms;
  }

  /**
   * Rows of a group with this time (`null`: without one), in slug order after the slug key
   * `after`, whose line takes at most `maxBytes`.
   */
  atTime(grp: string, time: number | null, after: string, maxBytes: number, limit: number): RankRow[] {
    return (
      time === null
        ? this.statement(
            'SELECT * FROM topic_ranks WHERE grp = ? AND time_ms IS NULL AND slug_key > ? AND line_bytes <= ? ORDER BY slug_key LIMIT ?',
          ).all(grp, after, maxBytes, limit)
        : this.statement(
            'SELECT * FROM topic_ranks WHERE grp = ? AND time_ms = ? AND slug_key > ? AND line_bytes <= ? ORDER BY slug_key LIMIT ?',
          ).all(grp, time, after, maxBytes, limit)
    ) as RankRow[];
  }

  /** The rows of these slugs (those that have one). */
  bySlug(slugs: readonly string[]): RankRow[] {
    const get = this.statement('SELECT * FROM topic_ranks WHERE slug = ?');
    return slugs.flatMap((slug) => {
      const row = get.get(slug) as RankRow | undefined;
      return row ? [row] : [];
    });
  }
}
