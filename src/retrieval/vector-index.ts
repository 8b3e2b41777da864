import type Database from 'better-sqlite3';
import type { Embedder } from '../providers/index.js';
import { describeError, silentLogger, type Logger } from '../shared/index.js';
import type { TopicStatus } from '../store/index.js';
import type { SearchIndex } from './search-index.js';

/** What a catch-up did. */
export interface EmbeddingReport {
  /** Items embedded now. */
  embedded: number;
  /** Items still waiting (the embedder failed, or `max` was reached). */
  queued: number;
  /** Why the embedder could not be used, when it failed. */
  failed?: string;
}

export interface CatchUpOptions {
  /** Embed at most this many items now (the rest stay queued). */
  max?: number;
  signal?: AbortSignal;
  /** Called after each batch: done so far, and all there was to do. */
  onProgress?: (done: number, total: number) => void;
}

export interface VectorHit {
  /** A topic slug, or a turn's rowid in the search index. */
  key: string;
  /** Cosine distance (0 = same direction). */
  distance: number;
}

interface QueueRow {
  key: string;
  kind: 'topic' | 'turn';
}

const TABLES_SQL = `
  CREATE TABLE IF NOT EXISTS vec_items(rowid INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS vec_queue(key TEXT PRIMARY KEY, kind TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
`;

/** A turn's fingerprint, computed in SQL (turns never change in place; a rewritten transcript gives new texts). */
const TURN_HASH = "length(t.text) || ':' || substr(t.text, 1, 80)";
const TURN_KEY = "'turn:' || t.file || ':' || t.line";

/**
 * Vectors of topics and transcript turns beside the search index, in the same `.state/search.db`
 * (sqlite-vec `vec0` tables, cosine distance). Only opened when an embedder is configured: the
 * sqlite-vec extension is loaded here and nowhere else. What needs embedding is found by
 * comparing the index's rows with what was embedded (and under which embedder), kept in a queue
 * table, and embedded in batches by `catchUp`; an embedder that is down leaves the queue as it
 * is, so nothing is lost and the next catch-up (or `mnemo reindex --embeddings`) finishes it.
 */
export class VectorIndex {
  readonly embedder: Embedder;
  private readonly db: Database.Database;
  private readonly search: SearchIndex;
  private readonly batchSize: number;
  private readonly logger: Logger;
  private running: Promise<EmbeddingReport> | undefined;

  private constructor(search: SearchIndex, embedder: Embedder, batchSize: number, logger: Logger) {
    this.search = search;
    this.db = search.database;
    this.embedder = embedder;
    this.batchSize = batchSize;
    this.logger = logger;
  }

  /** Load sqlite-vec into the search index's connection and create the tables (idempotent). */
  static async open(options: { search: SearchIndex; embedder: Embedder; batchSize?: number; logger?: Logger }): Promise<VectorIndex> {
    const sqliteVec = await import('sqlite-vec');
    sqliteVec.load(options.search.database);
    options.search.database.exec(TABLES_SQL);
    const index = new VectorIndex(options.search, options.embedder, options.batchSize ?? 64, options.logger ?? silentLogger);
    if (index.meta('vec_embedder') !== embedder(options.embedder)) index.reset();
    return index;
  }

