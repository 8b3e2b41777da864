/*
 * A long session synced often: one transcript grows in batches of 20 turns (about 40 made-up
 * words each, as an agent's tool output might be); after each batch the index is brought up to
 * date (incrementally, as any command does) and a deep recall runs. Reports, at each size, the
 * time of that incremental sync and of the recall.
 *   npx tsx bench/session-bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openMemory } from '../src/index.js';
import { silentLogger } from '../src/shared/index.js';
import { formatMs, markdownTable, percentile, seededRandom, syntheticVocabulary } from './bench-utils.js';

const BATCH = 20;

export interface SessionBenchRow {
  turns: number;
  /** Incremental sync after the last batch (median of the last 10 batches before this size). */
  syncMs: number;
  /** Deep recall within 1,000 tokens at this size (median of the last 10 batches). */
  recallMs: number;
}

export async function runSessionBench(sizes: readonly number[] = [1000, 4000, 16_000]): Promise<SessionBenchRow[]> {
  const random = seededRandom(7);
  const vocabulary = syntheticVocabulary(3000, random);
  const pick = () => vocabulary[Math.floor(random() * vocabulary.length)] as string;
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-session-bench-'));
  const memory = await openMemory({ dir, create: true, logger: silentLogger, cwd: dir, env: {}, config: { writes: 'auto' } });
  const rows: SessionBenchRow[] = [];
  const syncs: number[] = [];
  const recalls: number[] = [];
  try {
    const largest = Math.max(...sizes);
    for (let turns = BATCH; turns <= largest; turns += BATCH) {
      const events = Array.from({ length: BATCH }, () => ({
        kind: 'tool-result' as const,
        text: Array.from({ length: 40 }, pick).join(' '),
      }));
      await memory.log('long-session', events);
      let start = performance.now();
      await memory.list();
      syncs.push(performance.now() - start);
      start = performance.now();
      await memory.recall(`${pick()} ${pick()}`, { deep: true, budgetTokens: 1000 });
      recalls.push(performance.now() - start);
      if (sizes.includes(turns)) {
        rows.push({ turns, syncMs: percentile(syncs.slice(-10), 50), recallMs: percentile(recalls.slice(-10), 50) });
      }
    }
  } finally {
    memory.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatSessionBench(rows: readonly SessionBenchRow[]): string {
  return markdownTable(
    ['turns in the session', 'sync after 20 more turns', 'deep recall (1,000 tokens)'],
    rows.map((row) => [String(row.turns), formatMs(row.syncMs), formatMs(row.recallMs)]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatSessionBench(await runSessionBench())}\n`);
}
