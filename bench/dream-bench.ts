/*
 * Dream time for 100, 1,000 and 10,000 synthetic topics with 100 sessions of transcripts
 * (planted near-duplicates, conflicts, stale and unused topics, relative dates, file evidence,
 * recurring errors with verified fixes; test/helpers/dream-fixtures.ts).
 *   npx tsx bench/dream-bench.ts [sizes…]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createManualClock, initMemory, openMemory } from '../src/index.js';
import { plantDreamMemory } from '../test/helpers/dream-fixtures.js';
import { formatMs, machineLine, markdownTable } from './bench-utils.js';
import { formatThresholdStudy, runThresholdStudy } from './dream-threshold.js';

const NOW = '2026-11-25T10:00:00Z';

export interface DreamBenchRow {
  topics: number;
  sessions: number;
  proposeMs: number;
  dreamMs: number;
  phases: Record<string, number>;
  changes: Record<string, number>;
  secondDreamMs: number;
  rollbackMs: number;
}

export async function runDreamBench(sizes: readonly number[] = [100, 1000, 10_000], sessions = 100): Promise<DreamBenchRow[]> {
  const rows: DreamBenchRow[] = [];
  for (const size of sizes) {
    const cwd = await mkdtemp(join(tmpdir(), 'mnemo-dream-bench-'));
    const dir = join(cwd, 'm');
    try {
      await initMemory({ dir, cwd });
      await plantDreamMemory(dir, cwd, { topics: size, sessions, now: NOW, seed: size });
      const phases: Record<string, number> = {};
      let last = performance.now();
      const memory = await openMemory({
        dir,
        cwd,
        workspace: cwd,
        clock: createManualClock(NOW),
        config: { logLevel: 'silent', index: { maxLines: 200, maxBytes: 25_000, warnRatio: 0.8 } },
        onDreamPhase: (phase) => {
          const at = performance.now();
          phases[phase] = (phases[phase] ?? 0) + (at - last);
          last = at;
        },
      });
      await memory.reindex();
      let started = performance.now();
      await memory.dream({ propose: true });
      const proposeMs = performance.now() - started;
      for (const key of Object.keys(phases)) delete phases[key];
      started = last = performance.now();
      const outcome = await memory.dream();
      const dreamMs = performance.now() - started;
      const phaseTimes = { ...phases };
      started = performance.now();
      await memory.dream();
      const secondDreamMs = performance.now() - started;
      started = performance.now();
      // Roll back the first (big) dream; `force` because the second dream may have touched its topics.
      await memory.rollbackDream(outcome.status === 'applied' ? outcome.id : undefined, { force: true });
      const rollbackMs = performance.now() - started;
      memory.close();
      rows.push({
        topics: size,
        sessions,
        proposeMs,
        dreamMs,
        phases: phaseTimes,
        changes: outcome.status === 'applied' ? outcome.counts : {},
        secondDreamMs,
        rollbackMs,
      });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }
  return rows;
}

export function formatDreamBench(rows: readonly DreamBenchRow[]): string {
  const phase = (row: DreamBenchRow, name: string) => formatMs(row.phases[name] ?? 0);
  const table = markdownTable(
    [
      'topics',
      'sessions',
      'dream (apply)',
      'orient',
      'gather',
      'consolidate',
      'prune',
      're-index',
      'snapshot + commit',
      'propose',
      'next dream',
      'rollback of the first',
      'changes',
    ],
    rows.map((row) => [
      String(row.topics),
      String(row.sessions),
      formatMs(row.dreamMs),
      phase(row, 'orient'),
      phase(row, 'gather'),
      phase(row, 'consolidate'),
      phase(row, 'prune'),
      phase(row, 're-index'),
      formatMs((row.phases['snapshot-written'] ?? 0) + (row.phases.applied ?? 0)),
      formatMs(row.proposeMs),
      formatMs(row.secondDreamMs),
      formatMs(row.rollbackMs),
      Object.entries(row.changes)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', '),
    ]),
  );
  return `${table}\n\nMerge threshold study (bench/dream-threshold.ts):\n\n${formatThresholdStudy(runThresholdStudy(), 'dream: Jaccard of all content words')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((size) => size > 0);
  const rows = await runDreamBench(sizes.length > 0 ? sizes : undefined);
  process.stdout.write(`## Dream\n${machineLine()}\n\n${formatDreamBench(rows)}\n`);
}
