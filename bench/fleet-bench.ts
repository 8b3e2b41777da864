/*
 * The engine on PostgreSQL (a replicated working copy, docs/fleet-postgres.md) against the engine
 * on the file store: recall and remember latency through `openMemory` at 10k topics (`--topics N`),
 * the time to open a fresh working copy, and the throughput of 8 MCP clients writing at once
 * (remember + confirm) through one `mnemo mcp --http` server on the file store vs two servers on
 * one database. Starts a throwaway PostgreSQL cluster on loopback (fsync on). Needs `npm run build`.
 *   npx tsx bench/fleet-bench.ts [--topics 10000]     (100k: --topics 100000)
 * Loading (not measured) is in bulk: topic files written without fsync, rows 1,000 to a statement
 * in transactions of 10,000 (`topics.writeMany`).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openMemory, type Memory } from '../src/index.js';
import { initRoot, openPostgresStore } from '../src/store/index.js';
import { hasPostgres, noPostgresReason, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { searchCorpus, searchQueries } from '../test/helpers/search-corpus.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { formatMs, machineLine, markdownTable, percentile, seededRandom, syntheticVocabulary } from './bench-utils.js';

const topicsFlag = process.argv.indexOf('--topics');
const SIZE = topicsFlag === -1 ? 10_000 : Number(process.argv[topicsFlag + 1]);
const RECALLS = 60;
const WRITES = 30;
const CLIENTS = 8;
const WRITES_EACH = 5;

if (!hasPostgres) {
  process.stderr.write(`${noPostgresReason}\n`);
  process.exit(1);
}
const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: run \`npm run build\` first.\n`);
  process.exit(1);
}

interface HttpServer {
  url: string;
  child: ChildProcess;
}

/** `mnemo mcp --http --port 0 …` as a child process, once it listens. */
function startHttpServer(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<HttpServer> {
  const child = spawn(process.execPath, [CLI, 'mcp', '--http', '--port', '0', ...args], { cwd, env: { ...env, MNEMO_LOG_LEVEL: 'warn' } });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve({ url: match[1], child });
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
  });
}

function stopServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'mnemo-fleet-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const resultText = (result: unknown): string =>
  ((result as { content?: { text?: string }[] }).content ?? []).map((part) => part.text ?? '').join(' ');
const resultData = (result: unknown): Record<string, unknown> =>
  (result as { structuredContent?: Record<string, unknown> }).structuredContent ?? {};

const random = seededRandom(11);
const vocabulary = syntheticVocabulary(6000, random);
const phrase = (count: number): string =>
  Array.from({ length: count }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
/** A fact unlike any other (so the discipline never merges two). */
const fact = (label: string) => ({
  name: `${label} ${phrase(2)}`,
  description: phrase(6),
  type: 'project' as const,
  body: `${phrase(14)}.`,
});

async function latencies(memory: Memory, queries: readonly string[], label: string): Promise<{ recall: number[]; write: number[] }> {
  const recall: number[] = [];
  for (const query of queries.slice(0, RECALLS)) {
    const started = performance.now();
    await memory.recall(query);
    recall.push(performance.now() - started);
  }
  const write: number[] = [];
  for (let index = 0; index < WRITES; index += 1) {
    const started = performance.now();
    const result = await memory.remember(fact(`${label} ${index}`));
    write.push(performance.now() - started);
    if (result.status !== 'written') throw new Error(`remember was ${result.status}`);
  }
  return { recall, write };
}

/** 8 clients over `servers`, each writing WRITES_EACH facts (remember, then the user's confirmation): promoted writes per second, and the writes that failed. */
async function throughput(servers: readonly HttpServer[], label: string): Promise<{ rate: number; failed: string[] }> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, index) => httpClient(servers[index % servers.length]!.url)));
  // Setup, not measured: one recall per server, so that each has built its search index (a fresh
  // working copy builds it on first use: 100k topics take tens of seconds) before the clock starts.
  const warming = performance.now();
  await Promise.all(servers.map((_, index) => clients[index]!.callTool({ name: 'recall', arguments: { query: 'warm up' } })));
  process.stderr.write(
    `${label}: ${servers.length} server(s) warmed up in ${(performance.now() - warming).toFixed(0)} ms (not measured)\n`,
  );
  const failed: string[] = [];
  let promoted = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, index) => {
      for (let n = 0; n < WRITES_EACH; n += 1) {
        const staged = await client.callTool({ name: 'remember', arguments: fact(`${label} c${index} n${n}`) });
        const done = await client.callTool({
          name: 'task_complete',
          arguments: { task: String(resultData(staged).task), confirmed: true },
        });
        if (resultData(done).outcome === 'promoted') promoted += 1;
        else failed.push(`${resultText(staged)} / ${resultText(done)}`.slice(0, 300));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.close()));
  return { rate: promoted / seconds, failed };
}

