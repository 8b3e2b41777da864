/*
 * The merge threshold of dream, measured: precision and recall of topic similarity on the
 * hand-labelled pairs of bench/dream-pairs.ts, at several thresholds.
 *   npx tsx bench/dream-threshold.ts
 */
import { conflictingFact, jaccard, overlap, topicFeatures, topicSimilarity, type TopicFeatures } from '../src/dream/index.js';
import { markdownTable } from './bench-utils.js';
import { LABELLED_PAIRS } from './dream-pairs.js';

export interface ThresholdRow {
  measure: string;
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Conflict pairs that would be merged (must be 0). */
  conflictsMerged: number;
}

/** The measure dream uses, and the ones it was compared with. */
export const MEASURES: Record<string, (a: TopicFeatures, b: TopicFeatures) => number> = {
  'dream: Jaccard of all content words': topicSimilarity,
  'head Jaccard + body overlap': (a, b) => 0.5 * jaccard(a.head, b.head) + 0.5 * overlap(a.body, b.body),
  'head Jaccard only': (a, b) => jaccard(a.head, b.head),
  'overlap of all words': (a, b) => overlap(a.all, b.all),
};

export function runThresholdStudy(thresholds: readonly number[] = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]): ThresholdRow[] {
  const rows: ThresholdRow[] = [];
  const features = LABELLED_PAIRS.map((pair) => ({
    label: pair.label,
    a: topicFeatures(pair.a),
    b: topicFeatures(pair.b),
    // dream never merges topics that state different values for the same thing (plan-merges)
    vetoed: conflictingFact(pair.a, pair.b) !== undefined,
  }));
  for (const [measure, similarity] of Object.entries(MEASURES)) {
    const scored = features.map((pair) => ({ label: pair.label, score: similarity(pair.a, pair.b), vetoed: pair.vetoed }));
    for (const threshold of thresholds) {
      const predicted = scored.filter((pair) => pair.score >= threshold && !pair.vetoed);
      const conflictsMerged = predicted.filter((pair) => pair.label === 'conflict').length;
      const truePositives = predicted.filter((pair) => pair.label === 'duplicate').length;
      const duplicates = scored.filter((pair) => pair.label === 'duplicate').length;
      const precision = predicted.length === 0 ? 1 : truePositives / predicted.length;
      const recall = truePositives / duplicates;
      rows.push({
        measure,
        threshold,
        precision,
        recall,
        f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
        conflictsMerged,
      });
    }
  }
  return rows;
}

export function formatThresholdStudy(rows: readonly ThresholdRow[], measure?: string): string {
  const shown = measure === undefined ? rows : rows.filter((row) => row.measure === measure);
  const duplicates = LABELLED_PAIRS.filter((pair) => pair.label === 'duplicate').length;
  const conflicts = LABELLED_PAIRS.filter((pair) => pair.label === 'conflict').length;
  return `${LABELLED_PAIRS.length} labelled pairs (${duplicates} duplicates, ${LABELLED_PAIRS.length - duplicates - conflicts} distinct, ${conflicts} conflicts)\n\n${markdownTable(
    ['measure', 'threshold', 'precision', 'recall', 'F1', 'conflicts merged'],
    shown.map((row) => [
      row.measure,
      row.threshold.toFixed(2),
      row.precision.toFixed(2),
      row.recall.toFixed(2),
      row.f1.toFixed(2),
      `${row.conflictsMerged}/${conflicts}`,
    ]),
  )}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatThresholdStudy(runThresholdStudy())}\n`);
}
