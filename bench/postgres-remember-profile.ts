/*
 * Where a `remember` on PostgreSQL spends its time: opens the engine on a working copy of a
 * database of N topics (default 10k) and does 30 remembers, timing every SQL statement (its text,
 * round trip) and the work between them. Starts a throwaway cluster on loopback (fsync on).
 *   npx tsx bench/postgres-remember-profile.ts [--topics 10000] [--writes 30]
 *   npx tsx bench/postgres-remember-profile.ts --cpu-profile /tmp/remember.cpuprofile   (the remembers only)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openMemory } from '../src/index.js';
import { openPostgresStore } from '../src/store/index.js';
import { hasPostgres, noPostgresReason, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { searchCorpus } from '../test/helpers/search-corpus.js';
import { formatMs, machineLine, percentile, seededRandom, syntheticVocabulary } from './bench-utils.js';

const flag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const SIZE = flag('--topics', 10_000);
const WRITES = flag('--writes', 30);
const profileFlag = process.argv.indexOf('--cpu-profile');
const PROFILE_PATH = profileFlag === -1 ? undefined : process.argv[profileFlag + 1];

if (!hasPostgres) {
  process.stderr.write(`${noPostgresReason}\n`);
  process.exit(1);
}

/** Every statement's text (first line, shortened) and its round trip while `recording`. */
const statements: { sql: string; ms: number; bytes: number }[] = [];
let recording = false;
const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = prototype.query;
prototype.query = function (this: unknown, ...args: unknown[]) {
  const result = original.apply(this, args);
  if (!recording || !(result instanceof Promise)) return result;
  const first = args[0];
  const text = typeof first === 'string' ? first : String((first as { text?: string }).text ?? '?');
  const started = performance.now();
  const values = args[1];
  // State files and documents by path and size: which files a write sends whole.
  const detail = Array.isArray(values) && /mnemo_state_files|mnemo_documents/.test(text) ? ` [${String(values[0])}]` : '';
  const payload = Array.isArray(values) ? values.find((value): value is Buffer => Buffer.isBuffer(value)) : undefined;
  return result.then((value: unknown) => {
    statements.push({
      sql: text.replace(/\s+/g, ' ').trim().slice(0, 90) + detail,
      ms: performance.now() - started,
      bytes: payload?.length ?? 0,
    });
    return value;
  });
};

const random = seededRandom(11);
const vocabulary = syntheticVocabulary(6000, random);
const phrase = (count: number): string =>
  Array.from({ length: count }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');

const cluster = await startPostgresCluster({ durable: true });
const work = await mkdtemp(join(tmpdir(), 'mnemo-pgprofile-'));
try {
  const url = await cluster.createDatabase('profile');
  const store = await openPostgresStore({ url, migrate: true });
  const corpus = searchCorpus(SIZE);
  for (let start = 0; start < corpus.length; start += 10_000)
    await store.topics.writeMany(corpus.slice(start, start + 10_000).map((entry) => ({ slug: entry.slug, content: entry.text })));
  await store.close();
  const project = join(work, 'project');
  await mkdir(join(project, '.git'), { recursive: true });
  await mkdir(join(project, '.mnemo'), { recursive: true });
  const env = { ...process.env, MNEMO_DATABASE_URL: url, XDG_CACHE_HOME: join(work, 'cache') };
  const memory = await openMemory({ cwd: project, env, config: { logLevel: 'silent' } });
  await memory.recall('warm up');
  // Two writes not counted: the first renders and pushes what a fresh copy has not yet pushed.
  for (let index = 0; index < 2; index += 1)
    await memory.remember({ name: `warm ${index} ${phrase(2)}`, description: phrase(6), type: 'project', body: `${phrase(14)}.` });
  const session = new Session();
  if (PROFILE_PATH !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const totals: number[] = [];
  const perWrite: { count: number; sqlMs: number }[] = [];
  for (let index = 0; index < WRITES; index += 1) {
    const before = statements.length;
    recording = true;
    const started = performance.now();
    const result = await memory.remember({
      name: `fact ${index} ${phrase(2)}`,
      description: phrase(6),
      type: 'project',
      body: `${phrase(14)}.`,
    });
    totals.push(performance.now() - started);
    recording = false;
    if (result.status !== 'written') throw new Error(`remember was ${result.status}`);
    const mine = statements.slice(before);
    perWrite.push({ count: mine.length, sqlMs: mine.reduce((sum, statement) => sum + statement.ms, 0) });
  }
  if (PROFILE_PATH !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(PROFILE_PATH, JSON.stringify(profile));
    session.disconnect();
  }
  memory.close();
  const bySql = new Map<string, { count: number; ms: number; bytes: number }>();
  for (const statement of statements) {
    const entry = bySql.get(statement.sql) ?? { count: 0, ms: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes = Math.max(entry.bytes, statement.bytes);
    entry.ms += statement.ms;
    bySql.set(statement.sql, entry);
  }
  process.stdout.write(`${machineLine()}\n${SIZE} topics, ${WRITES} remembers\n`);
  process.stdout.write(
    `remember p50 ${formatMs(percentile(totals, 50))} p95 ${formatMs(percentile(totals, 95))}; statements per write p50 ${percentile(
      perWrite.map((entry) => entry.count),
      50,
    )}; time in SQL per write p50 ${formatMs(
      percentile(
        perWrite.map((entry) => entry.sqlMs),
        50,
      ),
    )}\n`,
  );
  for (const [sql, entry] of [...bySql].sort((a, b) => b[1].ms - a[1].ms))
    process.stdout.write(
      `${(entry.count / WRITES).toFixed(1).padStart(6)}/write ${(entry.ms / WRITES).toFixed(2).padStart(8)} ms/write ${String(entry.bytes).padStart(7)} B max  ${sql}\n`,
    );
} finally {
  await cluster.stop();
  await rm(work, { recursive: true, force: true });
}
