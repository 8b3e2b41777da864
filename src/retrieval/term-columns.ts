import type Database from 'better-sqlite3';
import { Fts5Pages, mergeOlder, withoutDeleted } from './fts5-pages.js';
import { sumVarints } from './fts5-varint.js';
import { StatementCache } from './statement-cache.js';

/**
 * Term columns: for each token in many rows of an FTS5 table, the rows that have it and its
 * column-weighted count in each (bm25's f; the weights are whole numbers, so f is exact as a
 * 32-bit float), plus every row's length (bm25's D), kept as arrays in the database beside the
 * table. With them a query's bm25 is a few arithmetic operations per posting in JavaScript
 * (topk.ts), against FTS5's ~0.6 µs per row for `bm25()`, which reads each row's sizes and
 * position lists and counts every phrase's rows for the idf.
 *
 * They are kept valid by a change log: triggers on the table's content table record the rowid of
 * every row inserted, rewritten or deleted, with a counter that only grows
 * (`<table>_change_seq`). A column (or the lengths) built at counter s is exact for every row not
 * logged after s; the logged rows are scored from what the table holds now: from the terms their
 * writer kept (`recordRow`, `<table>_row_terms`), or tokenized again when it kept none. After
 * `patchAfter` changes since s a search patches the column from those rows (and the lengths from
 * FTS5's sizes of them), saving it at the counter now; past `staleAfter` changes (a column no
 * search asked for while they came) it is built again. Log entries (and kept terms) older than
 * `staleAfter` changes are pruned: no column in use needs them, in any process (a snapshot that
 * sees the prune sees the counter it was pruned at). The triggers fire for every writer of the
 * content table, whatever its version.
 */

/** Tokens in more rows than this get a column; rarer ones are cheap for FTS5. */
export const COLUMN_MIN_ROWS = 1024;
/**
 * Queries whose phrases have more postings than this, together, are scored from the columns:
 * below it FTS5's own pruned query costs a few milliseconds at most.
 */
export const COLUMNS_FROM_POSTINGS = 4096;
/** Changes since a column was built after which it is built again. */
export const COLUMN_STALE_AFTER = 1000;
/**
 * Changes since a column (or the lengths) was built after which a search patches it from the
 * changed rows (all still in the log) instead of scoring them apart on every query.
 */
export const COLUMN_PATCH_AFTER = 200;
/** The layout of saved columns: little-endian int32 rowids, float32 counts. */
const COLUMN_FORMAT = 'i32le-f32le-1';
/** Columns kept in memory per connection, in bytes, before they are dropped and read again. */
const KEPT_BYTES = 32 * 1024 * 1024;

export interface TermColumn {
  /** The change counter when it was built. */
  seq: number;
  /** Rowids in ascending order, and the token's column-weighted count in each. */
  rowids: Int32Array;
  freqs: Float32Array;
}

export interface RowLengths {
  seq: number;
  /** Tokens in the row (all columns), by rowid; 0 for rowids without a row. */
  lengths: Int32Array;
}

export interface TermColumnOptions {
  /** Tokens in more rows than this get a kept column (default `COLUMN_MIN_ROWS`). */
  minRows?: number;
  /** Changes after which a column is built again (default `COLUMN_STALE_AFTER`). */
  staleAfter?: number;
  /** Changes after which a usable column is patched from the changed rows (default `COLUMN_PATCH_AFTER`). */
  patchAfter?: number;
  /** Queries whose phrases have more postings than this, together, are scored from the columns (default `COLUMNS_FROM_POSTINGS`). */
  fromPostings?: number;
}

/**
 * SQL that keeps the change log of `table` (an FTS5 table) from its content table, and the
 * tables of the columns; idempotent. `columns`: the content table's columns whose update rewrites
 * the FTS5 row. (No `OR REPLACE` in the triggers: the conflict policy of the statement that fires
 * a trigger overrides its own, and the search index writes by upsert.)
 */
