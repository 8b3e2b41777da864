/*
 * Building term columns: a common token's postings decoded from FTS5's pages (src/retrieval/fts5-pages.ts)
 * against the same postings through fts5vocab's `instance` table (what columns were built from
 * before), token by token side by side in one process, each answer compared.
 *   npx tsx bench/column-build.ts                          30k generated topics, written 50 to a transaction
 *   COLUMN_BENCH_ROWS=100000 npx tsx bench/column-build.ts  more rows (a minute or two to write)
 *   COLUMN_BENCH_DB=path/to/search.db npx tsx bench/column-build.ts   an existing index, read only
 */
import Database from 'better-sqlite3';
import { COLUMN_MIN_ROWS, Fts5Pages, TOPIC_FIELD_WEIGHTS } from '../src/retrieval/index.js';
import { formatMs, machineLine, seededRandom } from './bench-utils.js';
import { ScaleText } from './scale-text.js';

const TOKENIZER = "tokenize='porter unicode61 remove_diacritics 2'";
/** The topic table's columns in order, with their weights. */
const COLUMNS = ['name', 'description', 'tags', 'body'] as const;
const WEIGHTS = COLUMNS.map((column) => TOPIC_FIELD_WEIGHTS[column]);

export interface ColumnBuildResult {
  source: string;
  rows: number;
  segments: number;
  columns: number;
  postings: number;
  vocabMs: number;
  pagesMs: number;
  slowestVocabMs: number;
  slowestPagesMs: number;
  mismatches: number;
}

function generated(rows: number): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE topics_fts USING fts5(${COLUMNS.join(', ')}, ${TOKENIZER})`);
  const text = new ScaleText(seededRandom(rows + 29));
  const insert = db.prepare('INSERT INTO topics_fts(rowid, name, description, tags, body) VALUES (?, ?, ?, ?, ?)');
  const batch = db.transaction((from: number) => {
    for (let index = from; index < Math.min(rows, from + 50); index += 1) {
      const topic = text.topic(index);
      insert.run(index + 1, topic.name, topic.description, topic.tags.join(' '), topic.body);
    }
  });
  for (let from = 0; from < rows; from += 50) batch(from);
  return db;
}

export function runColumnBuildBench(): ColumnBuildResult {
  const path = process.env.COLUMN_BENCH_DB;
  const db = path === undefined ? generated(Number(process.env.COLUMN_BENCH_ROWS ?? '30000')) : new Database(path, { readonly: true });
  try {
    db.exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_rows USING fts5vocab(main, topics_fts, row);');
    db.exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_instances USING fts5vocab(main, topics_fts, instance);');
    const rows = db.prepare('SELECT count(*) FROM topics_fts_docsize').pluck().get() as number;
    const segments = db.prepare('SELECT count(DISTINCT segid) FROM topics_fts_idx').pluck().get() as number;
    const tokens = db.prepare('SELECT term FROM temp.bench_rows WHERE doc > ? ORDER BY doc DESC').pluck().all(COLUMN_MIN_ROWS) as string[];
    const weighted = `CASE col ${COLUMNS.map((column, index) => `WHEN '${column}' THEN ${WEIGHTS[index]}`).join(' ')} END`;
    const vocab = db.prepare(`SELECT doc, sum(${weighted}) FROM temp.bench_instances WHERE term = ? GROUP BY doc ORDER BY doc`).raw();
    const pages = new Fts5Pages(db, 'topics_fts');
    const result: ColumnBuildResult = {
      source: path ?? `${rows.toLocaleString('en-US')} generated topics, 50 per transaction`,
      rows,
      segments,
      columns: tokens.length,
      postings: 0,
      vocabMs: 0,
      pagesMs: 0,
      slowestVocabMs: 0,
      slowestPagesMs: 0,
      mismatches: 0,
    };
    db.transaction(() => {
      // Warm both paths (the JIT, SQLite's page cache) on a few tokens before timing.
      for (const token of tokens.slice(0, 8)) {
        pages.postings(token, WEIGHTS);
        vocab.all(token);
      }
      for (const [index, token] of tokens.entries()) {
        const timed = <T>(run: () => T): [T, number] => {
          const start = performance.now();
          const value = run();
          return [value, performance.now() - start];
        };
        // Alternate which goes first, so neither always finds the pages cached by the other.
        const first = index % 2 === 0;
        const [decoded, pagesMs] = first ? timed(() => pages.postings(token, WEIGHTS)) : [undefined, 0];
        const [expected, vocabMs] = timed(() => vocab.all(token) as [number, number][]);
        const [late, latePagesMs] = first ? [decoded, pagesMs] : timed(() => pages.postings(token, WEIGHTS));
        const same =
          late !== undefined &&
          late.rowids.length === expected.length &&
          expected.every(([rowid, f], at) => late.rowids[at] === rowid && late.freqs[at] === f);
        if (!same) result.mismatches += 1;
        result.postings += expected.length;
        result.vocabMs += vocabMs;
        result.pagesMs += latePagesMs;
        result.slowestVocabMs = Math.max(result.slowestVocabMs, vocabMs);
        result.slowestPagesMs = Math.max(result.slowestPagesMs, latePagesMs);
      }
    })();
    return result;
  } finally {
    db.close();
  }
}

export function formatColumnBuildBench(result: ColumnBuildResult): string {
  const perPosting = (ms: number): string => `${((ms * 1000) / Math.max(1, result.postings)).toFixed(3)} µs`;
  return [
    machineLine(),
    '',
    `Source: ${result.source}; ${result.segments} segments; ${result.columns} tokens in more than ${COLUMN_MIN_ROWS} rows, ${result.postings.toLocaleString('en-US')} postings.`,
    '',
    '| built from | all columns | per posting | slowest column | answers differing |',
    '| --- | --- | --- | --- | --- |',
    `| fts5vocab \`instance\` (before) | ${formatMs(result.vocabMs)} | ${perPosting(result.vocabMs)} | ${formatMs(result.slowestVocabMs)} | — |`,
    `| FTS5's pages (fts5-pages.ts) | ${formatMs(result.pagesMs)} | ${perPosting(result.pagesMs)} | ${formatMs(result.slowestPagesMs)} | ${result.mismatches} |`,
    `| ratio | ${(result.vocabMs / Math.max(1e-9, result.pagesMs)).toFixed(1)}× faster | | | |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${formatColumnBuildBench(runColumnBuildBench())}\n`);
