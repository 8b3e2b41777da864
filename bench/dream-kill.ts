/*
 * Kill a real dreaming process at random points (default 60 trials) and check the memory after
 * each one (test/helpers/dream-kill-trials.ts): consistent, all before or all after the dream,
 * and the next dream runs. Exit code 1 when any trial fails.
 *   npx tsx bench/dream-kill.ts [trials]
 */
import { runKillTrials, type KillTrial } from '../test/helpers/dream-kill-trials.js';
import { machineLine, markdownTable } from './bench-utils.js';

export interface DreamKillSummary {
  trials: number;
  steps: number;
  killed: number;
  killedBeforeChange: number;
  killedAfterChange: number;
  consistent: number;
  nextDreamOk: number;
  failures: KillTrial[];
}

export async function runDreamKillBench(trials = 60, onTrial?: (trial: KillTrial) => void): Promise<DreamKillSummary> {
  const result = await runKillTrials({ trials, topics: 120, sessions: 12, seed: 5, ...(onTrial ? { onTrial } : {}) });
  const killed = result.trials.filter((trial) => trial.killed);
  return {
    trials: result.trials.length,
    steps: result.steps,
    killed: killed.length,
    killedBeforeChange: killed.filter((trial) => !trial.applied).length,
    killedAfterChange: killed.filter((trial) => trial.applied).length,
    consistent: result.trials.filter((trial) => trial.violations.length === 0).length,
    nextDreamOk: result.trials.filter((trial) => trial.nextDreamOk).length,
    failures: result.trials.filter((trial) => trial.violations.length > 0 || !trial.nextDreamOk),
  };
}

export function formatDreamKillBench(summary: DreamKillSummary): string {
  return markdownTable(
    [
      'trials',
      'steps in a dream',
      'killed',
      'killed before its change',
      'killed after (recovered forward)',
      'consistent after',
      'next dream ran',
    ],
    [
      [
        summary.trials,
        summary.steps,
        summary.killed,
        summary.killedBeforeChange,
        summary.killedAfterChange,
        summary.consistent,
        summary.nextDreamOk,
      ].map(String),
    ],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const trials = Number(process.argv[2] ?? 60);
  const summary = await runDreamKillBench(trials, (trial) =>
    process.stderr.write(
      `trial ${trial.trial}: ${trial.killedAt}, killed ${trial.killed}, applied ${trial.applied}, ${trial.violations.length === 0 ? 'consistent' : trial.violations.join('; ')}\n`,
    ),
  );
  process.stdout.write(`## Dream kill trials\n${machineLine()}\n\n${formatDreamKillBench(summary)}\n`);
  if (summary.failures.length > 0) process.exitCode = 1;
}
