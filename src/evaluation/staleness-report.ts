import { formatColumns } from '../shared/index.js';
import { EVIDENCE_OF, FACT_KINDS } from './staleness-claims.js';
import type { StalenessObservation, StalenessRun } from './staleness-harness.js';

/** Counts and rates over a set of observations (one fact at one step). */
export interface StalenessScore {
  observations: number;
  /** Observations where the fact still held. */
  true: number;
  /** Stale (changed or gone) with an unambiguous truth: the denominator of `caughtRate`. */
  stale: number;
  changed: number;
  gone: number;
  caught: number;
  missed: number;
  falseAlarms: number;
  healed: number;
  /** Changed facts (renamed, moved, new version, new value) with an unambiguous new truth. */
  healable: number;
  healedRight: number;
  healedWrong: number;
  /** Stale where git's answer is ambiguous (several definitions, a re-export): listed, not in the rates. */
  ambiguous: number;
  /** caught / stale; undefined without stale facts. */
  caughtRate: number | undefined;
  /** healedRight / healable. */
  healedRightRate: number | undefined;
  /** falseAlarms / true. */
  falseAlarmRate: number | undefined;
}

export interface StalenessReport {
  repo: string;
  from: string;
  to: string;
  step: number;
  seed: number;
  steps: number;
  facts: StalenessRun['facts'];
  overall: StalenessScore;
  /** Per fact kind and evidence mode: `symbol/explicit`, `package/derived`, … */
  byKind: Record<string, StalenessScore & { evidence: string }>;
  /** Per kind of change: renamed, moved, version, value, gone. */
  byChange: Record<string, { stale: number; caught: number; healedRight: number; healedWrong: number }>;
  /** What other systems do: nothing, or an "older than a day" caveat on every fact. */
  baselines: { 'no checks': StalenessScore; 'age caveat after one day': StalenessScore };
  /** Per step, cumulative: for the chart. */
  series: { step: number; commit: string; caught: number; missed: number; falseAlarms: number; healedRight: number }[];
  /** Every miss, false alarm and wrong heal, with what mnemo said: the note's material. */
  problems: StalenessObservation[];
}

function ratio(part: number, whole: number): number | undefined {
  return whole === 0 ? undefined : part / whole;
}

/** Score observations as mnemo did, or as a baseline policy would have. */
export function scoreObservations(
  observations: readonly StalenessObservation[],
  policy: 'mnemo' | 'none' | 'age' = 'mnemo',
): StalenessScore {
  const score = {
    observations: observations.length,
    true: 0,
    stale: 0,
    changed: 0,
    gone: 0,
    caught: 0,
    missed: 0,
    falseAlarms: 0,
    healed: 0,
    healable: 0,
    healedRight: 0,
    healedWrong: 0,
    ambiguous: 0,
  };
  for (const item of observations) {
    const outcome = policy === 'mnemo' ? item.outcome : policy === 'none' ? 'fine' : 'flagged';
    if (item.truth === 'true') {
      score.true += 1;
      if (outcome !== 'fine') score.falseAlarms += 1;
      if (policy === 'mnemo' && item.healed === 'wrong') score.healedWrong += 1;
      continue;
    }
    if (item.ambiguous) {
      score.ambiguous += 1;
      continue;
    }
    score.stale += 1;
    if (item.truth === 'changed') score.changed += 1;
    else score.gone += 1;
    if (outcome === 'fine') score.missed += 1;
    else score.caught += 1;
    if (item.truth === 'changed') score.healable += 1;
    if (policy !== 'mnemo') continue;
    if (outcome === 'healed') score.healed += 1;
    if (item.healed === 'right') score.healedRight += 1;
    if (item.healed === 'wrong') score.healedWrong += 1;
  }
  return {
    ...score,
    caughtRate: ratio(score.caught, score.stale),
    healedRightRate: ratio(score.healedRight, score.healable),
    falseAlarmRate: ratio(score.falseAlarms, score.true),
  };
}

