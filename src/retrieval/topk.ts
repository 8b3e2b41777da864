import type Database from 'better-sqlite3';
import { readVarint, sumVarints } from './fts5-varint.js';
import { TermColumns, type TermColumnOptions } from './term-columns.js';
import { StatementCache } from './statement-cache.js';

/**
 * Exact top-k of a BM25-ranked OR query over an FTS5 table, without scoring every match
 * (MaxScore-style pruning).
 *
 * FTS5's `bm25()` sums, over the query's phrases, idf(p) · f·(k1+1) / (f + k1·(1 − b + b·D/avgdl)),
 * with f the column-weighted count of p in the row, k1 = 1.2, b = 0.75, and idf(p) =
 * log((N − n(p) + 0.5) / (n(p) + 0.5)) clamped to 1e-6 when ≤ 0 (n(p): rows with p). Since
 * f / (f + K) < 1, a phrase adds less than idf(p)·(k1+1) to any row: its upper bound. With the
 * phrases sorted by that bound, the common ones whose bounds together stay below θ, the n-th best
 * score found so far, are non-essential: a row that has only those scores below θ and cannot be
 * among the n best. So the rows scored are only those with an essential (rare) phrase, and their
 * scores come from FTS5's own `bm25()` over the full query (filtered to those rows), which makes
 * them the same numbers the full query gives; rows tie-break by rowid in both paths.
 *
 * At most two rounds: the first scores the rows of the rarest phrases (enough of them to fill n),
 * giving θ₁; if the bounds of the other phrases reach θ₁, the second scores the rows of every
 * phrase θ₁ cannot exclude, and θ₂ ≥ θ₁ then excludes the rest. Queries this does not prune
 * (a phrase of several tokens, fewer matches than n) run as the full query.
 */

/** FTS5's bm25 constants (fts5_aux.c). */
const K1 = 1.2;
const B = 0.75;
/** Relative margin on the bounds, for rounding in FTS5's sums and in `Math.log` against C's `log`. */
const MARGIN = 1e-9;
/** Up to this many phrases, rows are bounded by the set of phrases they have (2^n subsets); above it, by MaxScore's prefix. */
const SUBSET_PHRASES = 10;

/** Phrases (by their place in the query) that must all be in a row. */
type Clause = readonly number[];

/** What one ranked query did: how it ran and how many rows it scored at most. */
export interface TopKWork {
  /**
   * `pruned`: scored the rows of the essential phrases only; `columns`: the rows the term columns
   * (term-columns.ts) rank best, those changed since and those of the rare phrases; `full`: the
   * whole OR query.
   */
  path: 'pruned' | 'columns' | 'full';
  /** Why it ran the full query, when it did. */
  reason?: 'multi-token phrase' | 'too few matches' | 'no bound excludes anything' | 'unreadable index stats';
  /** Rounds of the pruned path that scored rows (0 for the full path). */
  rounds: number;
  /** Rows handed to `bm25()` at most: the postings of the essential phrases per round, or every match of the full query (counted in tests only). */
  scoredAtMost: number;
  /** Phrases of the query and how many of them were essential in the last round. */
  phrases: number;
  essential: number;
}

export interface RankedRow {
  rowid: number;
  /** FTS5's bm25 (lower is better: the negated score). */
  rank: number;
}

export interface TopKOptions {
  /** The FTS5 table (in `main`), e.g. `topics_fts`. */
  table: string;
  /** Its tokenizer clause, as it was created (`tokenize='…'`): query terms are tokenized by a copy of it. */
  tokenizer: string;
  /** Column weights of the `bm25()` call, one per column. */
  weights: readonly number[];
  /**
   * Use term columns for queries of common words (term-columns.ts; whole-number weights only).
   * The caller keeps the table's change log (`changeLogSql`); without it they are not used.
   */
  columns?: TermColumnOptions;
}

/**
 * Ranked top-n of `"t1" OR "t2" OR …` over one FTS5 table, pruned where that is exact. One per
 * connection (it keeps temp tables and prepared statements).
 */
export class FtsTopK {
  /** What the last `search` did (tests assert on it; benches report it). */
  lastWork: TopKWork | undefined;
  private readonly tokens = new Map<string, string[]>();
  private cache: StatementCache | undefined;
  private readonly bm25: string;
  private prepared = false;
  private readonly docCounts = new Map<string, number>();
  private seen: { averages: Buffer; structure: Buffer } | undefined;
  /** The table's average row length in tokens (all columns), from the last averages record read. */
  private avgdl = Number.NaN;
  /** The term columns, when the options ask for them. */
  readonly columns: TermColumns | undefined;
  /** Scratch scores by rowid, and marks of changed rows, kept between searches. */
  private scores = new Float64Array(0);
  private marks = new Uint8Array(0);

