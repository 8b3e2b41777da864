import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { ftsQuery, queryTerms } from './query-terms.js';
import { SearchIndex } from './search-index.js';
import { changeLogSql, clearColumnsSql } from './term-columns.js';
import { FtsTopK } from './topk.js';
import { seededRandom } from '../shared/index.js';

/*
 * The pruned top-k of topic search must be the full FTS5 query's top-k: same rows, same order
 * (ties by rowid), same bm25 scores. Checked on generated corpora with skewed vocabularies (a few
 * words in most rows, a long tail of rare ones, inflections that stem together, duplicated rows
 * for ties, deleted rows), in a real SQLite database with the tables and tokenizer of the index.
 */

const TOKENIZER = "tokenize='porter unicode61 remove_diacritics 2'";
const WEIGHTS = [8, 4, 3, 1] as const;

/** Words, most common first: inflections (cache/caching/cached) stem to one token. */
const VOCABULARY = `the cache caching cached service retry retries retried deploy deploys staging session token tokens
  error errors timeout database migrate migration index indexes worker queue queues build builds lint config
  certificate rotate rotates analytics inventory pnpm oomkilled preview logging validates rejects pins keep often
  starts changing decided data ruvotata ziruxeka rutape jamika kolabe miseno tavuri pelonda quirex vantosh zelmira
  café naïve résumé übergröße`
  .split(/\s+/)
  .filter((word) => word !== '');

/** A word with a Zipf-like skew: index ~ V·u^skew. */
function word(random: () => number, skew: number): string {
  return VOCABULARY[Math.min(VOCABULARY.length - 1, Math.floor(VOCABULARY.length * random() ** skew))]!;
}

function words(random: () => number, skew: number, most: number): string {
  return Array.from({ length: Math.floor(random() * (most + 1)) }, () => word(random, skew)).join(' ');
}

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function corpus(seed: number, rows: number, skew: number): Database.Database {
  const random = seededRandom(seed);
  const db = new Database(':memory:');
  open.push(db);
  db.exec(`CREATE VIRTUAL TABLE topics_fts USING fts5(name, description, tags, body, ${TOKENIZER})`);
  const insert = db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
  const made: unknown[][] = [];
  let rowid = 0;
  db.transaction(() => {
    for (let index = 0; index < rows; index += 1) {
      rowid += 1 + Math.floor(random() * 3);
      // Some rows repeat an earlier one: equal scores, ordered by rowid.
      const again = made.length > 0 && random() < 0.15 ? made[Math.floor(random() * made.length)] : undefined;
      const values = again ?? [words(random, skew, 3) || 'x', words(random, skew, 8), words(random, skew, 3), words(random, skew, 40)];
      made.push(values);
      insert.run(rowid, ...values);
    }
  })();
  // Deleted rows leave FTS5's row count and postings to be kept right.
  const remove = db.prepare('DELETE FROM topics_fts WHERE rowid = ?');
  for (let index = 0; index < rows / 10; index += 1) remove.run(1 + Math.floor(random() * rowid));
  return db;
}

/** The query topic search ran before pruning: the full OR query, cut, then ordered by rank and rowid. */
function fullTopK(db: Database.Database, terms: readonly string[], n: number): { rowid: number; rank: number }[] {
  const match = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ');
  return db
    .prepare(
      `SELECT f.rowid AS rowid, f.rank AS rank FROM (SELECT rowid, bm25(topics_fts, ${WEIGHTS.join(', ')}) AS rank
       FROM topics_fts WHERE topics_fts MATCH ? ORDER BY rank LIMIT ?) f ORDER BY f.rank, f.rowid`,
    )
    .all(match, n) as { rowid: number; rank: number }[];
}

function matches(db: Database.Database, terms: readonly string[]): number {
  const match = terms.map((term) => `"${term}"`).join(' OR ');
  return (db.prepare('SELECT count(*) AS n FROM topics_fts WHERE topics_fts MATCH ?').get(match) as { n: number }).n;
}

