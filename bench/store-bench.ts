/*
 * Foundation benchmark: index build time and recall latency for 1k and 10k synthetic topics.
 *   npx tsx bench/store-bench.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initMemory, openMemory } from '../src/index.js';
import { formatMs, machineLine, markdownTable, percentile, seededRandom, syntheticVocabulary } from './bench-utils.js';

const TYPES = ['user', 'feedback', 'project', 'reference', 'lesson'] as const;

async function writeSyntheticTopics(dir: string, count: number, vocabulary: string[], random: () => number): Promise<void> {
  const pick = () => vocabulary[Math.floor(random() * vocabulary.length)] as string;
  const words = (n: number) => Array.from({ length: n }, pick).join(' ');
  for (let index = 0; index < count; index += 1) {
    const type = TYPES[index % TYPES.length] as string;
    const body = `${words(40)}.\n\n**Why:** ${words(15)}.\n**How to apply:** ${words(15)}.\n`;
    await writeFile(
      join(dir, `topic-${index}.md`),
      `---\nname: ${words(3)} ${index}\ndescription: ${words(10)}\ntype: ${type}\ntags: [${pick()}, ${pick()}]\n---\n${body}`,
    );
  }
}

export interface StoreBenchRow {
  topics: number;
  buildMs: number;
  renderIndexMs: number;
  syncNoChangeMs: number;
  recallP50: number;
  recallP95: number;
}

export async function runStoreBench(sizes: readonly number[] = [1000, 10_000]): Promise<StoreBenchRow[]> {
  const rows: StoreBenchRow[] = [];
  for (const size of sizes) {
    const random = seededRandom(size);
    const vocabulary = syntheticVocabulary(5000, random);
    const cwd = await mkdtemp(join(tmpdir(), 'mnemo-bench-'));
    const dir = join(cwd, 'm');
    try {
      await initMemory({ dir, cwd });
      await writeSyntheticTopics(dir, size, vocabulary, random);
      const memory = await openMemory({ dir, cwd, config: { logLevel: 'silent' } });
      let started = performance.now();
      await memory.reindex();
      const buildMs = performance.now() - started;
      started = performance.now();
      await memory.renderIndex();
      const renderIndexMs = performance.now() - started;
      started = performance.now();
      await memory.reindex().then(() => undefined);
      const syncs: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        const begin = performance.now();
        await memory.list();
        syncs.push(performance.now() - begin);
      }
      const latencies: number[] = [];
      for (let index = 0; index < 200; index += 1) {
        const query = `${vocabulary[Math.floor(random() * vocabulary.length)]} ${vocabulary[Math.floor(random() * vocabulary.length)]}`;
        const begin = performance.now();
        await memory.recall(query);
        latencies.push(performance.now() - begin);
      }
      memory.close();
      rows.push({
        topics: size,
        buildMs,
        renderIndexMs,
        syncNoChangeMs: percentile(syncs, 50),
        recallP50: percentile(latencies, 50),
        recallP95: percentile(latencies, 95),
      });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }
  return rows;
}

export function formatStoreBench(rows: readonly StoreBenchRow[]): string {
  return markdownTable(
    ['topics', 'index build (reindex)', 'render MEMORY.md', 'list (sync, no change)', 'recall p50', 'recall p95'],
    rows.map((row) => [
      String(row.topics),
      formatMs(row.buildMs),
      formatMs(row.renderIndexMs),
      formatMs(row.syncNoChangeMs),
      formatMs(row.recallP50),
      formatMs(row.recallP95),
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runStoreBench();
  process.stdout.write(`## Store and recall\n${machineLine()}\n\n${formatStoreBench(rows)}\n`);
}