export function changeLogSql(table: string, content: string, columns: readonly string[]): string {
  const log = (row: 'NEW' | 'OLD'): string => `
    UPDATE ${table}_change_seq SET n = n + 1 WHERE id = 1;
    DELETE FROM ${table}_changes WHERE rowid = ${row}.rowid;
    INSERT INTO ${table}_changes(rowid, seq) SELECT ${row}.rowid, n FROM ${table}_change_seq WHERE id = 1;`;
  return `
    CREATE TABLE IF NOT EXISTS ${table}_change_seq(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
    INSERT OR IGNORE INTO ${table}_change_seq(id, n) VALUES (1, 0);
    CREATE TABLE IF NOT EXISTS ${table}_changes(rowid INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS ${table}_changes_seq ON ${table}_changes(seq);
    CREATE TABLE IF NOT EXISTS ${table}_columns(
      term TEXT UNIQUE NOT NULL, format TEXT NOT NULL, seq INTEGER NOT NULL, rowids BLOB NOT NULL, freqs BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS ${table}_lengths(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, lengths BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS ${table}_row_terms(rowid INTEGER PRIMARY KEY, seq INTEGER NOT NULL, length INTEGER NOT NULL, terms TEXT NOT NULL);
    CREATE TRIGGER IF NOT EXISTS ${table}_changed_insert AFTER INSERT ON ${content} BEGIN ${log('NEW')} END;
    CREATE TRIGGER IF NOT EXISTS ${table}_changed_update AFTER UPDATE OF ${columns.join(', ')} ON ${content} BEGIN ${log('NEW')} END;
    CREATE TRIGGER IF NOT EXISTS ${table}_changed_delete AFTER DELETE ON ${content} BEGIN ${log('OLD')} END;`;
}

/** The objects `changeLogSql` makes that an index must have for its columns to be trusted (the newest last). */
export function changeLogObjects(table: string): string[] {
  return [`${table}_changed_insert`, `${table}_changed_update`, `${table}_changed_delete`, `${table}_row_terms`];
}

/** SQL that forgets every column and the log (a table rebuilt from scratch): they are built again on use. */
export function clearColumnsSql(table: string): string {
  return `DELETE FROM ${table}_columns; DELETE FROM ${table}_lengths; DELETE FROM ${table}_changes; DELETE FROM ${table}_row_terms;`;
}

/** A typed array over a blob's bytes (copied when the blob is not aligned for it). */
function view<T extends Int32Array | Float32Array>(make: new (buffer: ArrayBuffer) => T, width: number, blob: Buffer): T {
  const bytes = blob.byteOffset % width === 0 ? blob : Buffer.from(blob);
  return new (make as unknown as new (buffer: ArrayBufferLike, offset: number, length: number) => T)(
    bytes.buffer,
    bytes.byteOffset,
    Math.floor(bytes.length / width),
  );
}