/** The report of a run: overall, per kind and mode, per change, the baselines and the series. */
export function summarizeStalenessRun(run: StalenessRun): StalenessReport {
  const byKind: StalenessReport['byKind'] = {};
  for (const kind of FACT_KINDS) {
    for (const mode of ['explicit', 'derived'] as const) {
      const items = run.observations.filter((item) => item.kind === kind && item.mode === mode);
      if (items.length > 0) byKind[`${kind}/${mode}`] = { evidence: EVIDENCE_OF[kind], ...scoreObservations(items) };
    }
  }
  const byChange: StalenessReport['byChange'] = {};
  for (const item of run.observations) {
    if (item.truth === 'true' || item.ambiguous) continue;
    const key = item.truth === 'gone' ? 'gone' : (item.change ?? 'changed');
    const entry = (byChange[key] ??= { stale: 0, caught: 0, healedRight: 0, healedWrong: 0 });
    entry.stale += 1;
    if (item.result === 'caught') entry.caught += 1;
    if (item.healed === 'right') entry.healedRight += 1;
    if (item.healed === 'wrong') entry.healedWrong += 1;
  }
  const series: StalenessReport['series'] = [];
  const total = { caught: 0, missed: 0, falseAlarms: 0, healedRight: 0 };
  run.commits.forEach((commit, index) => {
    for (const item of run.observations.filter((observation) => observation.step === index + 1)) {
      if (item.result === 'caught' && !item.ambiguous) total.caught += 1;
      if (item.result === 'missed' && !item.ambiguous) total.missed += 1;
      if (item.result === 'false-alarm') total.falseAlarms += 1;
      if (item.healed === 'right') total.healedRight += 1;
    }
    series.push({ step: index + 1, commit, ...total });
  });
  return {
    repo: run.repo,
    from: run.from,
    to: run.to,
    step: run.step,
    seed: run.seed,
    steps: run.commits.length,
    facts: run.facts,
    overall: scoreObservations(run.observations),
    byKind,
    byChange,
    baselines: {
      'no checks': scoreObservations(run.observations, 'none'),
      'age caveat after one day': scoreObservations(run.observations, 'age'),
    },
    series,
    problems: run.observations.filter((item) => item.result === 'missed' || item.result === 'false-alarm' || item.healed === 'wrong'),
  };
}

const percent = (value: number | undefined) => (value === undefined ? '-' : `${(value * 100).toFixed(1)}%`);

/** The score columns of one row. */
export function scoreCells(score: StalenessScore): string[] {
  return [
    String(score.observations),
    String(score.stale),
    `${score.caught} (${percent(score.caughtRate)})`,
    String(score.missed),
    `${score.healedRight}/${score.healable} (${percent(score.healedRightRate)})`,
    String(score.healedWrong),
    `${score.falseAlarms} (${percent(score.falseAlarmRate)})`,
    String(score.ambiguous),
  ];
}

export const SCORE_HEADER = ['checks', 'stale', 'caught', 'missed', 'healed right', 'healed wrong', 'false alarms', 'ambiguous'];

/** The report as plain-text tables, for the terminal. */
export function formatStalenessReport(report: StalenessReport): string {
  const lines: string[] = [
    `Staleness on ${report.repo}: ${report.facts.length} facts written at ${report.from.slice(0, 7)}, ${report.steps} steps (every ${report.step === 1 ? '' : `${report.step}-th `}commit) up to ${report.to.slice(0, 7)}, seed ${report.seed}`,
    '',
  ];
  const rows: string[][] = [['', 'evidence', ...SCORE_HEADER]];
  for (const [name, score] of Object.entries(report.byKind)) rows.push([name, score.evidence, ...scoreCells(score)]);
  rows.push(['mnemo (all)', '', ...scoreCells(report.overall)]);
  for (const [name, score] of Object.entries(report.baselines)) rows.push([`baseline: ${name}`, '', ...scoreCells(score)]);
  lines.push(...formatColumns(rows), '');
  const changes: string[][] = [['change', 'stale', 'caught', 'healed right', 'healed wrong']];
  for (const [name, entry] of Object.entries(report.byChange)) {
    changes.push([name, String(entry.stale), String(entry.caught), String(entry.healedRight), String(entry.healedWrong)]);
  }
  if (changes.length > 1) lines.push(...formatColumns(changes), '');
  if (report.problems.length > 0) {
    lines.push('Missed, false alarms and wrong heals:');
    for (const item of report.problems) {
      const what =
        item.result === 'missed' ? 'missed' : item.result === 'false-alarm' ? 'false alarm' : `healed wrong (${item.healedTo ?? ''})`;
      const truth = item.truth === 'changed' ? `now ${item.now ?? ''}` : item.truth;
      lines.push(
        `  step ${item.step} ${item.commit.slice(0, 7)} ${item.fact} (${item.claim}): ${what}; git: ${truth}${item.ambiguous ? ' (ambiguous)' : ''}; mnemo: ${item.caveats.slice(1).join('; ') || 'no caveat'}`,
      );
    }
  }
  return lines.join('\n');
}
