/*
 * Staleness on the project's own history: mnemo's repository is cloned from its own .git into a
 * temp folder (the checkout it runs in is never touched), facts are written at the first commit
 * and checked at every STALENESS_STEP-th commit (default 2) up to HEAD.
 *   npx tsx bench/staleness.ts
 *   STALENESS_SVG=docs/staleness.svg npx tsx bench/staleness.ts
 *   STALENESS_REPO=/path/to/clone STALENESS_FROM=HEAD~200 STALENESS_STEP=10 npx tsx bench/staleness.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  SCORE_HEADER,
  renderStalenessChart,
  runStalenessBenchmark,
  scoreCells,
  summarizeStalenessRun,
  type StalenessReport,
} from '../src/evaluation/index.js';
import { machineLine, markdownTable } from './bench-utils.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const write = (text: string) => process.stdout.write(`${text}\n`);

/** The per-kind table, mnemo overall and the two baselines, as markdown. */
export function stalenessTable(report: StalenessReport): string {
  const rows: string[][] = Object.entries(report.byKind).map(([name, score]) => [name, score.evidence, ...scoreCells(score)]);
  rows.push(['**mnemo (all)**', '', ...scoreCells(report.overall).map((cell) => `**${cell}**`)]);
  for (const [name, score] of Object.entries(report.baselines)) rows.push([`baseline: ${name}`, '', ...scoreCells(score)]);
  return markdownTable(['facts', 'evidence', ...SCORE_HEADER], rows);
}

/** What was missed, flagged wrongly or healed wrong, one line each. */
export function stalenessProblems(report: StalenessReport): string {
  if (report.problems.length === 0) return 'Nothing was missed, flagged wrongly or healed wrong.';
  return report.problems
    .map((item) => {
      const what =
        item.result === 'missed' ? 'missed' : item.result === 'false-alarm' ? 'false alarm' : `healed wrong to ${item.healedTo ?? '?'}`;
      const truth = item.truth === 'changed' ? `${item.change ?? 'changed'}: now ${item.now ?? '?'}` : item.truth;
      return `- step ${item.step} (${item.commit.slice(0, 7)}) ${item.fact} \`${item.claim}\`: ${what}; git says ${truth}${item.ambiguous ? ' (ambiguous)' : ''}; mnemo said: ${item.caveats.slice(1).join('; ') || 'nothing'}`;
    })
    .join('\n');
}

export async function runStalenessBench(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'mnemo-staleness-bench-'));
  try {
    let repo = process.env.STALENESS_REPO;
    if (repo === undefined) {
      repo = join(temp, 'clone');
      execFileSync('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, repo], { stdio: 'ignore' });
    }
    const started = performance.now();
    const run = await runStalenessBenchmark({
      repo,
      ...(process.env.STALENESS_FROM ? { from: process.env.STALENESS_FROM } : {}),
      step: Number(process.env.STALENESS_STEP ?? 2),
      facts: Number(process.env.STALENESS_FACTS ?? 40),
      seed: Number(process.env.STALENESS_SEED ?? 1),
      onProgress: (message) => process.stderr.write(`${message}\n`),
    });
    const report = summarizeStalenessRun(run);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    write(
      `${report.facts.length} facts written at ${report.from.slice(0, 7)}, ${report.steps} steps up to ${report.to.slice(0, 7)} (every ${report.step}. commit), seed ${report.seed}; ${seconds} s on ${machineLine()}\n`,
    );
    write(stalenessTable(report));
    write('');
    write(stalenessProblems(report));
    write('');
    if (process.env.STALENESS_SVG) {
      const file = resolve(REPO_ROOT, process.env.STALENESS_SVG);
      await writeFile(file, renderStalenessChart(report), 'utf8');
      write(`Chart written to ${file}\n`);
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runStalenessBench();
}
