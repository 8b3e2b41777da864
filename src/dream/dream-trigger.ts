import type { DreamConfig } from '../config/index.js';
import { HOUR_MS, isLockStale, readLockOwner, type Clock, type LockOwner } from '../shared/index.js';
import { activitySince } from './activity.js';
import { dreamLockPath, readLastDream } from './dream-files.js';

/** Whether a dream is due, and why (or why not). */
export interface DreamDue {
  due: boolean;
  /** One sentence per reason: what triggered it, or what is missing. */
  reasons: string[];
  lastDream: { id: string; time: string } | undefined;
  /** Sessions with activity since the last dream. */
  sessionsSince: number;
  /** Newest activity (transcript event or audit line by a person or agent). */
  lastActivity: string | undefined;
  /** Hours since that activity. */
  idleHours: number | undefined;
  /** The process holding the dream lock, when one is dreaming now. */
  running: LockOwner | undefined;
}

function hours(value: number): string {
  return value >= 10 ? `${Math.round(value)} h` : `${value.toFixed(1)} h`;
}

/**
 * The dream trigger, cheap enough for every command: due when no other dream runs and either
 * (a) something happened since the last dream and nothing for `idleHours` (24 h), or (b)
 * `sessions` (5) sessions had activity since the last dream. Time comes from `clock` and from
 * the times written in transcripts and the audit trail, never from file times.
 */
export async function checkDreamDue(root: string, config: DreamConfig, clock: Clock): Promise<DreamDue> {
  const now = clock.now();
  const last = await readLastDream(root);
  const owner = await readLockOwner(dreamLockPath(root));
  const running = owner && !isLockStale(owner, config.lockStaleHours * HOUR_MS, clock) ? owner : undefined;
  const activity = await activitySince(root, last);
  const idleHours = activity.lastActivity === undefined ? undefined : (now.getTime() - Date.parse(activity.lastActivity)) / HOUR_MS;
  const happened = activity.sessions.length > 0 || activity.auditLines > 0;
  const reasons: string[] = [];
  const since = last ? 'since the last dream' : 'so far (never dreamed)';
  const idleDue = happened && idleHours !== undefined && idleHours >= config.idleHours;
  const sessionsDue = activity.sessions.length >= config.sessions;
  if (idleDue) reasons.push(`${hours(idleHours)} without activity (≥ ${config.idleHours} h) after work ${since}`);
  if (sessionsDue) reasons.push(`${activity.sessions.length} session(s) ${since} (≥ ${config.sessions})`);
  if (!idleDue && !sessionsDue) {
    if (!happened) reasons.push(`nothing happened ${since}`);
    else {
      reasons.push(
        `${idleHours === undefined ? 'no activity time known' : `${hours(Math.max(0, idleHours))} since the last activity (< ${config.idleHours} h)`} and ${activity.sessions.length} session(s) ${since} (< ${config.sessions})`,
      );
    }
  }
  if (running) reasons.push(`another dream is running (process ${running.pid}, since ${running.acquiredAt})`);
  return {
    due: (idleDue || sessionsDue) && running === undefined,
    reasons,
    lastDream: last ? { id: last.id, time: last.time } : undefined,
    sessionsSince: activity.sessions.length,
    lastActivity: activity.lastActivity,
    idleHours,
    running,
  };
}
