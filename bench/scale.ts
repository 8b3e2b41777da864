/*
 * Scale: does the cost of a call follow the answer or the memory? 1k / 10k (/ 100k) topics of
 * seeded, varied text, plus transcripts; for each size: write latency through `remember`, warm
 * recall (topics and --deep), the same recalls again with the term columns forgotten (built by
 * the first query of each common word), the bare FTS5 query on the same search.db in the same
 * run (the floor, interleaved with recall), index render, reindex, RSS and disk; then whole processes
 * (`mnemo --help`, `mnemo recall`, a hook) side by side with `node -e 0`, and `mnemo mcp` to its
 * answer to `initialize`.
 *   npx tsx bench/scale.ts                         1k and 10k topics
 *   SCALE_SIZES=1000,10000,100000 npx tsx bench/scale.ts   also 100k (minutes)
 *   SCALE_LOAD=remember|recorded|files ...         how the bulk is loaded (default: remember up to 10k, recorded above):
 *       remember  every topic through `remember` (a memory written through mnemo; ~40 ms a topic)
 *       recorded  written as files, reindexed, and their hashes recorded in the integrity manifest
 *                 (what mnemo's writes leave for recall: the guard does not scan them), fast
 *       files     written as files and reindexed only: a hand-written memory (the guard scans candidates)
 *   SCALE_TURNS=10000 ...                          transcript turns per size (default 10k; 1000000 for the 1M row)
 *   SCALE_COLD=0 ...                               leave out the whole-process rows
 *   SCALE_DEEP=100 ...                             how many --deep recalls are timed (fewer for the 1M-turn row)
 *   SCALE_PEER=1 ...                               also @modelcontextprotocol/server-memory side by side over MCP (bench/scale-peer.ts)
 * Cold-process rows need `npm run build` (dist/cli/main.js); they are skipped with a note otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { initMemory, openMemory, type Memory } from '../src/index.js';
import { TOPIC_FIELD_WEIGHTS, ftsQuery, queryTerms } from '../src/retrieval/index.js';
import { recordInManifest } from '../src/discipline/index.js';
import { loadavg } from 'node:os';
import { formatMs, machineLine, markdownTable, percentile, seededRandom } from './bench-utils.js';
import { ScaleText, type BenchTopic } from './scale-text.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const FIXED_NOW = '2026-06-01T12:00:00Z';

export type ScaleLoad = 'remember' | 'recorded' | 'files';

export interface ScaleRow {
  topics: number;
  load: ScaleLoad;
  loadS: number;
  turns: number;
  /** Seconds to log the turns, and for the first `--deep` recall to index them. */
  turnsLogS: number;
  turnsIndexS: number;
  /** The machine's 1-minute load average at the start and the end of the row. */
  loadAverage: [number, number];
  writeP50: number;
  writeP95: number;
  recall: number[];
  /** The same recalls in a fresh process's memory with the saved term columns forgotten: each common word's column is built by its first query. */
  recallFirstUse: number[];
  floor: number[];
  deep: number[];
  renderMs: number;
  reindexMs: number;
  rssMiB: number;
  diskMiB: number;
  dbMiB: number;
  coldRecallMs: number | undefined;
  coldNodeMs: number | undefined;
}

function folderBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** The floor: the bare FTS5 query recall's search starts from, on the same database. */
function floorQuery(db: Database.Database): (query: string) => void {
  const { name, description, tags, body } = TOPIC_FIELD_WEIGHTS;
  const statement = db.prepare(
    `SELECT rowid, bm25(topics_fts, ${name}, ${description}, ${tags}, ${body}) AS rank FROM topics_fts WHERE topics_fts MATCH ? ORDER BY rank LIMIT 20`,
  );
  return (query) => {
    const match = ftsQuery(queryTerms(query));
    if (match !== undefined) statement.all(match);
  };
}