  constructor(
    private readonly db: Database.Database,
    private readonly options: TopKOptions,
  ) {
    this.bm25 = `bm25(${options.table}, ${options.weights.join(', ')})`;
    if (options.columns !== undefined && options.weights.every((weight) => Number.isInteger(weight) && weight >= 1))
      this.columns = new TermColumns(db, options.table, options.tokenizer, options.weights, options.columns);
  }

  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /** The temp tables: the table's terms with their row counts, and a scratch table to tokenize query terms. */
  private prepare(): void {
    if (this.prepared) return;
    const { table, tokenizer } = this.options;
    this.db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_topk_terms USING fts5vocab(main, ${table}, row);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_topk_scratch USING fts5(t, ${tokenizer});
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_topk_tokens USING fts5vocab(temp, ${table}_topk_scratch, instance);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.${table}_topk_instances USING fts5vocab(main, ${table}, instance);
    `);
    this.prepared = true;
  }

  /** The tokens FTS5 makes of one quoted query term (usually one; kept per term). */
  private tokensOf(term: string): string[] {
    let tokens = this.tokens.get(term);
    if (tokens !== undefined) return tokens;
    const { table } = this.options;
    this.statement(`INSERT INTO temp.${table}_topk_scratch(rowid, t) VALUES (1, ?)`).run(term);
    tokens = this.statement(`SELECT term FROM temp.${table}_topk_tokens ORDER BY offset`).pluck().all() as string[];
    this.statement(`DELETE FROM temp.${table}_topk_scratch`).run();
    if (this.tokens.size >= 10_000) this.tokens.clear();
    this.tokens.set(term, tokens);
    return tokens;
  }

  /**
   * Rows of the table as FTS5 keeps them for bm25 (its averages record), and whether the table
   * changed since the last search: its averages and structure records (every write to an FTS5
   * table rewrites both) are compared with the last ones seen; the row counts of terms are kept
   * until they change.
   */
  private rowCount(): number | undefined {
    const blocks = this.statement(`SELECT id, block FROM main.${this.options.table}_data WHERE id IN (1, 10) ORDER BY id`).all() as {
      id: number;
      block: Uint8Array;
    }[];
    const averages = blocks.find((row) => row.id === 1)?.block;
    const structure = blocks.find((row) => row.id === 10)?.block;
    if (averages === undefined || averages.length === 0 || structure === undefined) return undefined;
    const same =
      this.seen !== undefined && Buffer.compare(this.seen.averages, averages) === 0 && Buffer.compare(this.seen.structure, structure) === 0;
    if (!same) {
      this.seen = { averages: Buffer.from(averages), structure: Buffer.from(structure) };
      this.docCounts.clear();
    }
    const [rows, next] = readVarint(averages, 0);
    // Then one total per column (the rest of the record): bm25's avgdl is their sum over the rows.
    this.avgdl = sumVarints(averages, next) / rows;
    return Number.isFinite(rows) && rows > 0 ? rows : undefined;
  }

  /** Rows that have the token (FTS5's count for the idf), kept while the table is unchanged. */
  private docCount(token: string): number {
    let count = this.docCounts.get(token);
    if (count === undefined) {
      count =
        (this.statement(`SELECT doc FROM temp.${this.options.table}_topk_terms WHERE term = ?`).pluck().get(token) as number | undefined) ??
        0;
      if (this.docCounts.size >= 10_000) this.docCounts.clear();
      this.docCounts.set(token, count);
    }
    return count;
  }

  private full(match: string, n: number): RankedRow[] {
    const { table } = this.options;
    return this.statement(`SELECT rowid, ${this.bm25} AS rank FROM ${table} WHERE ${table} MATCH ? ORDER BY rank, rowid LIMIT ?`).all(
      match,
      n,
    ) as RankedRow[];
  }

  /** The best n rows of the full query `match` among those matching `essential`. */
  private among(match: string, essential: string, n: number): RankedRow[] {
    const { table } = this.options;
    // `+rowid` keeps the filter out of FTS5's plan: one pass of the full query (its idf computed
    // once), bm25 evaluated only for the rows that pass.
    return this.statement(
      `SELECT rowid, ${this.bm25} AS rank FROM ${table}
       WHERE ${table} MATCH ? AND +rowid IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ?)
       ORDER BY rank, rowid LIMIT ?`,
    ).all(match, essential, n) as RankedRow[];
  }

  /**
   * The best n rows scored here from the term columns (term-columns.ts), with bm25's formula in
   * FTS5's order (fts5_aux.c), so the same rows in the same order as FTS5's own query, and the
   * same scores up to the last bits of its `log`. Every phrase has a column: those of common
   * tokens are kept in the database, those of rare ones read now. Rows changed since the oldest
   * column (or the row lengths) was built are scored from what FTS5 holds now (as their writer
   * recorded it, or tokenized again). No row is scored by FTS5's `bm25()`, which costs ~0.6 µs
   * per row. Undefined when the rowids are too sparse for arrays indexed by them (the caller then
   * prunes as usual).
   */
  private columnSearch(tokens: readonly string[], dfs: readonly number[], rows: number, n: number): RankedRow[] | undefined {
    const columns = this.columns!;
    const m = tokens.length;
    const now = columns.now();
    const idfs = dfs.map((df) => {
      // FTS5's idf, floored at 1e-6 for a phrase in most rows.
      const raw = Math.log((rows - df + 0.5) / (df + 0.5));
      return raw <= 0 ? 1e-6 : raw;
    });
    const rowLengths = columns.rowLengths(now);
    if (rowLengths === undefined) return undefined;
    const { lengths, seq: lengthsSeq } = rowLengths;
    const phraseColumns = tokens.map((token, index) => columns.column(token, now, dfs[index]! > columns.minRows, dfs[index]));
    const oldest = Math.min(lengthsSeq, ...phraseColumns.map((column) => column.seq));
    const changed = columns.changedSince(oldest);
    const size = lengths.length;
    if (this.scores.length < size) this.scores = new Float64Array(Math.max(size, Math.ceil(this.scores.length * 1.5)));
    if (this.marks.length < size) this.marks = new Uint8Array(this.scores.length);
    const { scores, marks } = this;
    for (const { rowid } of changed) if (rowid < size) marks[rowid] = 1;
    const touched: number[] = [];
    const avgdl = this.avgdl;
    const weight = (f: number, D: number): number => (f * (K1 + 1)) / (f + K1 * (1 - B + (B * D) / avgdl));
    try {
      for (let index = 0; index < m; index += 1) {
        const { rowids, freqs } = phraseColumns[index]!;
        const idf = idfs[index]!;
        for (let at = 0; at < rowids.length; at += 1) {
          const rowid = rowids[at]!;
          if (rowid >= size || marks[rowid] === 1) continue;
          const before = scores[rowid]!;
          if (before === 0) touched.push(rowid);
          // score += aIDF[i] * ((aFreq[i] * (k1 + 1.0)) / (aFreq[i] + k1 * (1 - b + b * D / avgdl)))
          scores[rowid] = before + idf * weight(freqs[at]!, lengths[rowid]!);
        }
      }
      // The n best: (score, rowid) in a min-heap on score, then on rowid reversed.
      const heapScore: number[] = [];
      const heapRow: number[] = [];
      const worse = (a: number, b: number): boolean =>
        heapScore[a]! < heapScore[b]! || (heapScore[a] === heapScore[b] && heapRow[a]! > heapRow[b]!);
      const swap = (a: number, b: number): void => {
        [heapScore[a], heapScore[b]] = [heapScore[b]!, heapScore[a]!];
        [heapRow[a], heapRow[b]] = [heapRow[b]!, heapRow[a]!];
      };
      const offer = (score: number, rowid: number): void => {
        if (heapScore.length < n) {
          heapScore.push(score);
          heapRow.push(rowid);
          for (let at = heapScore.length - 1; at > 0;) {
            const parent = (at - 1) >> 1;
            if (!worse(at, parent)) break;
            swap(at, parent);
            at = parent;
          }
          return;
        }
        if (score < heapScore[0]! || (score === heapScore[0] && rowid > heapRow[0]!)) return;
        heapScore[0] = score;
        heapRow[0] = rowid;
        for (let at = 0; ;) {
          const left = 2 * at + 1;
          let least = at;
          if (left < heapScore.length && worse(left, least)) least = left;
          if (left + 1 < heapScore.length && worse(left + 1, least)) least = left + 1;
          if (least === at) break;
          swap(at, least);
          at = least;
        }
      };
      for (const rowid of touched) offer(scores[rowid]!, rowid);
      for (const [rowid, row] of columns.rowTerms(changed, tokens)) {
        let score = 0;
        let present = false;
        for (let index = 0; index < m; index += 1) {
          const f = row.freqs[index]!;
          if (f === 0) continue;
          present = true;
          score += idfs[index]! * weight(f, row.length);
        }
        if (present) offer(score, rowid);
      }
      this.lastWork = { path: 'columns', rounds: 1, scoredAtMost: 0, phrases: m, essential: m };
      return heapScore.map((score, at) => ({ rowid: heapRow[at]!, rank: -score })).sort((a, b) => a.rank - b.rank || a.rowid - b.rowid);
    } finally {
      for (const rowid of touched) scores[rowid] = 0;
      for (const { rowid } of changed) if (rowid < size) marks[rowid] = 0;
    }
  }

  /**
   * Build and save the term columns of every token in more than `minRows` rows, and the row
   * lengths (what a reindex does, so that the first queries of common words do not build them).
   * Returns how many columns it built.
   */
  buildColumns(): number {
    const columns = this.columns;
    if (columns === undefined || !columns.available()) return 0;
    this.prepare();
    // A snapshot per batch, each saved before the next: memory stays bounded at any size.
    const batch = (from: string): { last: string | undefined; built: number } => {
      const result = this.db.transaction(() =>
        columns.inOwnSnapshot(() => {
          if (this.rowCount() === undefined) return { last: undefined, built: 0 };
          const now = columns.now();
          if (columns.rowLengths(now) === undefined) return { last: undefined, built: 0 };
          const tokens = this.statement(
            `SELECT term, doc FROM temp.${this.options.table}_topk_terms WHERE term > ? AND doc > ? ORDER BY term LIMIT 16`,
          ).all(from, columns.minRows) as { term: string; doc: number }[];
          for (const { term, doc } of tokens) columns.column(term, now, true, doc);
          return { last: tokens[tokens.length - 1]?.term, built: tokens.length };
        }),
      )();
      columns.save();
      return result;
    };
    let built = 0;
    for (let from = ''; ;) {
      const { last, built: more } = batch(from);
      built += more;
      if (last === undefined) {
        columns.forget();
        return built;
      }
      from = last;
    }
  }

  /**
   * The best `n` rows for the OR of `terms` (each quoted as one phrase), ordered by bm25 and then
   * rowid: the same rows, order and scores as the full query.
   */
  search(terms: readonly string[], n: number): RankedRow[] {
    const phrases = terms.map((term) => `"${term.replace(/"/g, '""')}"`);
    const match = phrases.join(' OR ');
    const fallback = (reason: TopKWork['reason']): RankedRow[] => {
      this.lastWork = { path: 'full', reason, rounds: 0, scoredAtMost: Number.NaN, phrases: phrases.length, essential: phrases.length };
      return this.full(match, n);
    };
    // One phrase: only the term columns can spare rows.
    if (phrases.length < 2 && this.columns === undefined) return fallback('no bound excludes anything');
    this.prepare();
    const tokens = terms.map((term) => this.tokensOf(term));
    if (tokens.some((list) => list.length !== 1)) return fallback('multi-token phrase');
    const run = (): RankedRow[] => {
      const rows = this.rowCount();
      if (rows === undefined) return fallback('unreadable index stats');
      // Phrases from the most common (smallest bound) to the rarest.
      const byBound = tokens
        .map(([token], index) => {
          const df = this.docCount(token!);
          const idf = Math.log((rows - df + 0.5) / (df + 0.5));
          return { index, df, bound: (idf <= 0 ? 1e-6 : idf) * (K1 + 1) * (1 + MARGIN) };
        })
        .sort((a, b) => a.bound - b.bound || a.index - b.index);
      const m = byBound.length;
      const boundOf = new Array<number>(m).fill(0);
      for (const phrase of byBound) boundOf[phrase.index] = phrase.bound;
      const prefix: number[] = [0];
      for (const phrase of byBound) prefix.push(prefix[prefix.length - 1]! + phrase.bound);
      const full = (reason: TopKWork['reason'], rounds: number, essential: number): RankedRow[] => {
        this.lastWork = { path: 'full', reason, rounds, scoredAtMost: Number.NaN, phrases: m, essential };
        return this.full(match, n);
      };
      // Subset sums of the bounds, for the sets of phrases a row can have (small queries only).
      const sums: number[] = [0];
      if (m <= SUBSET_PHRASES)
        for (let mask = 1; mask < 1 << m; mask += 1) sums[mask] = sums[mask & (mask - 1)]! + boundOf[31 - Math.clz32(mask & -mask)]!;
      /**
       * Clauses (phrases that must all be in a row) that every row able to reach θ matches: a row
       * with the set S of phrases scores below the sum of their bounds. For a few phrases, the
       * smallest sets whose bounds reach θ; for more, each phrase the most common ones' sum
       * below θ leaves (MaxScore).
       */
      const needed = (theta: number): Clause[] => {
        const reaches = (sum: number): boolean => !(sum * (1 + MARGIN) < theta);
        if (m > SUBSET_PHRASES) {
          let excluded = 0;
          while (excluded < m && !reaches(prefix[excluded + 1]!)) excluded += 1;
          return byBound.slice(excluded).map((phrase) => [phrase.index]);
        }
        const clauses: Clause[] = [];
        for (let mask = 1; mask < 1 << m; mask += 1) {
          if (!reaches(sums[mask]!)) continue;
          let minimal = true;
          for (let bit = 0; bit < m && minimal; bit += 1) if (mask & (1 << bit) && reaches(sums[mask ^ (1 << bit)]!)) minimal = false;
          if (minimal) clauses.push(Array.from({ length: m }, (_, bit) => bit).filter((bit) => mask & (1 << bit)));
        }
        return clauses;
      };
      // Round one: the rarest phrases, until their rows could fill n; or, when the rarest are in
      // most rows anyway, the rows with every phrase.
      let essential = 1;
      let postings = byBound[m - 1]!.df;
      while (essential < m && postings < n) {
        essential += 1;
        postings += byBound[m - essential]!.df;
      }
      const allPostings = byBound.reduce((sum, phrase) => sum + phrase.df, 0);
      // Queries over many postings are scored from the term columns: FTS5 would walk every
      // posting of the full query and run bm25() on each row of the pruned rounds.
      const columns = this.columns;
      if (columns !== undefined && allPostings > columns.fromPostings && columns.available()) {
        const dfs = new Array<number>(m);
        for (const phrase of byBound) dfs[phrase.index] = phrase.df;
        const best = this.columnSearch(
          tokens.map(([token]) => token!),
          dfs,
          rows,
          n,
        );
        if (best !== undefined) return best;
      }
      let clauses: Clause[];
      if (byBound[m - 1]!.df * 2 <= rows && postings * 10 <= allPostings * 9 && essential < m)
        clauses = byBound.slice(m - essential).map((phrase) => [phrase.index]);
      else if (m <= SUBSET_PHRASES) clauses = [byBound.map((phrase) => phrase.index).sort((a, b) => a - b)];
      else return full(essential >= m ? 'too few matches' : 'no bound excludes anything', 0, m);
      let scored = 0;
      for (let round = 1; round <= 3; round += 1) {
        // Every phrase alone: that is the full query.
        if (clauses.filter((clause) => clause.length === 1).length >= m)
          return full('no bound excludes anything', round - 1, clauses.length);
        const expression = clauses
          .map((clause) => (clause.length === 1 ? phrases[clause[0]!]! : `(${clause.map((index) => phrases[index]).join(' AND ')})`))
          .join(' OR ');
        const best = this.among(match, expression, n);
        scored += clauses.reduce(
          (sum, clause) => sum + Math.min(...clause.map((index) => byBound.find((phrase) => phrase.index === index)!.df)),
          0,
        );
        if (best.length < n) return full('too few matches', round, clauses.length);
        const wanted = needed(-best[n - 1]!.rank);
        // Each needed clause has one of the scored clauses in it: its rows were scored.
        const covered = (clause: Clause): boolean => clauses.some((scoredClause) => scoredClause.every((index) => clause.includes(index)));
        if (wanted.every(covered)) {
          this.lastWork = { path: 'pruned', rounds: round, scoredAtMost: scored, phrases: m, essential: clauses.length };
          return best;
        }
        // θ only grows as rows are added, so the clauses this θ needs stay enough.
        const merged = [...clauses, ...wanted.filter((clause) => !covered(clause))];
        clauses = merged.filter(
          (clause, index) =>
            !merged.some((other, at) => at !== index && other.length < clause.length && other.every((i) => clause.includes(i))),
        );
      }
      return full('no bound excludes anything', 3, clauses.length);
    };
    // One snapshot for the counts and the scores (another process may write between statements).
    if (this.db.inTransaction) return run();
    const best = this.db.transaction(() => (this.columns === undefined ? run() : this.columns.inOwnSnapshot(run)))();
    this.columns?.save();
    return best;
  }
}