const cluster = await startPostgresCluster({ durable: true });
const p = (values: number[]) => `${formatMs(percentile(values, 50))} / ${formatMs(percentile(values, 95))}`;
const ratio = (a: number[], b: number[]) => `${(percentile(a, 50) / percentile(b, 50)).toFixed(2)}×`;
const work = await mkdtemp(join(tmpdir(), 'mnemo-fleetbench-'));
try {
  const corpus = searchCorpus(SIZE);
  const queries = searchQueries(RECALLS);
  // The file store: a project with `.mnemo/`.
  const fileProject = join(work, 'file-project');
  const root = join(fileProject, '.mnemo');
  await mkdir(join(fileProject, '.git'), { recursive: true });
  await initRoot(root);
  let started = performance.now();
  // Setup, not measured: plain writes (the store's writeMany fsyncs every file).
  for (let start = 0; start < corpus.length; start += 64)
    await Promise.all(corpus.slice(start, start + 64).map((entry) => writeFile(join(root, `${entry.slug}.md`), entry.text)));
  process.stderr.write(`file store loaded: ${(performance.now() - started).toFixed(0)} ms\n`);
  // The database: the same topics.
  const url = await cluster.createDatabase('fleet_bench');
  const store = await openPostgresStore({ url, migrate: true });
  started = performance.now();
  for (let start = 0; start < corpus.length; start += 10_000)
    await store.topics.writeMany(corpus.slice(start, start + 10_000).map((entry) => ({ slug: entry.slug, content: entry.text })));
  await store.close();
  process.stderr.write(`PostgreSQL loaded: ${(performance.now() - started).toFixed(0)} ms\n`);
  const pgProject = join(work, 'pg-project');
  await mkdir(join(pgProject, '.git'), { recursive: true });
  await mkdir(join(pgProject, '.mnemo'), { recursive: true });
  const pgEnv = (name: string) => ({ ...process.env, MNEMO_DATABASE_URL: url, XDG_CACHE_HOME: join(work, `cache-${name}`) });

  started = performance.now();
  const fileMemory = await openMemory({ dir: root, cwd: fileProject, config: { logLevel: 'silent' } });
  await fileMemory.recall('warm up');
  const fileOpenMs = performance.now() - started;
  const file = await latencies(fileMemory, queries, 'file');
  fileMemory.close();

  started = performance.now();
  const pgMemory = await openMemory({ cwd: pgProject, env: pgEnv('bench'), config: { logLevel: 'silent' } });
  await pgMemory.recall('warm up');
  const pgOpenMs = performance.now() - started;
  const pg = await latencies(pgMemory, queries, 'pg');
  pgMemory.close();

  process.stderr.write(
    `recall p50 file ${formatMs(percentile(file.recall, 50))}, PostgreSQL ${formatMs(percentile(pg.recall, 50))}; remember p50 file ${formatMs(percentile(file.write, 50))}, PostgreSQL ${formatMs(percentile(pg.write, 50))}; open file ${formatMs(fileOpenMs)}, PostgreSQL ${formatMs(pgOpenMs)}\n`,
  );
  process.stderr.write(`== ${CLIENTS} MCP clients × ${WRITES_EACH} writes\n`);
  const fileServer = await startHttpServer(fileProject, ['--dir', root]);
  const fileRate = await throughput([fileServer], 'file-mcp').finally(() => stopServer(fileServer));
  const pgServers = await Promise.all([
    startHttpServer(pgProject, [], pgEnv('server-a')),
    startHttpServer(pgProject, [], pgEnv('server-b')),
  ]);
  const pgRate = await throughput(pgServers, 'pg-mcp').finally(() => Promise.all(pgServers.map(stopServer)));

  process.stdout.write(`\n${machineLine()}\n\n`);
  process.stdout.write(
    `${markdownTable(
      [
        'topics',
        'open (first recall), file',
        'open (fresh copy), PostgreSQL',
        'recall, file p50 / p95',
        'recall, PostgreSQL p50 / p95',
        'PG ÷ file',
        'remember, file p50 / p95',
        'remember, PostgreSQL p50 / p95',
        'PG ÷ file',
      ],
      [
        [
          String(SIZE),
          formatMs(fileOpenMs),
          formatMs(pgOpenMs),
          p(file.recall),
          p(pg.recall),
          ratio(pg.recall, file.recall),
          p(file.write),
          p(pg.write),
          ratio(pg.write, file.write),
        ],
      ],
    )}\n\n`,
  );
  process.stdout.write(
    `${markdownTable(
      ['writers (MCP clients) × writes each', 'file store, 1 server', 'PostgreSQL, 2 servers', 'PG ÷ file'],
      [
        [
          `${CLIENTS} × ${WRITES_EACH}`,
          `${fileRate.rate.toFixed(1)} /s${fileRate.failed.length ? ` (${fileRate.failed.length} failed)` : ''}`,
          `${pgRate.rate.toFixed(1)} /s${pgRate.failed.length ? ` (${pgRate.failed.length} failed)` : ''}`,
          `${(pgRate.rate / fileRate.rate).toFixed(2)}×`,
        ],
      ],
    )}\n`,
  );
  for (const failure of [...fileRate.failed, ...pgRate.failed]) process.stderr.write(`failed: ${failure}\n`);
} finally {
  await cluster.stop();
  await rm(work, { recursive: true, force: true });
}