async function loadTopics(
  memory: Memory,
  dir: string,
  text: ScaleText,
  count: number,
  mode: ScaleLoad,
): Promise<{ topics: BenchTopic[]; writes: number[] }> {
  const topics: BenchTopic[] = [];
  const writes: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const topic = text.topic(index);
    topics.push(topic);
    if (mode === 'remember') {
      writes.push(await timed(() => memory.remember({ ...topic, slug: `t-${index}` })));
    } else {
      const frontmatter = `---\nname: ${JSON.stringify(topic.name)}\ndescription: ${JSON.stringify(topic.description)}\ntype: ${topic.type}\ntags: [${topic.tags.join(', ')}]\nstatus: active\n---\n`;
      await writeFile(join(dir, `t-${index}.md`), `${frontmatter}${topic.body}\n`);
    }
  }
  if (mode !== 'remember') await memory.reindex();
  // As mnemo's own writes leave them: each file's hash in the integrity manifest.
  if (mode === 'recorded')
    await recordInManifest(
      dir,
      topics.map((_, index) => `t-${index}`),
    );
  return { topics, writes };
}

async function logTurns(memory: Memory, text: ScaleText, turns: number): Promise<void> {
  const perSession = 500;
  for (let session = 0; session * perSession < turns; session += 1) {
    const events = Array.from({ length: Math.min(perSession, turns - session * perSession) }, (_, at) => ({
      kind: at % 2 === 0 ? 'user' : 'assistant',
      speaker: at % 2 === 0 ? 'Ana' : 'Bo',
      text: text.turn(),
    }));
    await memory.log(`s-${session}`, events);
  }
}

/** Median wall time of `command` and of `node -e 0`, spawned alternately. */
export async function coldPair(args: readonly string[], runs = 7, input?: string): Promise<{ command: number; node: number }> {
  const run = (argv: readonly string[]) =>
    new Promise<number>((done, fail) => {
      const started = performance.now();
      const child = spawn(process.execPath, [...argv], {
        stdio: ['pipe', 'ignore', 'ignore'],
        env: { ...process.env, MNEMO_NOW: FIXED_NOW },
      });
      child.on('error', fail);
      child.on('exit', () => done(performance.now() - started));
      child.stdin.end(input ?? '');
    });
  const command: number[] = [];
  const node: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    node.push(await run(['-e', '0']));
    command.push(await run(args));
  }
  return { command: percentile(command, 50), node: percentile(node, 50) };
}

