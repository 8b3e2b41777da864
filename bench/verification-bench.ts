/*
 * Cost of checks on use: recall latency when the returned topics' evidence is due (checked, and
 * `verified` written) against the same recall when it is fresh (not checked).
 *   npx tsx bench/verification-bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createManualClock, openMemory } from '../src/index.js';
import { formatMs, machineLine, markdownTable, percentile } from './bench-utils.js';

export interface VerificationBenchRow {
  topics: number;
  freshP50: number;
  freshP95: number;
  dueP50: number;
  dueP95: number;
}

const RUNS = 25;

async function measure(count: number): Promise<VerificationBenchRow> {
  const repo = await mkdtemp(join(tmpdir(), 'mnemo-bench-verify-'));
  try {
    await mkdir(join(repo, 'src'), { recursive: true });
    for (let index = 0; index < count; index += 1) {
      await writeFile(
        join(repo, 'src', `service-${index}.ts`),
        `export function startService${index}() {\n  return 'port ${8000 + index}';\n}\n`,
      );
    }
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const clock = createManualClock('2026-11-01T00:00:00Z');
    const memory = await openMemory({
      dir: join(repo, '.mnemo'),
      create: true,
      cwd: repo,
      clock,
      config: { logLevel: 'silent', recall: { limit: count, topicBytes: 4096, callBytes: 200_000, sessionBytes: 10_000_000 } },
    });
    for (let index = 0; index < count; index += 1) {
      await memory.remember({
        name: `Service ${index} deploy`,
        description: `how service ${index} deploys`,
        type: 'project',
        body: `Service ${index} deploy listens on port ${8000 + index}.`,
        evidence: [
          { kind: 'file', path: `src/service-${index}.ts`, contains: `port ${8000 + index}` },
          { kind: 'symbol', name: `startService${index}`, glob: 'src/**/*.ts' },
        ],
      });
    }
    await memory.recall('service deploy');
    const fresh: number[] = [];
    const due: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      let started = performance.now();
      const freshResult = await memory.recall('service deploy');
      fresh.push(performance.now() - started);
      if (freshResult.topics.length !== count) throw new Error(`expected ${count} topics, got ${freshResult.topics.length}`);
      clock.advance(25 * 3_600_000);
      started = performance.now();
      await memory.recall('service deploy');
      due.push(performance.now() - started);
    }
    memory.close();
    return {
      topics: count,
      freshP50: percentile(fresh, 50),
      freshP95: percentile(fresh, 95),
      dueP50: percentile(due, 50),
      dueP95: percentile(due, 95),
    };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

export async function runVerificationBench(sizes: readonly number[] = [1, 5, 20]): Promise<VerificationBenchRow[]> {
  const rows: VerificationBenchRow[] = [];
  for (const size of sizes) rows.push(await measure(size));
  return rows;
}

export function formatVerificationBench(rows: readonly VerificationBenchRow[]): string {
  return markdownTable(
    ['topics with evidence (2 items each)', 'recall, fresh p50 / p95', 'recall, due p50 / p95', 'added by checks p50 / p95'],
    rows.map((row) => [
      String(row.topics),
      `${formatMs(row.freshP50)} / ${formatMs(row.freshP95)}`,
      `${formatMs(row.dueP50)} / ${formatMs(row.dueP95)}`,
      `${formatMs(row.dueP50 - row.freshP50)} / ${formatMs(row.dueP95 - row.freshP95)}`,
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runVerificationBench();
  process.stdout.write(`## Checks on use\n${machineLine()}\n\n${formatVerificationBench(rows)}\n`);
}
