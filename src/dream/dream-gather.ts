import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskStore, readVerdicts, type TaskRecord, type TopicUsage, type UsageLog } from '../discipline/index.js';
import { errnoCode, type Clock } from '../shared/index.js';
import { listSessionFiles, readAudit, readTranscript, rootPaths, type TranscriptEvent } from '../store/index.js';
import { activitySince, type ActivitySince } from './activity.js';
import type { LastDream } from './dream-files.js';

/** A session with activity since the last dream. */
export interface GatheredSession {
  id: string;
  file: string;
  /** Its events since the last dream (text mnemo injected is left out: never extracted again). */
  events: TranscriptEvent[];
}

/** What a dream works from besides the topics. */
export interface DreamGathered {
  last: LastDream | undefined;
  activity: ActivitySince;
  sessions: GatheredSession[];
  /** Session id → time of its first event, for every session (relative dates are resolved from it). */
  sessionStarts: Map<string, string>;
  tasks: TaskRecord[];
  usage: ReadonlyMap<string, TopicUsage>;
  /** Slug → since when it has been suspect (from the audit trail and the verdict history). */
  suspectSince: Map<string, string>;
  /** Transcript events read. */
  events: number;
}

async function firstEvent(path: string): Promise<{ session?: unknown; time?: unknown } | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return end === -1 ? undefined : (JSON.parse(text.slice(0, end)) as { session?: unknown; time?: unknown });
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Since when each suspect topic has been suspect: the last transition to suspect. */
async function suspectTimes(root: string): Promise<Map<string, string>> {
  const since = new Map<string, string>();
  for (const entry of await readAudit(root)) {
    if (!entry.slug) continue;
    if (entry.action === 'evidence-contradicted') since.set(entry.slug, entry.time);
    if (entry.action === 'evidence-confirmed' || entry.action === 'topic-healed') since.delete(entry.slug);
  }
  let names: string[] = [];
  try {
    names = await readdir(join(rootPaths(root).state, 'verdicts'));
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  for (const name of names.filter((file) => file.endsWith('.jsonl'))) {
    const slug = name.slice(0, -6);
    let start: string | undefined;
    for (const record of await readVerdicts(root, slug, 1000)) {
      if (record.topicStatus === 'suspect') start ??= record.time;
      else start = undefined;
    }
    const known = since.get(slug);
    if (start !== undefined && (known === undefined || start > known)) since.set(slug, start);
  }
  return since;
}

/**
 * Gather: the transcripts since the last dream (only what was appended since it read them),
 * session start times, tasks with their errors and verified fixes, recall hits and the
 * suspect history.
 */
export async function gatherForDream(root: string, clock: Clock, usage: UsageLog, last: LastDream | undefined): Promise<DreamGathered> {
  const activity = await activitySince(root, last);
  const sessions: GatheredSession[] = [];
  let events = 0;
  for (const file of activity.sessions) {
    const offset = last?.sessions[file.name] ?? 0;
    const read = await readTranscript(file.path, offset > file.size ? 0 : offset);
    const fresh = read.events.filter((event) => event.injected !== true);
    events += read.events.length;
    sessions.push({ id: fresh[0]?.session || file.name.replace(/\.jsonl$/, ''), file: file.name, events: fresh });
  }
  const sessionStarts = new Map<string, string>();
  for (const file of await listSessionFiles(root)) {
    const first = await firstEvent(file.path);
    if (typeof first?.time !== 'string') continue;
    sessionStarts.set(file.name.replace(/\.jsonl$/, ''), first.time);
    if (typeof first.session === 'string') sessionStarts.set(first.session, first.time);
  }
  return {
    last,
    activity,
    sessions,
    sessionStarts,
    tasks: await new TaskStore(root, clock).list({ all: true }),
    usage: new Map(usage.read()),
    suspectSince: await suspectTimes(root),
    events,
  };
}
