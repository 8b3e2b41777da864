import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { ftsQuery, queryTerms } from './query-terms.js';
import { SearchIndex } from './search-index.js';
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
    const paths = { pruned: 0, full: 0 };
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
});