describe('pruned top-k of an FTS5 OR query', () => {
  it('returns the full query’s top k: same rows, order and scores, ties included', () => {
    const paths = { pruned: 0, columns: 0, full: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 20, max: 400 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.array(fc.oneof(fc.constantFrom(...VOCABULARY), fc.constantFrom('absentword', 'caches', 'Retrying', 'CAFE')), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 90 }),
        (seed, rows, skew, query, n) => {
          const db = corpus(seed, rows, skew);
          const topK = new FtsTopK(db, { table: 'topics_fts', tokenizer: TOKENIZER, weights: WEIGHTS });
          const terms = [...new Set(query.map((term) => term.toLowerCase()))];
          const got = topK.search(terms, n);
          const want = fullTopK(db, terms, n);
          expect(got.map((row) => row.rowid)).toEqual(want.map((row) => row.rowid));
          for (const [index, row] of got.entries()) expect(Math.abs(row.rank - want[index]!.rank)).toBeLessThanOrEqual(1e-9);
          paths[topK.lastWork!.path] += 1;
        },
      ),
      { numRuns: 100, seed: 13 },
    );
    // Both paths were taken (the pruned one is not vacuous).
    expect(paths.pruned).toBeGreaterThan(10);
    expect(paths.full).toBeGreaterThan(10);
  });

  it('scores only the rows of the rare phrases when the common ones cannot reach the cut', () => {
    const db = corpus(7, 3000, 3);
    // A word of 40 rows, beside words in most rows.
    const add = db.prepare(
      "INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, 'quokkaberry cache', 'service', '', 'the service cache')",
    );
    for (let index = 0; index < 40; index += 1) add.run(100_000 + index * 7);
    const topK = new FtsTopK(db, { table: 'topics_fts', tokenizer: TOKENIZER, weights: WEIGHTS });
    // Two words in most rows and one rare name.
    const terms = ['cache', 'service', 'quokkaberry'];
    const got = topK.search(terms, 5);
    expect(got).toEqual(fullTopK(db, terms, 5));
    const work = topK.lastWork!;
    expect(work.path).toBe('pruned');
    const all = matches(db, terms);
    expect(all).toBeGreaterThan(1500);
    // At most the rare word's rows were scored, not the thousands the full query scores.
    expect(work.scoredAtMost).toBe(matches(db, ['quokkaberry']));
    expect(work.scoredAtMost * 10).toBeLessThan(all);
  });

  it('follows writes to the table between searches (the kept term counts are dropped)', () => {
    const db = corpus(9, 800, 3);
    const topK = new FtsTopK(db, { table: 'topics_fts', tokenizer: TOKENIZER, weights: WEIGHTS });
    const terms = ['cache', 'quokkaberry', 'service'];
    const add = db.prepare("INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, 'quokkaberry', '', '', 'cache')");
    for (let index = 0; index < 30; index += 1) add.run(50_000 + index);
    expect(topK.search(terms, 10)).toEqual(fullTopK(db, terms, 10));
    expect(topK.lastWork?.path).toBe('pruned');
    // The rare word becomes common, then a row is replaced by one of the same length.
    const more = db.prepare(
      "INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, 'quokkaberry service', 'cache', '', '')",
    );
    db.transaction(() => {
      for (let index = 0; index < 700; index += 1) more.run(60_000 + index);
    })();
    expect(topK.search(terms, 10)).toEqual(fullTopK(db, terms, 10));
    db.prepare("UPDATE topics_fts SET name = 'service', body = 'quokkaberry' WHERE rowid = 50003").run();
    expect(topK.search(terms, 10)).toEqual(fullTopK(db, terms, 10));
    db.prepare('DELETE FROM topics_fts WHERE rowid >= 60000').run();
    expect(topK.search(terms, 10)).toEqual(fullTopK(db, terms, 10));
  });

  it('runs the full query for phrases of several tokens; words in most rows are bounded by the rows with all of them', () => {
    const db = corpus(11, 500, 2);
    const topK = new FtsTopK(db, { table: 'topics_fts', tokenizer: TOKENIZER, weights: WEIGHTS });
    // "a-b" is one quoted term but two tokens (a phrase): not pruned.
    expect(topK.search(['cache-service', 'ziruxeka'], 5)).toEqual(fullTopK(db, ['cache-service', 'ziruxeka'], 5));
    expect(topK.lastWork).toMatchObject({ path: 'full', reason: 'multi-token phrase' });
    expect(topK.search(['the', 'cache'], 5)).toEqual(fullTopK(db, ['the', 'cache'], 5));
    // Both words in most rows: the rows with both are scored first, and their θ leaves out the rows with one.
    expect(topK.lastWork).toMatchObject({ path: 'pruned', essential: 1 });
    // More phrases than subsets are enumerated for: bounded by MaxScore's prefix alone.
    const many = ['the', 'cache', 'service', 'retry', 'deploy', 'staging', 'session', 'token', 'error', 'timeout', 'database', 'zelmira'];
    expect(topK.search(many, 7)).toEqual(fullTopK(db, many, 7));
  });

  it('reads the row count bm25 uses from FTS5’s own record', () => {
    const db = corpus(5, 300, 2);
    const topK = new FtsTopK(db, { table: 'topics_fts', tokenizer: TOKENIZER, weights: WEIGHTS });
    const rows = (db.prepare('SELECT count(*) AS n FROM topics_fts').get() as { n: number }).n;
    expect((topK as unknown as { rowCount(): number }).rowCount()).toBe(rows);
  });
});