  private meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run(key, value);
  }

  private dimensions(): number | undefined {
    const value = this.meta('vec_dimensions');
    return value === undefined ? undefined : Number(value);
  }

  /** Forget every vector (another embedder, or `reindex --embeddings`): everything is queued again. */
  reset(): void {
    this.db.exec('DROP TABLE IF EXISTS vec_topics; DROP TABLE IF EXISTS vec_turns; DELETE FROM vec_items; DELETE FROM vec_queue;');
    this.db.prepare("DELETE FROM meta WHERE key IN ('vec_dimensions')").run();
    this.setMeta('vec_embedder', embedder(this.embedder));
  }

  /**
   * Queue what is not embedded yet (or changed since): readable active and suspect topics, and
   * turns that mnemo did not inject. Drops vectors of what is gone. Returns the queue's length.
   */
  enqueue(): number {
    const apply = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR IGNORE INTO vec_queue(key, kind)
           SELECT 'topic:' || t.slug, 'topic' FROM topics t LEFT JOIN vec_items v ON v.key = 'topic:' || t.slug
           WHERE t.readable = 1 AND t.status IN ('active', 'suspect') AND (v.hash IS NULL OR v.hash != coalesce(t.hash, ''))`,
        )
        .run();
      this.db
        .prepare(
          `INSERT OR IGNORE INTO vec_queue(key, kind)
           SELECT ${TURN_KEY}, 'turn' FROM turns t LEFT JOIN vec_items v ON v.key = ${TURN_KEY}
           WHERE t.injected = 0 AND (v.hash IS NULL OR v.hash != ${TURN_HASH})`,
        )
        .run();
    });
    apply.immediate();
    return this.pending();
  }

  /** Items waiting to be embedded. */
  pending(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM vec_queue').get() as { n: number }).n;
  }

  /** Items with a vector. */
  embeddedCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM vec_items').get() as { n: number }).n;
  }

  /** The text embedded for a queued item, and its fingerprint; undefined when the item is gone. */
  private source(row: QueueRow): { text: string; hash: string } | undefined {
    if (row.kind === 'topic') {
      const topic = this.db
        .prepare("SELECT hash, meta_json, body FROM topics WHERE slug = ? AND readable = 1 AND status IN ('active', 'suspect')")
        .get(row.key.slice('topic:'.length)) as { hash: string | null; meta_json: string | null; body: string | null } | undefined;
      if (!topic) return undefined;
      const meta = JSON.parse(topic.meta_json ?? '{}') as { name?: string; description?: string; tags?: string[] };
      const text = [meta.name, meta.description, (meta.tags ?? []).join(', '), topic.body ?? ''].filter(Boolean).join('\n');
      return { text, hash: topic.hash ?? '' };
    }
    const match = /^turn:(.*):(\d+)$/.exec(row.key);
    if (!match) return undefined;
    const turn = this.db
      .prepare(
        `SELECT coalesce(t.speaker, t.role, t.kind) AS who, t.text AS text, ${TURN_HASH} AS hash FROM turns t WHERE t.file = ? AND t.line = ?`,
      )
      .get(match[1], Number(match[2])) as { who: string; text: string; hash: string } | undefined;
    return turn ? { text: `${turn.who}: ${turn.text}`, hash: turn.hash } : undefined;
  }

  private ensureTables(dimensions: number): void {
    const known = this.dimensions();
    if (known === dimensions) return;
    if (known !== undefined) this.reset();
    for (const table of ['vec_topics', 'vec_turns'])
      this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0(embedding float[${dimensions}] distance_metric=cosine)`);
    this.setMeta('vec_dimensions', String(dimensions));
  }

  private store(row: QueueRow, hash: string, vector: Float32Array): void {
    const table = row.kind === 'topic' ? 'vec_topics' : 'vec_turns';
    const existing = this.db.prepare('SELECT rowid FROM vec_items WHERE key = ?').pluck().get(row.key) as number | undefined;
    if (existing !== undefined) this.db.prepare(`DELETE FROM ${table} WHERE rowid = ?`).run(BigInt(existing));
    const rowid =
      existing ??
      Number(this.db.prepare('INSERT INTO vec_items(key, kind, hash) VALUES (?, ?, ?)').run(row.key, row.kind, hash).lastInsertRowid);
    if (existing !== undefined) this.db.prepare('UPDATE vec_items SET hash = ? WHERE rowid = ?').run(hash, rowid);
    this.db.prepare(`INSERT INTO ${table}(rowid, embedding) VALUES (?, ?)`).run(BigInt(rowid), vector);
  }

  /**
   * Embed what is queued, in batches of `batchSize`. Never throws for the embedder: a failure
   * stops the catch-up, leaves the rest queued and is said in `failed`. One catch-up at a time
   * per index; a second call waits for the running one.
   */
  async catchUp(options: CatchUpOptions = {}): Promise<EmbeddingReport> {
    if (this.running) await this.running.catch(() => undefined);
    this.running = this.runCatchUp(options);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runCatchUp(options: CatchUpOptions): Promise<EmbeddingReport> {
    this.enqueue();
    const total = Math.min(this.pending(), options.max ?? Number.POSITIVE_INFINITY);
    const report: EmbeddingReport = { embedded: 0, queued: 0 };
    const next = this.db.prepare('SELECT key, kind FROM vec_queue ORDER BY kind, key LIMIT ?');
    const done = this.db.prepare('DELETE FROM vec_queue WHERE key = ?');
    const failed = this.db.prepare('UPDATE vec_queue SET attempts = attempts + 1, last_error = ? WHERE key = ?');
    while (report.embedded < total) {
      const batch = next.all(Math.min(this.batchSize, total - report.embedded)) as QueueRow[];
      if (batch.length === 0) break;
      const sources = batch.map((row) => ({ row, source: this.source(row) }));
      const gone = sources.filter((entry) => entry.source === undefined);
      for (const entry of gone) done.run(entry.row.key);
      const live = sources.flatMap((entry) => (entry.source ? [{ row: entry.row, ...entry.source }] : []));
      if (live.length === 0) continue;
      let vectors: Float32Array[];
      try {
        vectors = await this.embedder.embed(
          live.map((entry) => entry.text),
          options.signal,
        );
        if (vectors.length !== live.length) throw new Error(`the embedder returned ${vectors.length} vectors for ${live.length} texts`);
      } catch (error) {
        report.failed = `${this.embedder.id}: ${describeError(error)}`;
        this.db.transaction(() => {
          for (const entry of live) failed.run(report.failed ?? '', entry.row.key);
        })();
        this.logger.warn('embedding failed; the items stay queued', { embedder: this.embedder.id, error: describeError(error) });
        break;
      }
      const dimensions = vectors[0]?.length ?? 0;
      if (dimensions === 0 || vectors.some((vector) => vector.length !== dimensions)) {
        report.failed = `${this.embedder.id}: vectors of unequal or zero length`;
        break;
      }
      this.db.transaction(() => {
        this.ensureTables(dimensions);
        live.forEach((entry, at) => {
          this.store(entry.row, entry.hash, vectors[at] as Float32Array);
          done.run(entry.row.key);
        });
      })();
      report.embedded += live.length;
      options.onProgress?.(report.embedded, total);
    }
    report.queued = this.pending();
    return report;
  }

  /** Embed a query; rejects when the embedder is down. */
  async embedQuery(query: string, signal?: AbortSignal): Promise<Float32Array> {
    const [vector] = await this.embedder.embed([query], signal);
    if (!vector) throw new Error('the embedder returned no vector for the query');
    return vector;
  }

  private knn(table: 'vec_topics' | 'vec_turns', vector: Float32Array, k: number): { key: string; distance: number }[] {
    if (this.dimensions() !== vector.length) return [];
    const rows = this.db
      .prepare(`SELECT rowid, distance FROM ${table} WHERE embedding MATCH ? AND k = ? ORDER BY distance`)
      .all(vector, k) as { rowid: number; distance: number }[];
    const keyOf = this.db.prepare('SELECT key FROM vec_items WHERE rowid = ?').pluck();
    return rows.flatMap((row) => {
      const key = keyOf.get(row.rowid) as string | undefined;
      return key === undefined ? [] : [{ key, distance: row.distance }];
    });
  }

  /** The topics nearest a query vector (of the given statuses; default active and suspect), nearest first. */
  nearestTopics(vector: Float32Array, limit: number, statuses: readonly TopicStatus[] = ['active', 'suspect']): VectorHit[] {
    const status = this.db.prepare('SELECT status FROM topics WHERE slug = ? AND readable = 1').pluck();
    return this.knn('vec_topics', vector, Math.max(1, limit * 2))
      .map((hit) => ({ key: hit.key.slice('topic:'.length), distance: hit.distance }))
      .filter((hit) => statuses.includes(status.get(hit.key) as TopicStatus))
      .slice(0, limit);
  }

  /** The transcript turns nearest a query vector, as search-index rowids, nearest first. */
  nearestTurns(vector: Float32Array, limit: number): VectorHit[] {
    const rowid = this.db.prepare('SELECT rowid FROM turns WHERE file = ? AND line = ? AND injected = 0').pluck();
    return this.knn('vec_turns', vector, limit).flatMap((hit) => {
      const match = /^turn:(.*):(\d+)$/.exec(hit.key);
      const found = match ? (rowid.get(match[1], Number(match[2])) as number | undefined) : undefined;
      return found === undefined ? [] : [{ key: String(found), distance: hit.distance }];
    });
  }

  /** For `status`: what is embedded, what is waiting (queued now), what failed last. */
  counts(): { embedded: number; queued: number; failing: number; lastError: string | undefined } {
    try {
      this.enqueue();
    } catch {
      // a read-only index: the queue as it was
    }
    const failing = this.db.prepare('SELECT count(*) AS n, max(last_error) AS error FROM vec_queue WHERE attempts > 0').get() as {
      n: number;
      error: string | null;
    };
    return { embedded: this.embeddedCount(), queued: this.pending(), failing: failing.n, lastError: failing.error ?? undefined };
  }

  /** The search index this sits beside. */
  get searchIndex(): SearchIndex {
    return this.search;
  }
}

function embedder(port: Embedder): string {
  return port.id;
}
