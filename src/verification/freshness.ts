import { stat } from 'node:fs/promises';
import { DAY_MS, HOUR_MS } from '../shared/index.js';
import type { Evidence, EvidenceKind } from '../store/index.js';
import { resolveWorkspacePath } from './workspace-path.js';

export interface FreshnessConfig {
  /** A topic checked within this many hours is not checked again. */
  freshnessHours: number;
  /** Per-kind windows; the shortest window among a topic's kinds applies. */
  freshnessHoursByKind: Record<string, number>;
}

/** A `verified` time further in the future than this is not believed. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** The freshness window, in hours, of a topic with evidence of these kinds. */
export function freshnessWindowHours(kinds: readonly EvidenceKind[], config: FreshnessConfig): number {
  const windows = kinds.map((kind) => config.freshnessHoursByKind[kind] ?? config.freshnessHours);
  return windows.length === 0 ? config.freshnessHours : Math.min(...windows);
}

/**
 * True when a topic's evidence should be checked now: never verified (or an unreadable time),
 * verified longer ago than the shortest window of its kinds, a window of 0, or a `verified` time
 * more than five minutes in the future.
 */
export function isDue(lastVerified: string | undefined, kinds: readonly EvidenceKind[], now: Date, config: FreshnessConfig): boolean {
  const verified = parseTime(lastVerified);
  if (verified === undefined) return true;
  const age = now.getTime() - verified;
  if (age < -FUTURE_TOLERANCE_MS) return true;
  const windowMs = freshnessWindowHours(kinds, config) * HOUR_MS;
  return windowMs <= 0 || age >= windowMs;
}

/**
 * The size and modification time of each file that `file` evidence names (`"<mtimeMs>:<size>"`,
 * or `missing`), keyed by the path as written. Kept with each check, so a file edited since then
 * is checked again on use whatever the freshness window (a file check costs microseconds).
 */
export async function evidenceFileStamps(evidence: readonly Evidence[], workspace: string): Promise<Record<string, string>> {
  const stamps: Record<string, string> = {};
  for (const item of evidence) {
    if (item.kind !== 'file' || item.path in stamps) continue;
    const resolved = await resolveWorkspacePath(workspace, item.path);
    if (!resolved.ok) continue;
    const found = await stat(resolved.absolute).catch(() => undefined);
    stamps[item.path] = found ? `${found.mtimeMs}:${found.size}` : 'missing';
  }
  return stamps;
}

/** Whether a file named by evidence changed since the stamps kept with the last check (none kept: no). */
export function filesChangedSince(recorded: Readonly<Record<string, string>> | undefined, current: Readonly<Record<string, string>>): boolean {
  if (recorded === undefined) return false;
  return Object.entries(current).some(([path, stamp]) => recorded[path] !== stamp);
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** "just now", "5 minutes ago", "3 hours ago", "47 days ago", "4 months ago", "2 years ago". */
export function describeElapsed(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  if (ms < 60_000) return 'just now';
  if (ms < HOUR_MS) return `${plural(Math.floor(ms / 60_000), 'minute')} ago`;
  if (ms < DAY_MS) return `${plural(Math.floor(ms / HOUR_MS), 'hour')} ago`;
  const days = Math.floor(ms / DAY_MS);
  if (days < 90) return `${plural(days, 'day')} ago`;
  if (days < 730) return `${plural(Math.floor(days / 30), 'month')} ago`;
  return `${plural(Math.floor(days / 365), 'year')} ago`;
}

/**
 * How old a topic is and when it was last checked, for caveats:
 * "written 47 days ago, checked now", "written 3 hours ago, last checked 2 hours ago",
 * "written 2 days ago, never checked". `written` is the topic's `updated` (or `created`);
 * `checkedAt` is `'now'`, the ISO time of the last check (`verified`), or undefined.
 */
export function describeAge(written: string | undefined, checkedAt: string | undefined, now: Date): string {
  const writtenTime = parseTime(written);
  const writtenText = writtenTime === undefined ? 'written at an unknown time' : `written ${describeElapsed(now.getTime() - writtenTime)}`;
  if (checkedAt === 'now') return `${writtenText}, checked now`;
  const checkedTime = parseTime(checkedAt);
  if (checkedTime === undefined) return `${writtenText}, never checked`;
  return `${writtenText}, last checked ${describeElapsed(now.getTime() - checkedTime)}`;
}