function blobOf(array: Int32Array | Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** The term columns of one FTS5 table on one connection: read, built, kept and saved. */
export class TermColumns {
  readonly minRows: number;
  readonly staleAfter: number;
  readonly patchAfter: number;
  readonly fromPostings: number;
  /** What a saved column was made with (its layout and the weights in its counts); others are not read. */
  private readonly format: string;
  private readonly known = new Map<string, TermColumn>();
  private keptBytes = 0;
  private lengths: RowLengths | undefined;
  /** The counter at which the rowids were found too sparse for arrays. */
  private sparseAt: number | undefined;
  private readonly unsaved = new Map<string, TermColumn>();
  private lengthsUnsaved = false;
  private cache: StatementCache | undefined;
  private present: boolean | undefined;
  private columnWeights: Map<string, number> | undefined;
  private names: string[] | undefined;
  private scratchReady = false;
  private readonly pages: Fts5Pages;
  /** Set while the caller holds a read snapshot of its own (no FTS5 writes pending): columns are then read from FTS5's pages. */
  private ownSnapshot = false;
  /** Columns (and lengths) built on this connection, and changed rows it tokenized again (tests and benches count them). */
  built = 0;
  tokenized = 0;
  /** Of the columns built, those decoded from FTS5's pages (the rest came from fts5vocab). */
  fromPages = 0;
  /** Columns (and lengths) brought up to date from their changed rows. */
  patched = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
    private readonly tokenizer: string,
    private readonly weights: readonly number[],
    options: TermColumnOptions = {},
  ) {
    this.minRows = options.minRows ?? COLUMN_MIN_ROWS;
    this.format = `${COLUMN_FORMAT}:${weights.join(',')}`;
    this.staleAfter = options.staleAfter ?? COLUMN_STALE_AFTER;
    this.patchAfter = Math.min(options.patchAfter ?? COLUMN_PATCH_AFTER, this.staleAfter);
    this.fromPostings = options.fromPostings ?? COLUMNS_FROM_POSTINGS;
    this.pages = new Fts5Pages(db, table);
  }

  /**
   * Run `read` in a read transaction the caller began for it, with no writes of this connection
   * pending: columns built in it are decoded from FTS5's pages (fts5-pages.ts, ~5× faster than
   * fts5vocab), which do not hold writes still pending in FTS5's in-memory hash.
   */
  inOwnSnapshot<T>(read: () => T): T {
    this.ownSnapshot = true;
    try {
      return read();
    } finally {
      this.ownSnapshot = false;
    }
  }

  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /** Whether the change log exists (the caller keeps it); without it no column can be trusted. */
  available(): boolean {
    const objects = changeLogObjects(this.table);
    this.present ??=
      this.db
        .prepare('SELECT count(*) FROM sqlite_master WHERE name IN (SELECT value FROM json_each(?))')
        .pluck()
        .get(JSON.stringify(objects)) === objects.length;
    return this.present;
  }

  /** The change counter now. */
  now(): number {
    return (this.statement(`SELECT n FROM ${this.table}_change_seq WHERE id = 1`).pluck().get() as number | undefined) ?? 0;
  }

  /** Rows inserted, rewritten or deleted after counter `seq`, with the counter of their last change. */
  changedSince(seq: number): { rowid: number; seq: number }[] {
    return this.statement(`SELECT rowid, seq FROM ${this.table}_changes WHERE seq > ?`).all(seq) as { rowid: number; seq: number }[];
  }

  /** The scratch table (and its instances) that rows are tokenized in, as FTS5 tokenizes them. */
  private scratch(): string {
    const scratch = `temp.${this.table}_columns_scratch`;
    if (!this.scratchReady) {
      this.db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS ${scratch} USING fts5(${this.columnNames().join(', ')}, ${this.tokenizer});
        CREATE VIRTUAL TABLE IF NOT EXISTS temp.${this.table}_columns_scratch_instances USING fts5vocab(temp, ${this.table}_columns_scratch, instance);`);
      this.scratchReady = true;
    }
    return scratch;
  }

  /** Copy rows of the table into the scratch table; their lengths, by rowid. */
  private tokenize(rowids: readonly number[]): Map<number, number> {
    const names = this.columnNames().join(', ');
    const scratch = this.scratch();
    this.statement(
      `INSERT INTO ${scratch}(rowid, ${names}) SELECT rowid, ${names} FROM main.${this.table} WHERE rowid IN (SELECT value FROM json_each(?))`,
    ).run(JSON.stringify(rowids));
    const lengths = new Map<number, number>();
    for (const [rowid, size] of this.statement(`SELECT id, sz FROM ${scratch}_docsize`).raw().all() as [number, Uint8Array][])
      lengths.set(rowid, sumVarints(size));
    return lengths;
  }

  /**
   * What a writer keeps of a row it just wrote to the table (in the same transaction, after the
   * change log took it): its length and every token's column-weighted count, under the counter
   * of that change, so that searches score it without tokenizing it again. Rows without such a
   * record (written by another version) are tokenized by the search.
   */
  recordRow(rowid: number): void {
    if (!this.available()) return;
    const seq = this.statement(`SELECT seq FROM ${this.table}_changes WHERE rowid = ?`).pluck().get(rowid) as number | undefined;
    if (seq === undefined) return;
    try {
      const length = this.tokenize([rowid]).get(rowid);
      if (length === undefined) return;
      const weightOf = this.weightsByName();
      const terms: Record<string, number> = {};
      for (const [term, col] of this.statement(`SELECT term, col FROM temp.${this.table}_columns_scratch_instances`).raw().all() as [
        string,
        string,
      ][])
        terms[term] = (terms[term] ?? 0) + (weightOf.get(col) ?? 1);
      this.statement(`INSERT OR REPLACE INTO ${this.table}_row_terms(rowid, seq, length, terms) VALUES (?, ?, ?, ?)`).run(
        rowid,
        seq,
        length,
        JSON.stringify(terms),
      );
    } finally {
      this.statement(`DELETE FROM ${this.scratch()}`).run();
    }
  }

  /** The table's column names, in order. */
  private columnNames(): string[] {
    return (this.names ??= (this.db.prepare(`PRAGMA table_info(${this.table})`).all() as { name: string }[]).map((info) => info.name));
  }

  /**
   * The given changed rows as FTS5 holds them now: each row's length and, for each token asked
   * for, its column-weighted count (0 when absent). From the writer's record of the row when it
   * is of the row's last change (`recordRow`); otherwise tokenized again now. Rows that no longer
   * exist are left out.
   */
  rowTerms(
    changed: readonly { rowid: number; seq: number }[],
    tokens: readonly string[],
  ): Map<number, { length: number; freqs: number[] }> {
    const terms = new Map<number, { length: number; freqs: number[] }>();
    if (changed.length === 0) return terms;
    const wanted = new Map<string, number[]>();
    for (const [index, token] of tokens.entries()) wanted.set(token, [...(wanted.get(token) ?? []), index]);
    const wantedList = JSON.stringify([...wanted.keys()]);
    const lastChange = new Map(changed.map(({ rowid, seq }) => [rowid, seq]));
    const rowids = JSON.stringify(changed.map(({ rowid }) => rowid));
    // Recorded by the writer at the row's last change.
    for (const { rowid, seq, length } of this.statement(
      `SELECT rowid, seq, length FROM ${this.table}_row_terms WHERE rowid IN (SELECT value FROM json_each(?))`,
    ).all(rowids) as { rowid: number; seq: number; length: number }[])
      if (lastChange.get(rowid) === seq) terms.set(rowid, { length, freqs: new Array<number>(tokens.length).fill(0) });
    if (terms.size > 0)
      for (const [rowid, term, f] of this.statement(
        `SELECT r.rowid, j.key, j.value FROM ${this.table}_row_terms r, json_each(r.terms) j
         WHERE r.rowid IN (SELECT value FROM json_each(?)) AND j.key IN (SELECT value FROM json_each(?))`,
      )
        .raw()
        .iterate(JSON.stringify([...terms.keys()]), wantedList) as Iterable<[number, string, number]>) {
        const row = terms.get(rowid);
        if (row !== undefined) for (const index of wanted.get(term) ?? []) row.freqs[index] = row.freqs[index]! + f;
      }
    const rest = changed.filter(({ rowid }) => !terms.has(rowid)).map(({ rowid }) => rowid);
    if (rest.length === 0) return terms;
    this.tokenized += rest.length;
    try {
      for (const [rowid, length] of this.tokenize(rest)) terms.set(rowid, { length, freqs: new Array<number>(tokens.length).fill(0) });
      const weightOf = this.weightsByName();
      for (const [rowid, term, col] of this.statement(
        `SELECT doc, term, col FROM temp.${this.table}_columns_scratch_instances WHERE term IN (SELECT value FROM json_each(?))`,
      )
        .raw()
        .iterate(wantedList) as Iterable<[number, string, string]>) {
        const row = terms.get(rowid);
        if (row === undefined) continue;
        for (const index of wanted.get(term) ?? []) row.freqs[index] = row.freqs[index]! + (weightOf.get(col) ?? 1);
      }
    } finally {
      this.statement(`DELETE FROM ${this.scratch()}`).run();
    }
    return terms;
  }

  /** Each column's weight, by the name fts5vocab gives it. */
  private weightsByName(): Map<string, number> {
    return (this.columnWeights ??= new Map(this.columnNames().map((name, index) => [name, this.weights[index] ?? 1])));
  }

  private usable(seq: number, now: number): boolean {
    return seq <= now && now - seq <= this.staleAfter;
  }

  /**
   * Every row's length, usable at counter `now`: kept, saved by any process, or read from FTS5's
   * sizes now; undefined when the rowids are too sparse (or negative) for arrays indexed by them.
   */
  rowLengths(now: number): RowLengths | undefined {
    if (this.lengths !== undefined && this.usable(this.lengths.seq, now)) return this.patchedLengths(this.lengths, now);
    if (this.sparseAt !== undefined && this.usable(this.sparseAt, now)) return undefined;
    const saved = this.statement(`SELECT seq, lengths FROM ${this.table}_lengths WHERE id = 1`).get() as
      { seq: number; lengths: Buffer } | undefined;
    if (saved !== undefined && this.usable(saved.seq, now)) {
      this.lengths = { seq: saved.seq, lengths: view(Int32Array, 4, saved.lengths) };
      return this.patchedLengths(this.lengths, now);
    }
    const sizes = this.statement(`SELECT id, sz FROM ${this.table}_docsize ORDER BY id`).raw().all() as [number, Uint8Array][];
    const last = sizes.length === 0 ? 0 : sizes[sizes.length - 1]![0];
    // Arrays by rowid: only for rowids that are dense enough (the search index assigns them in order).
    if (last > 8 * sizes.length + 65_536 || last >= 2 ** 31 - 1 || (sizes[0]?.[0] ?? 0) < 0) {
      this.sparseAt = now;
      return undefined;
    }
    const lengths = new Int32Array(last + 1);
    for (const [rowid, size] of sizes) lengths[rowid] = sumVarints(size);
    this.lengths = { seq: now, lengths };
    this.lengthsUnsaved = true;
    this.built += 1;
    return this.lengths;
  }

  /**
   * Usable lengths, patched to counter `now` from FTS5's sizes of the rows changed since when
   * `patchAfter` changes or more came after them (else as they are).
   */
  private patchedLengths(usable: RowLengths, now: number): RowLengths {
    if (now - usable.seq < this.patchAfter) return usable;
    const changed = this.changedSince(usable.seq).map(({ rowid }) => rowid);
    const last = Math.max(usable.lengths.length - 1, ...changed);
    if (last >= 2 ** 31 - 1 || changed.some((rowid) => rowid < 0) || last > 2 * usable.lengths.length + 65_536) return usable;
    const lengths = new Int32Array(last + 1);
    lengths.set(usable.lengths);
    for (const rowid of changed) lengths[rowid] = 0;
    for (const [rowid, size] of this.statement(`SELECT id, sz FROM ${this.table}_docsize WHERE id IN (SELECT value FROM json_each(?))`)
      .raw()
      .iterate(JSON.stringify(changed)) as Iterable<[number, Uint8Array]>)
      lengths[rowid] = sumVarints(size);
    this.lengths = { seq: now, lengths };
    this.lengthsUnsaved = true;
    this.patched += 1;
    return this.lengths;
  }

  /**
   * A usable column patched to counter `now` from the rows changed since, as FTS5 holds them now
   * (`rowTerms`), when `patchAfter` changes or more came after it (else as it is).
   */
  private patchedColumn(token: string, usable: TermColumn, now: number, keep: boolean): TermColumn {
    if (now - usable.seq < this.patchAfter) return usable;
    const changed = this.changedSince(usable.seq).sort((a, b) => a.rowid - b.rowid);
    const rows = this.rowTerms(changed, [token]);
    // The changed rows as they are now laid over the column (-1: gone, or without the token).
    const current = {
      rowids: changed.map(({ rowid }) => rowid),
      freqs: changed.map(({ rowid }) => {
        const f = rows.get(rowid)?.freqs[0] ?? 0;
        return f > 0 ? f : -1;
      }),
    };
    this.patched += 1;
    return this.adopt(token, { seq: now, ...withoutDeleted(mergeOlder(current, usable)) }, keep);
  }

  /**
   * The token's column, usable at counter `now`: kept, saved by any process, or read from FTS5's
   * postings now (and saved by `save` when `keep` is set: tokens of few rows are cheap to read
   * again). `rows`: how many rows have it, when known.
   */
  column(token: string, now: number, keep = true, rows = 0): TermColumn {
    const known = this.known.get(token);
    if (known !== undefined && this.usable(known.seq, now)) return this.patchedColumn(token, known, now, keep);
    const saved = this.statement(`SELECT seq, rowids, freqs FROM ${this.table}_columns WHERE term = ? AND format = ?`).get(
      token,
      this.format,
    ) as { seq: number; rowids: Buffer; freqs: Buffer } | undefined;
    if (saved !== undefined && this.usable(saved.seq, now)) {
      const column = { seq: saved.seq, rowids: view(Int32Array, 4, saved.rowids), freqs: view(Float32Array, 4, saved.freqs) };
      this.keep(token, column);
      return this.patchedColumn(token, column, now, keep);
    }
    const decoded = this.ownSnapshot ? this.pages.postings(token, this.weights) : undefined;
    if (decoded !== undefined) this.fromPages += 1;
    const read = decoded ?? this.fromVocabulary(token, rows);
    this.built += 1;
    return this.adopt(token, { seq: now, rowids: read.rowids, freqs: read.freqs }, keep);
  }

  /** The token's postings through fts5vocab's instance table (any snapshot, pending writes included). */
  private fromVocabulary(token: string, rows: number): { rowids: Int32Array; freqs: Float32Array } {
    // Every instance of the token, summed per row with the weight of its column (fts5vocab names
    // the column; the weights are whole numbers).
    const weighted = `CASE col ${this.columnNames()
      .map((name, index) => `WHEN '${name.replace(/'/g, "''")}' THEN ${this.weights[index] ?? 1}`)
      .join(' ')} ELSE 1 END`;
    const postings = this.statement(
      `SELECT doc, sum(${weighted}) FROM temp.${this.table}_topk_instances WHERE term = ? GROUP BY doc ORDER BY doc`,
    )
      .raw()
      .iterate(token) as Iterable<[number, number]>;
    // `rows`: the token's row count, when the caller knows it (the arrays are then allocated once).
    let rowids = new Int32Array(Math.max(16, rows));
    let freqs = new Float32Array(rowids.length);
    let count = 0;
    for (const [rowid, f] of postings) {
      if (count === rowids.length) {
        const grown = new Int32Array(count * 2);
        grown.set(rowids);
        rowids = grown;
        const grownFreqs = new Float32Array(count * 2);
        grownFreqs.set(freqs);
        freqs = grownFreqs;
      }
      rowids[count] = rowid;
      freqs[count] = f;
      count += 1;
    }
    return { rowids: rowids.slice(0, count), freqs: freqs.slice(0, count) };
  }

  /** Keep a column just built or patched on this connection, and save it (when `keep`) at the next `save`. */
  private adopt(token: string, column: TermColumn, keep: boolean): TermColumn {
    this.keep(token, column);
    if (keep) this.unsaved.set(token, column);
    return column;
  }

  /** Drop the columns kept in memory (after building them all: they are saved, and read again on use). */
  forget(): void {
    this.known.clear();
    this.keptBytes = 0;
  }

  private keep(token: string, column: TermColumn): void {
    const bytes = column.rowids.byteLength + column.freqs.byteLength;
    if (this.keptBytes + bytes > KEPT_BYTES) {
      this.known.clear();
      this.keptBytes = 0;
    }
    this.known.set(token, column);
    this.keptBytes += bytes;
  }

  /**
   * Save what was built since the last save and prune the log, without waiting for another
   * writer: a busy or read-only database keeps them on this connection only. Never inside
   * another transaction.
   */
  save(): void {
    if ((this.unsaved.size === 0 && !this.lengthsUnsaved) || this.db.inTransaction) return;
    const columns = [...this.unsaved];
    const lengths = this.lengthsUnsaved ? this.lengths : undefined;
    this.unsaved.clear();
    this.lengthsUnsaved = false;
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      this.db
        .transaction(() => {
          const now = this.now();
          const put = this.statement(
            `INSERT OR REPLACE INTO ${this.table}_columns(term, format, seq, rowids, freqs) VALUES (?, ?, ?, ?, ?)`,
          );
          for (const [token, column] of columns)
            if (this.usable(column.seq, now)) put.run(token, this.format, column.seq, blobOf(column.rowids), blobOf(column.freqs));
          if (lengths !== undefined && this.usable(lengths.seq, now))
            this.statement(`INSERT OR REPLACE INTO ${this.table}_lengths(id, seq, lengths) VALUES (1, ?, ?)`).run(
              lengths.seq,
              blobOf(lengths.lengths),
            );
          this.statement(`DELETE FROM ${this.table}_columns WHERE seq < ?`).run(now - this.staleAfter);
          this.statement(`DELETE FROM ${this.table}_changes WHERE seq <= ?`).run(now - this.staleAfter);
          this.statement(`DELETE FROM ${this.table}_row_terms WHERE seq <= ?`).run(now - this.staleAfter);
        })
        .immediate();
    } catch {
      // Busy or read-only: what was built stays on this connection.
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
  }
}