/**
 * A corpus whose FTS5 rows are written through a content table, as the search index writes them,
 * with the change log the term columns are kept valid by. In a file, so that a second connection
 * (another process) can share the columns one of them saved.
 */
class ColumnCorpus {
  readonly db: Database.Database;
  private readonly random: () => number;
  private next = 0;

  constructor(
    readonly path: string,
    seed: number,
    private readonly skew: number,
  ) {
    this.random = seededRandom(seed);
    this.db = new Database(path);
    open.push(this.db);
    this.db.exec(`
      CREATE TABLE docs(rowid INTEGER PRIMARY KEY, name TEXT, description TEXT, tags TEXT, body TEXT);
      CREATE VIRTUAL TABLE topics_fts USING fts5(name, description, tags, body, ${TOKENIZER});
      ${changeLogSql('topics_fts', 'docs', ['name', 'description', 'tags', 'body'])}`);
  }

  private values(): string[] {
    const { random, skew } = this;
    return [words(random, skew, 3) || 'x', words(random, skew, 8), words(random, skew, 3), words(random, skew, 40)];
  }

  add(count: number): void {
    const insert = this.db.prepare('INSERT INTO docs(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
    const fts = this.db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (let index = 0; index < count; index += 1) {
        this.next += 1 + Math.floor(this.random() * 2);
        const values = this.values();
        insert.run(this.next, ...values);
        fts.run(this.next, ...values);
      }
    })();
  }

  /** Rewrite, delete or add a few rows, as a writer between two searches does. */
  change(count: number): void {
    const rows = this.db.prepare('SELECT rowid FROM docs').pluck().all() as number[];
    this.db.transaction(() => {
      for (let index = 0; index < count; index += 1) {
        const rowid = rows[Math.floor(this.random() * rows.length)]!;
        const choice = this.random();
        this.db.prepare('DELETE FROM topics_fts WHERE rowid = ?').run(rowid);
        if (choice < 0.25) this.db.prepare('DELETE FROM docs WHERE rowid = ?').run(rowid);
        else {
          // A rewrite, sometimes to a copy of the best row of a common word (a tie to break by rowid).
          const values =
            choice < 0.4
              ? (this.db.prepare('SELECT name, description, tags, body FROM docs LIMIT 1').raw().get() as string[])
              : this.values();
          // By upsert, as the search index writes its rows.
          this.db
            .prepare(
              `INSERT INTO docs(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT(rowid) DO UPDATE SET
               name = excluded.name, description = excluded.description, tags = excluded.tags, body = excluded.body`,
            )
            .run(rowid, ...values);
          this.db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)').run(rowid, ...values);
        }
      }
    })();
    if (this.random() < 0.3) this.add(1 + Math.floor(this.random() * 5));
  }
}

