import { open } from 'node:fs/promises';
import { errnoCode } from '../shared/index.js';
import { listSessionFiles, rootPaths, type SessionFile } from '../store/index.js';
import type { LastDream } from './dream-files.js';

/** Actors whose audit lines are mnemo's own upkeep, not somebody working. */
const UPKEEP_ACTORS = new Set(['dream', 'dream-rollback', 'verification']);

/** Activity since the last dream, found cheaply (a stat per session file, a few tail reads). */
export interface ActivitySince {
  /** Session files that are new or grew since the last dream. */
  sessions: SessionFile[];
  /** The sizes of all session files now (what the next dream records). */
  sizes: Record<string, number>;
  /** Audit lines by people or agents since the last dream. */
  auditLines: number;
  /** The size of audit.jsonl now. */
  auditSize: number;
  /** The newest activity time known (since the last dream, else what it had seen). */
  lastActivity: string | undefined;
}

/** Read `length` bytes from `position` (fewer at the end of the file); empty for a missing file. */
async function readRange(path: string, position: number, length: number): Promise<{ text: string; size: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { text: '', size: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, Math.min(position, size));
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - start)));
    await handle.read(buffer, 0, buffer.length, start);
    return { text: buffer.toString('utf8'), size };
  } finally {
    await handle.close();
  }
}

function timesOf(lines: readonly string[], keep: (value: Record<string, unknown>) => boolean): string[] {
  const times: string[] = [];
  for (const line of lines) {
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      if (typeof value.time === 'string' && !Number.isNaN(Date.parse(value.time)) && keep(value)) times.push(value.time);
    } catch {
      // a partial or bad line is not activity
    }
  }
  return times;
}

/** The time of the newest event in a transcript: its last complete lines only. */
async function lastEventTime(file: SessionFile): Promise<string | undefined> {
  const start = Math.max(0, file.size - 16_384);
  const { text } = await readRange(file.path, start, 16_384);
  const lines = text.split('\n').slice(start > 0 ? 1 : 0);
  return timesOf(lines.slice(-20), () => true)
    .sort()
    .at(-1);
}

function newest(times: readonly (string | undefined)[]): string | undefined {
  return times
    .filter((time): time is string => time !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
}

/**
 * What happened since the last dream: sessions that are new or grew (transcripts are
 * append-only, so the sizes the last dream recorded tell), and audit lines written by people or
 * agents (not by dream or verification). Reads only the tails of the files that changed.
 */
export async function activitySince(root: string, last: LastDream | undefined): Promise<ActivitySince> {
  const files = await listSessionFiles(root);
  const sizes = Object.fromEntries(files.map((file) => [file.name, file.size]));
  const sessions = files.filter((file) => last?.sessions[file.name] !== file.size);
  const sessionTimes = await Promise.all(sessions.map(lastEventTime));
  let auditOffset = last?.auditOffset ?? 0;
  let audit = await readRange(rootPaths(root).audit, auditOffset, 4 * 1024 * 1024);
  if (audit.size < auditOffset) {
    // The trail was replaced since the last dream: read it from the start.
    auditOffset = 0;
    audit = await readRange(rootPaths(root).audit, 0, 4 * 1024 * 1024);
  }
  const complete = audit.text.slice(0, audit.text.lastIndexOf('\n') + 1);
  const auditTimes = timesOf(
    complete.split('\n').filter((line) => line.trim() !== ''),
    (value) => typeof value.actor !== 'string' || !UPKEEP_ACTORS.has(value.actor),
  );
  return {
    sessions,
    sizes,
    auditLines: auditTimes.length,
    auditSize: auditOffset + Buffer.byteLength(complete),
    lastActivity: newest([...sessionTimes, ...auditTimes, last?.lastActivity]),
  };
}
