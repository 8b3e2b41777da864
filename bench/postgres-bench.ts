/*
 * The PostgreSQL store against the file store: topic search (recall's ranking step) and write
 * latency at 10k topics (100k with --large), and throughput of 8 concurrent writer processes.
 * Starts a throwaway PostgreSQL cluster on loopback (fsync on) from the binaries on this machine.
 *   npx tsx bench/postgres-bench.ts [--large] [--sizes 2000,20000] [--queries 200]
 * Loading (not measured) is in bulk: topic files written without fsync, rows 1,000 to a statement
 * in transactions of 10,000 (`topics.writeMany`).
 * The whole engine on PostgreSQL (recall, remember, writers over two MCP servers): bench/fleet-bench.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SearchIndex } from '../src/retrieval/index.js';
import { initRoot, openFileStore, openPostgresStore } from '../src/store/index.js';
import { hasPostgres, noPostgresReason, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { searchCorpus, searchQueries } from '../test/helpers/search-corpus.js';
import { formatMs, machineLine, markdownTable, percentile } from './bench-utils.js';

const REPO = join(import.meta.dirname, '..');
const sizesFlag = process.argv.indexOf('--sizes');
const sizes =
  sizesFlag !== -1
    ? String(process.argv[sizesFlag + 1])
        .split(',')
        .map(Number)
    : process.argv.includes('--large')
      ? [10_000, 100_000]
      : [10_000];
const queriesFlag = process.argv.indexOf('--queries');
const QUERIES = queriesFlag === -1 ? 200 : Number(process.argv[queriesFlag + 1]);
const WRITERS = 8;
const WRITES_EACH = 100;

if (!hasPostgres) {
  process.stderr.write(`${noPostgresReason}\n`);
  process.exit(1);
}

function child(args: string[]): Promise<{ start: number; end: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench/store-writer-child.ts'), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as { start: number; end: number }) : reject(new Error(`writer exited ${code}`)),
    );
  });
}

async function throughput(kind: 'file' | 'postgres', where: string): Promise<number> {
  const spans = await Promise.all(Array.from({ length: WRITERS }, (_, index) => child([kind, where, `w${index}`, String(WRITES_EACH)])));
  const seconds = (Math.max(...spans.map((span) => span.end)) - Math.min(...spans.map((span) => span.start))) / 1000;
  return (WRITERS * WRITES_EACH) / seconds;
}

const cluster = await startPostgresCluster({ durable: true });
const rows: string[][] = [];
const throughputRows: string[][] = [];
try {
  for (const size of sizes) {
    process.stderr.write(`== ${size} topics\n`);
    const corpus = searchCorpus(size);
    const queries = searchQueries(QUERIES);
    const root = await mkdtemp(join(tmpdir(), 'mnemo-pgbench-'));
    await initRoot(root);
    const files = openFileStore({ root });
    let started = performance.now();
    // Setup in bulk: plain writes (the store's writeMany fsyncs every file: 100k fsyncs).
    for (let start = 0; start < corpus.length; start += 64)
      await Promise.all(corpus.slice(start, start + 64).map((entry) => writeFile(join(root, `${entry.slug}.md`), entry.text)));
    const fileLoadMs = performance.now() - started;
    const index = SearchIndex.open({ root, dbPath: join(root, '.state', 'search.db') });
    started = performance.now();
    await index.sync({ full: true });
    const fileIndexMs = performance.now() - started;
    const url = await cluster.createDatabase(`bench_${size}`);
    const store = await openPostgresStore({ url, migrate: true });
    started = performance.now();
    for (let start = 0; start < corpus.length; start += 10_000)
      await store.topics.writeMany(corpus.slice(start, start + 10_000).map((entry) => ({ slug: entry.slug, content: entry.text })));
    const pgLoadMs = performance.now() - started;
    process.stderr.write(
      `loaded: files ${fileLoadMs.toFixed(0)} ms (+ index ${fileIndexMs.toFixed(0)} ms), PostgreSQL ${pgLoadMs.toFixed(0)} ms\n`,
    );

    const fileSearch: number[] = [];
    const pgSearch: number[] = [];
    let overlap = 0;
    let sameTop = 0;
    for (const query of queries) {
      let t = performance.now();
      const sqliteHits = index.searchTopics(query, { limit: 5 }).map((hit) => hit.slug);
      fileSearch.push(performance.now() - t);
      t = performance.now();
      const pgHits = (await store.search.searchTopics(query, { limit: 5 })).map((hit) => hit.slug);
      pgSearch.push(performance.now() - t);
      overlap += pgHits.filter((slug) => sqliteHits.includes(slug)).length / Math.max(1, sqliteHits.length);
      if (pgHits[0] === sqliteHits[0]) sameTop += 1;
    }
    const fileWrite: number[] = [];
    const pgWrite: number[] = [];
    for (let n = 0; n < 100; n += 1) {
      const entry = corpus[(n * 7) % corpus.length] as { slug: string; text: string };
      const text = entry.text.replace(/\.\n$/, ` edit ${n}.\n`);
      let t = performance.now();
      await files.topics.write(entry.slug, text);
      fileWrite.push(performance.now() - t);
      t = performance.now();
      await store.topics.write(entry.slug, text);
      pgWrite.push(performance.now() - t);
    }
    const p = (values: number[]) => `${formatMs(percentile(values, 50))} / ${formatMs(percentile(values, 95))}`;
    const ratio = (a: number[], b: number[]) => `${(percentile(a, 50) / percentile(b, 50)).toFixed(2)}×`;
    rows.push([
      String(size),
      p(fileSearch),
      p(pgSearch),
      ratio(pgSearch, fileSearch),
      p(fileWrite),
      p(pgWrite),
      ratio(pgWrite, fileWrite),
      `${((overlap / queries.length) * 100).toFixed(0)}% / ${((sameTop / queries.length) * 100).toFixed(0)}%`,
    ]);
    index.close();
    await store.close();
    if (size === sizes[0]) {
      process.stderr.write(`== ${WRITERS} concurrent writers × ${WRITES_EACH} topics\n`);
      const fileRate = await throughput('file', root);
      const pgRate = await throughput('postgres', url);
      throughputRows.push([
        `${WRITERS} × ${WRITES_EACH}`,
        `${fileRate.toFixed(0)} /s`,
        `${pgRate.toFixed(0)} /s`,
        `${(pgRate / fileRate).toFixed(2)}×`,
      ]);
    }
    await rm(root, { recursive: true, force: true });
  }
} finally {
  await cluster.stop();
}

process.stdout.write(`\n${machineLine()}\n\n`);
process.stdout.write(
  `${markdownTable(
    [
      'topics',
      'search, file store (FTS5) p50 / p95',
      'search, PostgreSQL p50 / p95',
      'PG ÷ file',
      'write, file store p50 / p95',
      'write, PostgreSQL p50 / p95',
      'PG ÷ file',
      'top-5 overlap / same top hit',
    ],
    rows,
  )}\n\n`,
);
process.stdout.write(`${markdownTable(['writers × topics each', 'file store', 'PostgreSQL', 'PG ÷ file'], throughputRows)}\n`);
