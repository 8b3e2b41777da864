import { join } from 'node:path';
import { appendJsonLines, readJsonLines, rootPaths, type EvidenceKind, type TopicStatus } from '../store/index.js';

/** One check of a topic's evidence, kept in `.state/verdicts/<slug>.jsonl`. */
export interface VerdictRecord {
  time: string;
  /** confirmed | contradicted | unverifiable, or `healed` when a mechanical heal followed. */
  status: 'confirmed' | 'contradicted' | 'unverifiable' | 'healed';
  /** The one-line summary shown by recall and `mnemo show`. */
  summary: string;
  items: { kind: EvidenceKind; status: string; detail: string }[];
  /** The topic's status after the check. */
  topicStatus: TopicStatus;
  /** Size and mtime of the files its `file` evidence names, at the check (see evidenceFileStamps). */
  files?: Record<string, string>;
}

function historyPath(root: string, slug: string): string {
  return join(rootPaths(root).state, 'verdicts', `${slug}.jsonl`);
}

export async function appendVerdict(root: string, slug: string, record: VerdictRecord): Promise<void> {
  await appendJsonLines(historyPath(root, slug), [record]);
}

/** The checks of a topic, newest last (at most `limit`, the most recent ones). */
export async function readVerdicts(root: string, slug: string, limit = 20): Promise<VerdictRecord[]> {
  const { lines } = await readJsonLines(historyPath(root, slug));
  return lines.map((line) => line.value as VerdictRecord).slice(-limit);
}