export async function runScaleRow(size: number, options: { load?: ScaleLoad; turns?: number } = {}): Promise<ScaleRow> {
  const random = seededRandom(size + 13);
  const text = new ScaleText(random);
  const cwd = await mkdtemp(join(tmpdir(), 'mnemo-scale-'));
  const dir = join(cwd, 'm');
  const load = options.load ?? (size > 10_000 ? 'recorded' : 'remember');
  const turns = options.turns ?? 10_000;
  const loadAtStart = loadavg()[0] as number;
  try {
    await initMemory({ dir, cwd });
    const memory = await openMemory({ dir, cwd, config: { logLevel: 'silent' }, env: { MNEMO_NOW: FIXED_NOW } });
    const started = performance.now();
    const { topics } = await loadTopics(memory, dir, text, size, load);
    const loadS = (performance.now() - started) / 1000;
    const turnsStarted = performance.now();
    await logTurns(memory, text, turns);
    const turnsLogS = (performance.now() - turnsStarted) / 1000;
    // Write latency at this size: 200 more topics through `remember`.
    const writes: number[] = [];
    for (let index = 0; index < 200; index += 1) {
      const topic = text.topic(size + index);
      topics.push(topic);
      writes.push(await timed(() => memory.remember({ ...topic, slug: `t-${size + index}` })));
    }
    // The first --deep recall indexes the turns.
    const turnsIndexS = (await timed(() => memory.recall('staging deploy', { deep: true }))) / 1000;
    const db = new Database(join(dir, '.state', 'search.db'), { readonly: true });
    const floor = floorQuery(db);
    const queries = Array.from({ length: 300 }, () => text.query(topics));
    for (const query of queries.slice(0, 20)) await memory.recall(query); // warm up
    const recall: number[] = [];
    const floors: number[] = [];
    for (const query of queries) {
      recall.push(await timed(() => memory.recall(query)));
      const begin = performance.now();
      floor(query);
      floors.push(performance.now() - begin);
    }
    // Again with the term columns forgotten (as after 1,000 writes, or in a memory never
    // reindexed), through a second Memory (its own connection, nothing kept in it yet).
    const forget = new Database(join(dir, '.state', 'search.db'));
    forget.exec('DELETE FROM topics_fts_columns; DELETE FROM topics_fts_lengths');
    forget.close();
    const fresh = await openMemory({ dir, cwd, config: { logLevel: 'silent' }, env: { MNEMO_NOW: FIXED_NOW } });
    const recallFirstUse: number[] = [];
    for (const query of queries) recallFirstUse.push(await timed(() => fresh.recall(query)));
    fresh.close();
    const deep: number[] = [];
    for (const query of queries.slice(0, Number(process.env.SCALE_DEEP ?? '100')))
      deep.push(await timed(() => memory.recall(query, { deep: true })));
    db.close();
    const renderMs = percentile([await timed(() => memory.renderIndex()), await timed(() => memory.renderIndex())], 50);
    const reindexMs = await timed(() => memory.reindex());
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    memory.close();
    const dbMiB = statSync(join(dir, '.state', 'search.db')).size / 2 ** 20;
    const diskMiB = folderBytes(dir) / 2 ** 20;
    let cold: { command: number; node: number } | undefined;
    if (existsSync(CLI) && process.env.SCALE_COLD !== '0') cold = await coldPair([CLI, 'recall', queries[0] as string, '--dir', dir], 5);
    return {
      topics: size,
      load,
      loadS,
      turns,
      turnsLogS,
      turnsIndexS,
      loadAverage: [loadAtStart, loadavg()[0] as number],
      writeP50: percentile(writes, 50),
      writeP95: percentile(writes, 95),
      recall,
      recallFirstUse,
      floor: floors,
      deep,
      renderMs,
      reindexMs,
      rssMiB,
      diskMiB,
      dbMiB,
      coldRecallMs: cold?.command,
      coldNodeMs: cold?.node,
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

const ratio = (value: number, base: number) => `${(value / base).toFixed(1)}×`;

export function formatScaleRows(rows: readonly ScaleRow[]): string {
  const recallTable = markdownTable(
    [
      'topics',
      'recall p50 / p95 / p99',
      'columns built on first use: p50 / p95',
      'FTS5 floor p50 / p95',
      'ratio p50 / p95',
      '--deep p50 / p95',
      'remember p50 / p95',
      'load average',
    ],
    rows.map((row) => {
      const [r50, r95, r99] = [50, 95, 99].map((p) => percentile(row.recall, p));
      const [f50, f95] = [50, 95].map((p) => percentile(row.floor, p));
      return [
        row.topics.toLocaleString('en-US'),
        `${formatMs(r50 as number)} / ${formatMs(r95 as number)} / ${formatMs(r99 as number)}`,
        `${formatMs(percentile(row.recallFirstUse, 50))} / ${formatMs(percentile(row.recallFirstUse, 95))}`,
        `${formatMs(f50 as number)} / ${formatMs(f95 as number)}`,
        `${ratio(r50 as number, f50 as number)} / ${ratio(r95 as number, f95 as number)}`,
        `${formatMs(percentile(row.deep, 50))} / ${formatMs(percentile(row.deep, 95))}`,
        `${formatMs(row.writeP50)} / ${formatMs(row.writeP95)}`,
        `${row.loadAverage[0].toFixed(1)} → ${row.loadAverage[1].toFixed(1)}`,
      ];
    }),
  );
  const sizeTable = markdownTable(
    [
      'topics',
      'loaded by',
      'load',
      'turns: log / index',
      'render MEMORY.md',
      'reindex',
      'cold `mnemo recall` / `node -e 0`',
      'RSS',
      'disk (of it search.db)',
    ],
    rows.map((row) => [
      row.topics.toLocaleString('en-US'),
      row.load,
      `${row.loadS.toFixed(1)} s`,
      `${row.turns.toLocaleString('en-US')}: ${row.turnsLogS.toFixed(1)} s / ${row.turnsIndexS.toFixed(1)} s`,
      formatMs(row.renderMs),
      formatMs(row.reindexMs),
      row.coldRecallMs === undefined || row.coldNodeMs === undefined
        ? process.env.SCALE_COLD === '0'
          ? 'not run (SCALE_COLD=0)'
          : 'no dist/ (npm run build)'
        : `${formatMs(row.coldRecallMs)} / ${formatMs(row.coldNodeMs)} (${ratio(row.coldRecallMs, row.coldNodeMs)})`,
      `${row.rssMiB.toFixed(0)} MiB`,
      `${row.diskMiB.toFixed(1)} MiB (${row.dbMiB.toFixed(1)} MiB)`,
    ]),
  );
  return `${recallTable}\n\n${sizeTable}`;
}

/** `mnemo mcp` over stdio: wall time from spawn to the answer to `initialize`. */
export async function mcpInitializeMs(dir: string): Promise<number> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'mcp', '--dir', dir], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.on('error', fail);
    const timer = setTimeout(() => {
      child.kill();
      done(Number.NaN);
    }, 20_000);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('"id":1')) {
        clearTimeout(timer);
        done(performance.now() - started);
        child.kill();
      }
    });
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'scale-bench', version: '0' } },
    };
    child.stdin.write(`${JSON.stringify(initialize)}\n`);
  });
}

