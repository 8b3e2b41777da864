/*
 * mnemo beside the reference MCP memory server (@modelcontextprotocol/server-memory, a knowledge
 * graph in one JSONL file), both as child processes over stdio with the official MCP client, the
 * same seeded topics (bench/scale-text.ts) and the same queries, calls interleaved:
 *   npm run build && SCALE_PEER=1 npx tsx bench/scale.ts       (after the scale rows)
 *   npm run build && npx tsx bench/scale-peer.ts                1k and 10k (PEER_SIZES=1000,10000)
 * mnemo's memory is loaded as files, reindexed and recorded in its manifest (what its own writes
 * leave); the peer's file gets one entity per topic (name, type, observations: description and
 * body). The peer's search_nodes matches the whole query as a substring (no ranking), so it
 * finds little for multi-word queries: its answer counts are shown beside its times.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { initMemory, openMemory } from '../src/index.js';
import { recordInManifest } from '../src/discipline/index.js';
import { formatMs, machineLine, markdownTable, percentile, seededRandom } from './bench-utils.js';
import { ScaleText, type BenchTopic } from './scale-text.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const PEER = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');

interface Side {
  client: Client;
  transport: StdioClientTransport;
  /** Spawn to the end of the MCP handshake. */
  connectMs: number;
}

async function connect(args: string[], env: Record<string, string>): Promise<Side> {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    stderr: 'ignore',
    env: { ...getDefaultEnvironment(), ...env },
  });
  const client = new Client({ name: 'scale-peer-bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, connectMs: performance.now() - started };
}

function structured(result: unknown): Record<string, unknown> {
  return ((result as { structuredContent?: Record<string, unknown> }).structuredContent ?? {});
}

interface SideFigures {
  connectMs: number;
  firstMs: number;
  /** Per query kind: the bench's queries (2–4 words), and the longest word of each. */
  calls: { words: number[]; word: number[] };
  answered: { words: number; word: number };
}

export interface PeerRow {
  topics: number;
  mnemo: SideFigures;
  peer: SideFigures;
  loadAverage: [number, number];
}

export async function runPeerRow(size: number, queriesCount = 100): Promise<PeerRow> {
  const text = new ScaleText(seededRandom(size + 13));
  const cwd = await mkdtemp(join(tmpdir(), 'mnemo-peer-'));
  const dir = join(cwd, 'm');
  const loadAtStart = loadavg()[0] as number;
  try {
    await initMemory({ dir, cwd });
    const topics: BenchTopic[] = Array.from({ length: size }, (_, index) => text.topic(index));
    const lines: string[] = [];
    for (const [index, topic] of topics.entries()) {
      const frontmatter = `---\nname: ${JSON.stringify(topic.name)}\ndescription: ${JSON.stringify(topic.description)}\ntype: ${topic.type}\ntags: [${topic.tags.join(', ')}]\nstatus: active\n---\n`;
      await writeFile(join(dir, `t-${index}.md`), `${frontmatter}${topic.body}\n`);
      lines.push(
        JSON.stringify({
          type: 'entity',
          name: `${topic.name} (${index})`,
          entityType: topic.type,
          observations: [topic.description, topic.body],
        }),
      );
    }
    const memory = await openMemory({ dir, cwd, config: { logLevel: 'silent' } });
    await memory.reindex();
    memory.close();
    await recordInManifest(
      dir,
      topics.map((_, index) => `t-${index}`),
    );
    const graphFile = join(cwd, 'peer-memory.jsonl');
    await writeFile(graphFile, `${lines.join('\n')}\n`);
    const queries = Array.from({ length: queriesCount + 1 }, () => text.query(topics));
    const mnemo = await connect([CLI, 'mcp', '--dir', dir], { MNEMO_LOG_LEVEL: 'silent' });
    const peer = await connect([PEER], { MEMORY_FILE_PATH: graphFile });
    try {
      const recallTool = (await mnemo.client.listTools()).tools.find((tool) => /recall/.test(tool.name))?.name;
      if (recallTool === undefined) throw new Error('mnemo mcp has no recall tool');
      const ask = {
        mnemo: (query: string) => mnemo.client.callTool({ name: recallTool, arguments: { query } }),
        peer: (query: string) => peer.client.callTool({ name: 'search_nodes', arguments: { query } }),
      };
      const time = async (call: () => Promise<unknown>) => {
        const started = performance.now();
        const result = await call();
        return { ms: performance.now() - started, result };
      };
      const first = { mnemo: await time(() => ask.mnemo(queries[0] as string)), peer: await time(() => ask.peer(queries[0] as string)) };
      const figures = (connectMs: number, firstMs: number): SideFigures => ({
        connectMs,
        firstMs,
        calls: { words: [], word: [] },
        answered: { words: 0, word: 0 },
      });
      const ours = figures(mnemo.connectMs, first.mnemo.ms);
      const theirs = figures(peer.connectMs, first.peer.ms);
      for (const query of queries.slice(1)) {
        const longest = query.split(' ').reduce((best, word) => (word.length > best.length ? word : best), '');
        for (const [kind, asked] of [
          ['words', query],
          ['word', longest],
        ] as const) {
          const a = await time(() => ask.mnemo(asked));
          const b = await time(() => ask.peer(asked));
          ours.calls[kind].push(a.ms);
          theirs.calls[kind].push(b.ms);
          if (((structured(a.result).topics as unknown[] | undefined)?.length ?? 0) > 0) ours.answered[kind] += 1;
          if (((structured(b.result).entities as unknown[] | undefined)?.length ?? 0) > 0) theirs.answered[kind] += 1;
        }
      }
      return {
        topics: size,
        mnemo: ours,
        peer: theirs,
        loadAverage: [loadAtStart, loadavg()[0] as number],
      };
    } finally {
      await mnemo.client.close();
      await peer.client.close();
    }
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export function formatPeerRows(rows: readonly PeerRow[]): string {
  return markdownTable(
    [
      'topics',
      'server',
      'connect (spawn → initialized)',
      'first call',
      'queries of 2–4 words: p50 / p95',
      'answered',
      'one word: p50 / p95',
      'answered',
      'load average',
    ],
    rows.flatMap((row) =>
      (['mnemo', 'peer'] as const).map((side) => {
        const figures = row[side];
        const times = (values: number[]) => `${formatMs(percentile(values, 50))} / ${formatMs(percentile(values, 95))}`;
        return [
          row.topics.toLocaleString('en-US'),
          side === 'mnemo' ? '`mnemo mcp` recall' : '`server-memory` search_nodes',
          formatMs(figures.connectMs),
          formatMs(figures.firstMs),
          times(figures.calls.words),
          `${figures.answered.words} / ${figures.calls.words.length}`,
          times(figures.calls.word),
          `${figures.answered.word} / ${figures.calls.word.length}`,
          `${row.loadAverage[0].toFixed(1)} → ${row.loadAverage[1].toFixed(1)}`,
        ];
      }),
    ),
  );
}

export async function runPeerBench(): Promise<string> {
  if (!existsSync(CLI)) return 'MCP side by side skipped: no dist/cli/main.js (run `npm run build`).';
  if (!existsSync(PEER)) return 'MCP side by side skipped: @modelcontextprotocol/server-memory is not installed (npm install).';
  const sizes = (process.env.PEER_SIZES ?? '1000,10000').split(',').map(Number);
  const rows: PeerRow[] = [];
  for (const size of sizes) {
    rows.push(await runPeerRow(size));
    process.stderr.write(`peer: ${size} topics done\n`);
  }
  return formatPeerRows(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`## MCP side by side\n${machineLine()}\n\n${await runPeerBench()}\n`);
}
