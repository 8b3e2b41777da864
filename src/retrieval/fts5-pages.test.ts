import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/index.js';
import { Fts5Pages } from './fts5-pages.js';

/*
 * Postings read from FTS5's pages must be what FTS5 itself reports through fts5vocab: the same
 * rows, each with the same column-weighted count, for every term of the table. Checked on tables
 * written the ways an index is written over weeks (many small transactions, rewrites, deletes,
 * automatic and explicit merges, an optimize), with pages small enough that doclists and single
 * position lists run over many pages, and with words outside ASCII.
 */

const TOKENIZER = "tokenize='porter unicode61 remove_diacritics 2'";
const WEIGHTS = [8, 4, 3, 1];
const WORDS = `the cache caching service retry deploy staging token error timeout database migrate index worker queue
  build lint config certificate rotate analytics café naïve résumé übergröße 東京 ruvotata ziruxeka zelmira`
  .split(/\s+/)
  .filter((word) => word !== '');

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function text(random: () => number, most: number): string {
  return Array.from({ length: Math.floor(random() * (most + 1)) }, () => WORDS[Math.floor(WORDS.length * random() ** 2)]!).join(' ');
}

/** What fts5vocab says of every term: rowid → weighted count. */
function fromVocabulary(db: Database.Database): Map<string, Map<number, number>> {
  const terms = new Map<string, Map<number, number>>();
  const names = ['name', 'description', 'tags', 'body'];
  for (const [term, doc, col, count] of db
    .prepare('SELECT term, doc, col, count(*) FROM temp.v_instances GROUP BY term, doc, col')
    .raw()
    .all() as [string, number, string, number][]) {
    const rows = terms.get(term) ?? new Map<number, number>();
    terms.set(term, rows);
    rows.set(doc, (rows.get(doc) ?? 0) + count * WEIGHTS[names.indexOf(col)]!);
  }
  return terms;
}

function table(pageSize: number, automerge: number): Database.Database {
  const db = new Database(':memory:');
  open.push(db);
  db.exec(`CREATE VIRTUAL TABLE topics_fts USING fts5(name, description, tags, body, ${TOKENIZER});
    CREATE VIRTUAL TABLE temp.v_instances USING fts5vocab(main, topics_fts, instance);`);
  db.prepare("INSERT INTO topics_fts(topics_fts, rank) VALUES ('pgsz', ?)").run(BigInt(pageSize));
  db.prepare("INSERT INTO topics_fts(topics_fts, rank) VALUES ('automerge', ?)").run(BigInt(automerge));
  return db;
}

function expectSame(db: Database.Database): number {
  const pages = new Fts5Pages(db, 'topics_fts');
  const expected = fromVocabulary(db);
  let checked = 0;
  db.transaction(() => {
    for (const term of db.prepare('SELECT DISTINCT term FROM temp.v_instances').pluck().all() as string[]) {
      const postings = pages.postings(term, WEIGHTS);
      expect(postings, term).toBeDefined();
      const rows = [...expected.get(term)!].sort((a, b) => a[0] - b[0]);
      expect([...postings!.rowids], term).toEqual(rows.map(([rowid]) => rowid));
      expect([...postings!.freqs], term).toEqual(rows.map(([, f]) => f));
      checked += 1;
    }
    // A term no row has (and one that sorts before and after every term): no postings.
    for (const absent of ['aaaa', 'cachf', 'zzzzzz'])
      expect(pages.postings(absent, WEIGHTS)).toEqual({ rowids: new Int32Array(0), freqs: new Float32Array(0) });
  })();
  return checked;
}

describe('FTS5 postings from its pages', () => {
  it('equal fts5vocab for every term, through writes, rewrites, deletes and merges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.integer({ min: 32, max: 600 }),
        fc.constantFrom(0, 2, 4, 8, 16),
        fc.integer({ min: 1, max: 12 }),
        (seed, pageSize, automerge, rounds) => {
          const random = seededRandom(seed);
          const db = table(pageSize, automerge);
          const insert = db.prepare('INSERT OR REPLACE INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
          const remove = db.prepare('DELETE FROM topics_fts WHERE rowid = ?');
          let next = 1;
          for (let round = 0; round < rounds; round += 1) {
            db.transaction(() => {
              const writes = 1 + Math.floor(random() * 40);
              for (let index = 0; index < writes; index += 1) {
                const roll = random();
                if (roll < 0.15 && next > 1) remove.run(1 + Math.floor(random() * (next - 1)));
                else {
                  // New rows mostly, some rewritten; now and then a row with one word hundreds of times.
                  const rowid =
                    roll < 0.35 && next > 1 ? 1 + Math.floor(random() * (next - 1)) : (next += 1 + Math.floor(random() * 3)) - 1;
                  const body = random() < 0.05 ? Array.from({ length: 300 }, () => 'cache').join(' ') : text(random, 30);
                  insert.run(rowid, text(random, 3) || 'x', text(random, 8), text(random, 3), body);
                }
              }
            })();
            const roll = random();
            if (roll < 0.1)
              db.prepare("INSERT INTO topics_fts(topics_fts, rank) VALUES ('merge', ?)").run(BigInt(1 + Math.floor(random() * 50)));
            else if (roll < 0.15) db.exec("INSERT INTO topics_fts(topics_fts) VALUES ('optimize')");
          }
          expectSame(db);
        },
      ),
      // Two tables found by this property: a term that ends its page (its first rowid is on the
      // next), and a merge in progress whose output segment has no page yet.
      {
        numRuns: 80,
        examples: [
          [448_219_670, 137, 4, 6],
          [782_850_430, 33, 8, 12],
        ],
      },
    );
  });

  it('reads a doclist of many pages the same, across many segments', () => {
    const random = seededRandom(7);
    const db = table(64, 0);
    const insert = db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
    for (let batch = 0; batch < 30; batch += 1)
      db.transaction(() => {
        for (let index = 0; index < 50; index += 1)
          insert.run(batch * 1000 + index * 7 + 1, 'cache', text(random, 6), 'the', `the ${text(random, 20)}`);
      })();
    const segments = db.prepare('SELECT count(DISTINCT segid) FROM topics_fts_idx').pluck().get() as number;
    expect(segments).toBeGreaterThan(10);
    expect(expectSame(db)).toBeGreaterThan(20);
  });

  it('answers undefined for a layout it does not read (the caller asks fts5vocab)', () => {
    // A contentless-delete table: its structure record is FTS5's second version, with tombstones.
    const db = new Database(':memory:');
    open.push(db);
    db.exec(`CREATE VIRTUAL TABLE topics_fts USING fts5(name, description, tags, body, content='', contentless_delete=1, ${TOKENIZER})`);
    db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (1, ?, ?, ?, ?)').run('cache', 'the', '', 'cache');
    const pages = new Fts5Pages(db, 'topics_fts');
    expect(db.transaction(() => pages.postings('cach', WEIGHTS))()).toBeUndefined();
  });
});
