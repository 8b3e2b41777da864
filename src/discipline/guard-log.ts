import { join } from 'node:path';
import { appendJsonLines, readJsonLines, rootPaths } from '../store/index.js';

/** What the guard did, counted for `status` (never the content itself). */
export interface GuardEvent {
  time: string;
  action: 'redacted' | 'quarantined' | 'approved' | 'rejected' | 'withheld' | 'flagged';
  /** Where: topic, staging, transcript, audit, … */
  where: string;
  count: number;
  /** Secret rules or scan rules involved. */
  rules?: string[];
}

function guardLogPath(root: string): string {
  return join(rootPaths(root).state, 'guard.jsonl');
}

export async function recordGuardEvent(root: string, event: GuardEvent): Promise<void> {
  if (event.count <= 0) return;
  await appendJsonLines(guardLogPath(root), [event]);
}

/** Totals per action, for `status`. */
export async function guardTotals(root: string): Promise<Record<GuardEvent['action'], number>> {
  const totals = { redacted: 0, quarantined: 0, approved: 0, rejected: 0, withheld: 0, flagged: 0 };
  const { lines } = await readJsonLines(guardLogPath(root));
  for (const { value } of lines) {
    const event = value as Partial<GuardEvent>;
    if (event.action && event.action in totals && typeof event.count === 'number') totals[event.action] += event.count;
  }
  return totals;
}
