import { rootPaths } from './memory-root.js';
import { appendJsonLines, readJsonLines } from './jsonl-file.js';

/** One change to the memory: what, why, by whom. */
export interface AuditEntry {
  time: string;
  /** Noun-verb: `topic-created`, `topic-updated`, `topic-forgotten`, `index-rendered`, ... */
  action: string;
  slug?: string | undefined;
  id?: string | undefined;
  reason?: string | undefined;
  /** user, agent, dream, ... */
  actor?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

export async function appendAudit(root: string, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
  await appendJsonLines(rootPaths(root).audit, Array.isArray(entries) ? entries : [entries]);
}

/** The audit trail, oldest first; unreadable lines are skipped. */
export async function readAudit(root: string): Promise<AuditEntry[]> {
  const { lines } = await readJsonLines(rootPaths(root).audit);
  return lines.map((line) => line.value as AuditEntry).filter((entry) => typeof entry?.action === 'string');
}
