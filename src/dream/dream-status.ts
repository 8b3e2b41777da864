import { existsSync } from 'node:fs';
import type { DreamConfig } from '../config/index.js';
import type { Clock } from '../shared/index.js';
import { listDreamRecords, reportFile, statePath, type DreamRecord } from './dream-files.js';
import type { DreamActionKind } from './dream-plan.js';
import { checkDreamDue, type DreamDue } from './dream-trigger.js';

/** One past dream, as `dream status` lists it. */
export interface DreamSummary {
  id: string;
  time: string;
  status: DreamRecord['status'];
  trigger: string[];
  counts: Partial<Record<DreamActionKind, number>>;
  /** Topics it changed. */
  changed: number;
  skipped: number;
  /** Absolute path of its report; undefined when the report is missing. */
  report: string | undefined;
  rolledBack: string | undefined;
}

export interface DreamStatus {
  last: DreamSummary | undefined;
  due: DreamDue;
  /** The most recent dreams, newest first. */
  history: DreamSummary[];
  /** One paragraph for people. */
  text: string;
}

function summarize(root: string, record: DreamRecord): DreamSummary {
  const report = statePath(root, reportFile(record.id));
  return {
    id: record.id,
    time: record.time,
    status: record.status,
    trigger: record.trigger,
    counts: record.counts,
    changed: Object.keys(record.files).length,
    skipped: record.skipped.length,
    report: existsSync(report) ? report : undefined,
    rolledBack: record.rolledBack?.time,
  };
}

function describeCounts(counts: DreamSummary['counts']): string {
  const parts = Object.entries(counts).map(([kind, count]) => `${kind} ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

/** When the last dream ran, what it did, whether one is due and why. */
export async function dreamStatus(root: string, config: DreamConfig, clock: Clock, limit = 5): Promise<DreamStatus> {
  const due = await checkDreamDue(root, config, clock);
  const history = (await listDreamRecords(root)).slice(0, limit).map((record) => summarize(root, record));
  const last = history[0];
  const lines = [
    last
      ? `last dream: ${last.id} at ${last.time} (${last.status}${last.rolledBack ? ` ${last.rolledBack}` : ''}): ${describeCounts(last.counts)}, ${last.changed} topic(s) changed${last.report ? `; report ${last.report}` : ''}`
      : 'last dream: never',
    `due: ${due.due ? 'yes' : 'no'}: ${due.reasons.join('; ')}`,
  ];
  return { last, due, history, text: lines.join('\n') };
}