describe('top-k from term columns', () => {
  it('gives the full query’s top k through writes, rebuilds and a second connection sharing the saved columns', async () => {
    const dir = await tempDir('mnemo-columns-');
    let patched = 0;
    const paths = { pruned: 0, columns: 0, full: 0 };
    let file = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 40, max: 300 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 2, max: 30 }),
        fc.array(
          fc.tuple(
            fc.array(fc.oneof(fc.constantFrom(...VOCABULARY), fc.constantFrom('absentword', 'caches', 'Retrying')), {
              minLength: 1,
              maxLength: 5,
            }),
            fc.integer({ min: 1, max: 40 }),
            fc.integer({ min: 0, max: 6 }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        (seed, rows, skew, staleAfter, steps) => {
          file += 1;
          const corpus = new ColumnCorpus(join(dir, `c-${file}.db`), seed, skew);
          corpus.add(rows);
          const options = {
            table: 'topics_fts',
            tokenizer: TOKENIZER,
            weights: WEIGHTS,
            // Patched from the changed rows after 1 to staleAfter changes.
            columns: { minRows: 4, staleAfter, patchAfter: 1 + (seed % staleAfter), fromPostings: 20 },
          };
          const first = new FtsTopK(corpus.db, options);
          const other = new Database(corpus.path);
          open.push(other);
          const second = new FtsTopK(other, options);
          for (const [index, [query, n, changes]] of steps.entries()) {
            const terms = [...new Set(query.map((term) => term.toLowerCase()))];
            for (const [db, topK] of [
              [corpus.db, first],
              [other, second],
            ] as const) {
              const got = topK.search(terms, n);
              const want = fullTopK(db, terms, n);
              expect(got.map((row) => row.rowid)).toEqual(want.map((row) => row.rowid));
              for (const [at, row] of got.entries())
                expect(Math.abs(row.rank - want[at]!.rank)).toBeLessThanOrEqual(1e-9 * Math.abs(want[at]!.rank) + 1e-15);
              paths[topK.lastWork!.path] += 1;
            }
            if (index % 2 === 0) corpus.change(changes);
          }
          patched += first.columns!.patched + second.columns!.patched;
        },
      ),
      { numRuns: 60, seed: 17 },
    );
    // The columns answered most searches (some of them patched), and the other paths stayed in use.
    expect(paths.columns).toBeGreaterThan(100);
    expect(patched).toBeGreaterThan(20);
    expect(paths.pruned + paths.full).toBeGreaterThan(5);
  });

  it('keeps what it built for other connections, builds again only past the changes it allows, and scores changed rows from what they hold now', async () => {
    const dir = await tempDir('mnemo-columns-');
    const corpus = new ColumnCorpus(join(dir, 'c.db'), 5, 2);
    corpus.add(600);
    const options = {
      table: 'topics_fts',
      tokenizer: TOKENIZER,
      weights: WEIGHTS,
      columns: { minRows: 20, staleAfter: 50, fromPostings: 100 },
    };
    const terms = ['cache', 'service', 'retry'];
    const first = new FtsTopK(corpus.db, options);
    expect(first.search(terms, 10)).toEqual(fullTopK(corpus.db, terms, 10));
    expect(first.lastWork?.path).toBe('columns');
    // The three columns and the row lengths; the columns decoded from FTS5's pages.
    expect(first.columns!.built).toBe(4);
    expect(first.columns!.fromPages).toBe(3);
    const other = new Database(corpus.path);
    open.push(other);
    const second = new FtsTopK(other, options);
    expect(second.search(terms, 10)).toEqual(fullTopK(other, terms, 10));
    expect(second.columns!.built).toBe(0);
    // A new row that is now the best: found before any column is built again.
    corpus.db
      .prepare(
        "INSERT INTO docs(rowid, name, description, tags, body) VALUES (9000, 'cache service retry', 'cache', 'retry', 'service cache')",
      )
      .run();
    corpus.db
      .prepare(
        "INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (9000, 'cache service retry', 'cache', 'retry', 'service cache')",
      )
      .run();
    const after = second.search(terms, 10);
    expect(after).toEqual(fullTopK(other, terms, 10));
    expect(after[0]?.rowid).toBe(9000);
    expect(second.columns!.built).toBe(0);
    // Past 50 changes the columns are built again.
    corpus.change(60);
    expect(second.search(terms, 10)).toEqual(fullTopK(other, terms, 10));
    expect(second.columns!.built).toBe(4);
    expect(second.columns!.fromPages).toBe(3);
    // Inside a transaction of the caller's, which may hold FTS5 writes of its own not yet in the
    // pages: the lengths and columns built there (none saved, so all are) come from FTS5's sizes
    // and fts5vocab, and see the new best row; once committed they still have it.
    corpus.db.exec(clearColumnsSql('topics_fts'));
    const third = new FtsTopK(corpus.db, options);
    const fresh = ['deploy', 'staging', 'token'];
    corpus.db.transaction(() => {
      const best = ['deploy staging token', 'deploy staging token', 'deploy staging token', 'deploy staging token'];
      corpus.db.prepare('INSERT INTO docs(rowid, name, description, tags, body) VALUES (9001, ?, ?, ?, ?)').run(...best);
      corpus.db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (9001, ?, ?, ?, ?)').run(...best);
      const pending = third.search(fresh, 10);
      expect(third.lastWork?.path).toBe('columns');
      expect(pending).toEqual(fullTopK(corpus.db, fresh, 10));
      expect(pending[0]?.rowid).toBe(9001);
      expect(third.columns!.built).toBe(4);
      expect(third.columns!.fromPages).toBe(0);
    })();
    const committed = third.search(fresh, 10);
    expect(committed).toEqual(fullTopK(corpus.db, fresh, 10));
    expect(committed[0]?.rowid).toBe(9001);
    expect(third.columns!.built).toBe(4);
  });
  it('leaves rowids too sparse for arrays to FTS5', async () => {
    const dir = await tempDir('mnemo-columns-');
    const corpus = new ColumnCorpus(join(dir, 'c.db'), 8, 2);
    corpus.add(300);
    const far = 3_000_000_000;
    for (const db of [corpus.db]) {
      db.prepare("INSERT INTO docs(rowid, name, description, tags, body) VALUES (?, 'cache service', '', '', 'cache')").run(far);
      db.prepare("INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, 'cache service', '', '', 'cache')").run(far);
    }
    const topK = new FtsTopK(corpus.db, {
      table: 'topics_fts',
      tokenizer: TOKENIZER,
      weights: WEIGHTS,
      columns: { minRows: 20, staleAfter: 50, fromPostings: 100 },
    });
    const terms = ['cache', 'service'];
    const got = topK.search(terms, 10);
    expect(got).toEqual(fullTopK(corpus.db, terms, 10));
    expect(got.map((row) => row.rowid)).toContain(far);
    expect(topK.lastWork?.path).not.toBe('columns');
  });
});