/** Whole processes against a small memory: help, recall, a hook, and MCP initialize. */
export async function runColdStart(): Promise<string> {
  if (!existsSync(CLI)) return 'Cold-start rows skipped: no dist/cli/main.js (run `npm run build`).';
  const cwd = await mkdtemp(join(tmpdir(), 'mnemo-cold-'));
  const dir = join(cwd, 'm');
  try {
    spawnSync(process.execPath, [CLI, 'init', '--dir', dir], { cwd });
    const remember = ['remember', 'Staging switches with npm run deploy:check.', '--name', 'Staging deploys are blue-green'];
    spawnSync(process.execPath, [CLI, ...remember, '--description', 'how staging deploys', '--type', 'project', '--dir', dir], { cwd });
    const hookInput = JSON.stringify({ session_id: 'bench', cwd, hook_event_name: 'SessionStart' });
    const rows: string[][] = [];
    for (const [label, args, input] of [
      ['`mnemo --help`', [CLI, '--help'], undefined],
      ['`mnemo recall staging`', [CLI, 'recall', 'staging deploy', '--dir', dir], undefined],
      ['`mnemo hook session-start`', [CLI, 'hook', 'session-start', '--dir', dir], hookInput],
    ] as const) {
      const pair = await coldPair(args, 7, input);
      rows.push([label, formatMs(pair.command), formatMs(pair.node), ratio(pair.command, pair.node)]);
    }
    const mcp: number[] = [];
    const node: number[] = [];
    for (let index = 0; index < 7; index += 1) {
      node.push((await coldPair(['-e', '0'], 1)).node);
      mcp.push(await mcpInitializeMs(dir));
    }
    const [mcp50, node50] = [percentile(mcp, 50), percentile(node, 50)];
    rows.push(['`mnemo mcp` to its `initialize` answer', formatMs(mcp50), formatMs(node50), ratio(mcp50, node50)]);
    return markdownTable(['process', 'median wall time', '`node -e 0` (same run)', 'ratio'], rows);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export async function runScaleBench(): Promise<string> {
  const sizes = (process.env.SCALE_SIZES ?? '1000,10000').split(',').map(Number);
  const asked = process.env.SCALE_LOAD;
  const load = asked === 'files' || asked === 'recorded' || asked === 'remember' ? asked : undefined;
  const turns = process.env.SCALE_TURNS === undefined ? undefined : Number(process.env.SCALE_TURNS);
  const rows: ScaleRow[] = [];
  for (const size of sizes) {
    rows.push(await runScaleRow(size, { ...(load ? { load } : {}), ...(turns === undefined ? {} : { turns }) }));
    process.stderr.write(`scale: ${size} topics done\n${formatScaleRows(rows.slice(-1))}\n`);
  }
  const peer = process.env.SCALE_PEER === '1' ? `\n\n${await (await import('./scale-peer.js')).runPeerBench()}` : '';
  return `${formatScaleRows(rows)}\n\n${process.env.SCALE_COLD === '0' ? '' : await runColdStart()}${peer}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`## Scale\n${machineLine()}\n\n${await runScaleBench()}\n`);
}
