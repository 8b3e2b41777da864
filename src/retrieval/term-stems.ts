import type Database from 'better-sqlite3';
import type { TopicMeta } from '../store/index.js';
import { queryTerms } from './query-terms.js';
import { StatementCache } from './statement-cache.js';

/** A crude English stem (deploys → deploy, switching → switch), so that a prompt's wording meets a topic's. */
export function stemTerm(term: string): string {
  if (term.length <= 4 || /\d/.test(term)) return term;
  for (const suffix of ['ing', 'ies', 'es', 'ed', 's']) {
    if (term.endsWith(suffix) && term.length - suffix.length >= 3) {
      const base = term.slice(0, -suffix.length);
      return suffix === 'ies' ? `${base}y` : base;
    }
  }
  return term;
}

/** The distinct stems of a text's query terms. */
export function termStems(text: string): Set<string> {
  return new Set(queryTerms(text).map(stemTerm));
}

/** The text of a topic whose stems are counted: what says what it is about (name, description, tags). */
export function stemmedText(meta: { name: string; description: string; tags: readonly string[] }): string {
  return `${meta.name} ${meta.description} ${meta.tags.join(' ')}`;
}

const TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS topic_stems(slug TEXT NOT NULL, stem TEXT NOT NULL, PRIMARY KEY(slug, stem)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS stem_counts(stem TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS stem_topics(slug TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS stem_topic_count(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT OR IGNORE INTO stem_topic_count(id, n) VALUES (1, -1);
  CREATE TABLE IF NOT EXISTS readable_count(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT OR IGNORE INTO readable_count(id, n) SELECT 1, count(*) FROM topics WHERE readable = 1;
  CREATE TRIGGER IF NOT EXISTS topics_readable_insert AFTER INSERT ON topics BEGIN
    UPDATE readable_count SET n = n + (NEW.readable = 1) WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS topics_readable_delete AFTER DELETE ON topics BEGIN
    UPDATE readable_count SET n = n - (OLD.readable = 1) WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS topics_readable_update AFTER UPDATE OF readable ON topics BEGIN
    UPDATE readable_count SET n = n + (NEW.readable = 1) - (OLD.readable = 1) WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS topic_stems_insert AFTER INSERT ON topic_stems BEGIN
    INSERT OR IGNORE INTO stem_counts(stem, n) VALUES (NEW.stem, 0);
    UPDATE stem_counts SET n = n + 1 WHERE stem = NEW.stem; END;
  CREATE TRIGGER IF NOT EXISTS topic_stems_delete AFTER DELETE ON topic_stems BEGIN
    UPDATE stem_counts SET n = n - 1 WHERE stem = OLD.stem; END;
  CREATE TRIGGER IF NOT EXISTS stem_topics_insert AFTER INSERT ON stem_topics BEGIN
    UPDATE stem_topic_count SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS stem_topics_delete AFTER DELETE ON stem_topics BEGIN
    UPDATE stem_topic_count SET n = n - 1 WHERE id = 1; END;
  CREATE TRIGGER IF NOT EXISTS topics_stems_update AFTER UPDATE OF meta_json, readable ON topics BEGIN
    DELETE FROM topic_stems WHERE slug = OLD.slug; DELETE FROM stem_topics WHERE slug = OLD.slug; END;
  CREATE TRIGGER IF NOT EXISTS topics_stems_delete AFTER DELETE ON topics BEGIN
    DELETE FROM topic_stems WHERE slug = OLD.slug; DELETE FROM stem_topics WHERE slug = OLD.slug; END;`;

/**
 * How many readable topics (of any status) carry each stem in their name, description or tags,
 * kept beside the topic rows in the same transactions, so that the per-prompt hook weighs a
 * prompt's words by their rarity without listing the memory on every prompt. The counts are kept
 * by triggers from one row per topic and stem. A writer that does not keep this table (an older
 * mnemo) still leaves it consistent: the triggers drop the rows of every topic row it changes, the
 * number of topics counted then differs from the number of readable topics, and `ensureComplete`
 * fills the table again from the topic rows.
 */
export class StemTable {
  private readonly db: Database.Database;
  private cache: StatementCache | undefined;

  constructor(db: Database.Database) {
    this.db = db;
    // One transaction: the readable count starts from the rows as they are when its triggers appear.
    db.transaction(() => db.exec(TABLE_SQL)).immediate();
  }

  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /** Record a readable topic's stems (replacing what it had). Inside the caller's transaction. */
  put(slug: string, meta: Pick<TopicMeta, 'name' | 'description' | 'tags'>): void {
    this.drop(slug);
    const insert = this.statement('INSERT OR IGNORE INTO topic_stems(slug, stem) VALUES (?, ?)');
    for (const stem of termStems(stemmedText(meta))) insert.run(slug, stem);
    this.statement('INSERT OR IGNORE INTO stem_topics(slug) VALUES (?)').run(slug);
  }

  drop(slug: string): void {
    this.statement('DELETE FROM topic_stems WHERE slug = ?').run(slug);
    this.statement('DELETE FROM stem_topics WHERE slug = ?').run(slug);
  }

  /**
   * Make the table hold exactly the readable topics: when the number it counts differs from
   * theirs, fill it again from the topic rows, in one transaction. Returns whether it did.
   */
  ensureComplete(): boolean {
    const counted = (this.statement('SELECT n FROM stem_topic_count WHERE id = 1').get() as { n: number } | undefined)?.n;
    const readable = (this.statement('SELECT n FROM readable_count WHERE id = 1').get() as { n: number } | undefined)?.n;
    if (counted === readable) return false;
    this.db
      .transaction(() => {
        const rows = this.db.prepare('SELECT slug, meta_json FROM topics WHERE readable = 1').all() as {
          slug: string;
          meta_json: string;
        }[];
        this.db.exec('DELETE FROM topic_stems; DELETE FROM stem_counts; DELETE FROM stem_topics;');
        this.db.exec('INSERT OR REPLACE INTO stem_topic_count(id, n) VALUES (1, 0)');
        this.db.exec('INSERT OR REPLACE INTO readable_count(id, n) SELECT 1, count(*) FROM topics WHERE readable = 1');
        for (const row of rows) this.put(row.slug, JSON.parse(row.meta_json) as TopicMeta);
      })
      .immediate();
    return true;
  }

  /** The number of readable topics. */
  topics(): number {
    return (this.statement('SELECT n FROM stem_topic_count WHERE id = 1').get() as { n: number } | undefined)?.n ?? 0;
  }

  /** The number of readable topics whose name, description or tags carry this stem. */
  frequency(stem: string): number {
    return (this.statement('SELECT n FROM stem_counts WHERE stem = ?').get(stem) as { n: number } | undefined)?.n ?? 0;
  }
}