/** The ten topics the full query ranks best (cut at 40, as a search of limit 10 cuts), by slug. */
function fullTopTen(db: Database.Database, query: string): string[] {
  return (
    db
      .prepare(
        `SELECT t.slug AS slug FROM (SELECT rowid, bm25(topics_fts, 8, 4, 3, 1) AS rank FROM topics_fts WHERE topics_fts MATCH ? ORDER BY rank LIMIT 40) f
         JOIN topics t ON t.rowid = f.rowid ORDER BY f.rank, f.rowid LIMIT 10`,
      )
      .all(ftsQuery(queryTerms(query))) as { slug: string }[]
  ).map((row) => row.slug);
}

describe('topic search over the index', () => {
  it('gives what the full query cut at four times the limit gave, when most of the best rows are of other statuses', async () => {
    const root = await tempDir('mnemo-topk-');
    const random = seededRandom(3);
    const statuses = ['active', 'active', 'suspect', 'superseded', 'quarantined'] as const;
    for (let index = 0; index < 300; index += 1) {
      // The rows that rank best for "quokkaberry" are mostly superseded: the head of the cut runs dry.
      const rare = index < 60 ? 'quokkaberry ' : '';
      const status = index < 50 ? 'superseded' : statuses[Math.floor(random() * statuses.length)]!;
      const type = random() < 0.5 ? 'project' : 'reference';
      await writeFile(
        join(root, `t-${index}.md`),
        `---\nname: ${JSON.stringify(`${rare}${words(random, 2, 3)}`)}\ndescription: ${JSON.stringify(words(random, 2, 8))}\ntype: ${type}\ntags: [${words(random, 2, 3).split(' ').filter(Boolean).join(', ')}]\nstatus: ${status}\n---\n${rare}${words(random, 2, 40)}\n`,
      );
    }
    const search = SearchIndex.open({ root, dbPath: join(root, '.state', 'search.db') });
    try {
      await search.sync({ full: true });
      const db = search.database;
      const before = (query: string, limit: number, types?: readonly string[]): string[] =>
        (
          db
            .prepare(
              `SELECT t.slug AS slug, t.status AS status, t.type AS type
               FROM (SELECT rowid, bm25(topics_fts, 8, 4, 3, 1) AS rank FROM topics_fts WHERE topics_fts MATCH ? ORDER BY rank LIMIT ?) f
               JOIN topics t ON t.rowid = f.rowid ORDER BY f.rank, f.rowid`,
            )
            .all(ftsQuery(queryTerms(query)), Math.max(1, limit * 4)) as { slug: string; status: string; type: string }[]
        )
          .filter((row) => ['active', 'suspect'].includes(row.status) && (types === undefined || types.includes(row.type)))
          .slice(0, limit)
          .map((row) => row.slug);
      let walked = 0;
      for (const query of [
        'quokkaberry cache',
        'quokkaberry',
        'cache service the',
        'tavuri zelmira caching',
        'absentword',
        'retries pelonda',
      ]) {
        for (const limit of [1, 5, 20]) {
          expect(search.searchTopics(query, { limit }).map((hit) => hit.slug)).toEqual(before(query, limit));
          expect(search.searchTopics(query, { limit, types: ['reference'] }).map((hit) => hit.slug)).toEqual(
            before(query, limit, ['reference']),
          );
          walked += 1;
        }
      }
      expect(walked).toBe(18);
      // The superseded head ran the cut to four times the limit, and it still held fewer than five (as before).
      expect(before('quokkaberry', 5).length).toBeLessThan(5);
      expect(before('quokkaberry', 5).length).toBeGreaterThan(0);
    } finally {
      search.close();
    }
  });

  it('builds the columns of common words at reindex, forgets them when the change log was lost, and answers as the full query', async () => {
    const root = await tempDir('mnemo-topk-');
    const random = seededRandom(21);
    const topic = (index: number): string =>
      `---\nname: ${JSON.stringify(words(random, 2, 3) || 'x')}\ndescription: ${JSON.stringify(words(random, 2, 8))}\ntype: project\ntags: [${words(random, 2, 3).split(' ').filter(Boolean).join(', ')}]\nstatus: active\n---\n${words(random, 2, 40)} n${index}\n`;
    for (let index = 0; index < 400; index += 1) await writeFile(join(root, `t-${index}.md`), topic(index));
    const dbPath = join(root, '.state', 'search.db');
    const options = { root, dbPath, columns: { minRows: 20, fromPostings: 200 } };
    const queries = ['cache service', 'retry deploy staging', 'the token error', 'session timeout database'];
    const search = SearchIndex.open(options);
    try {
      await search.rebuild();
      const saved = (): { term: string; seq: number }[] =>
        search.database.prepare('SELECT term, seq FROM topics_fts_columns ORDER BY term').all() as { term: string; seq: number }[];
      const afterReindex = saved();
      // Every token in more than 20 rows has its column.
      const common = search.database.prepare('SELECT count(*) FROM temp.topics_fts_topk_terms WHERE doc > 20').pluck().get() as number;
      expect(afterReindex.length).toBe(common);
      expect(common).toBeGreaterThan(10);
      // Another process answers from them: same topics as the full query, nothing built again.
      const other = SearchIndex.open(options);
      try {
        for (const query of queries) {
          expect(other.searchTopics(query, { limit: 10 }).map((hit) => hit.slug)).toEqual(fullTopTen(other.database, query));
          expect(other.lastTopicSearchWork?.path).toBe('columns');
        }
      } finally {
        other.close();
      }
      expect(saved()).toEqual(afterReindex);
      // Writes through the index (new topics and rewrites): the writer keeps each row's terms,
      // so a search scores the changed rows without tokenizing them again.
      for (let index = 0; index < 30; index += 1) await writeFile(join(root, `t-${index * 13}.md`), topic(index * 13));
      for (let index = 400; index < 410; index += 1) await writeFile(join(root, `t-${index}.md`), topic(index));
      await search.sync({ full: true });
      const third = SearchIndex.open(options);
      try {
        for (const query of queries) {
          expect(third.searchTopics(query, { limit: 10 }).map((hit) => hit.slug)).toEqual(fullTopTen(third.database, query));
          expect(third.lastTopicSearchWork?.path).toBe('columns');
        }
        const columns = (third as unknown as { topK: FtsTopK }).topK.columns!;
        expect(columns.built).toBe(0);
        expect(columns.tokenized).toBe(0);
        // A row rewritten by a writer that keeps no terms (another version): its kept terms are of an
        // older change, so the search tokenizes it again and scores what it holds now.
        const { rowid } = third.database.prepare("SELECT rowid FROM topics WHERE slug = 't-13'").get() as { rowid: number };
        third.database.transaction(() => {
          third.database.prepare("UPDATE topics SET body = 'cache service' WHERE rowid = ?").run(rowid);
          third.database.prepare('DELETE FROM topics_fts WHERE rowid = ?').run(rowid);
          third.database
            .prepare(
              "INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, 'cache service cache', 'service cache', 'cache service', 'cache service')",
            )
            .run(rowid);
        })();
        for (const query of queries)
          expect(third.searchTopics(query, { limit: 10 }).map((hit) => hit.slug)).toEqual(fullTopTen(third.database, query));
        expect(third.searchTopics('cache service', { limit: 10 })[0]?.slug).toBe('t-13');
        expect(columns.tokenized).toBeGreaterThan(0);
      } finally {
        third.close();
      }
      // A writer that lost the log's triggers rewrites a topic: the next open forgets the columns.
      for (const name of ['insert', 'update', 'delete']) search.database.exec(`DROP TRIGGER topics_fts_changed_${name}`);
      await writeFile(
        join(root, 't-7.md'),
        '---\nname: "cache service cache"\ndescription: "service cache service"\ntype: project\ntags: [cache, service]\nstatus: active\n---\ncache service cache service\n',
      );
      await search.sync({ full: true });
    } finally {
      search.close();
    }
    const reopened = SearchIndex.open(options);
    try {
      expect(reopened.database.prepare('SELECT count(*) FROM topics_fts_columns').pluck().get()).toBe(0);
      for (const query of queries)
        expect(reopened.searchTopics(query, { limit: 10 }).map((hit) => hit.slug)).toEqual(fullTopTen(reopened.database, query));
      expect(reopened.searchTopics('cache service', { limit: 10 })[0]?.slug).toBe('t-7');
    } finally {
      reopened.close();
    }
  });

  it('an index from before the kept row terms gains them on open and forgets its columns; writes then go on', async () => {
    const root = await tempDir('mnemo-topk-');
    const random = seededRandom(4);
    const topic = (index: number): string =>
      `---\nname: ${JSON.stringify(words(random, 2, 3) || 'x')}\ndescription: ${JSON.stringify(words(random, 2, 8))}\ntype: project\ntags: []\nstatus: active\n---\n${words(random, 2, 40)} n${index}\n`;
    for (let index = 0; index < 200; index += 1) await writeFile(join(root, `t-${index}.md`), topic(index));
    const options = { root, dbPath: join(root, '.state', 'search.db'), columns: { minRows: 20, fromPostings: 200 } };
    const first = SearchIndex.open(options);
    await first.rebuild();
    expect(first.database.prepare('SELECT count(*) FROM topics_fts_columns').pluck().get()).toBeGreaterThan(0);
    first.database.exec('DROP TABLE topics_fts_row_terms');
    first.close();
    const again = SearchIndex.open(options);
    try {
      expect(again.database.prepare('SELECT count(*) FROM topics_fts_columns').pluck().get()).toBe(0);
      await writeFile(join(root, 't-3.md'), topic(3));
      await again.sync({ full: true });
      expect(again.database.prepare('SELECT count(*) FROM topics_fts_row_terms').pluck().get()).toBe(1);
      const query = 'cache service retry';
      expect(again.searchTopics(query, { limit: 10 }).map((hit) => hit.slug)).toEqual(fullTopTen(again.database, query));
      expect(again.lastTopicSearchWork?.path).toBe('columns');
    } finally {
      again.close();
    }
  });
});
