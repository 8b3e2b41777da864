import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../shared/index.js';
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
  return (await readHistory(root, slug)).slice(-limit);
}

/** Every check of a topic; none when `.state/` cannot hold them (a file in its place). */
async function readHistory(root: string, slug: string): Promise<VerdictRecord[]> {
  try {
    const { lines } = await readJsonLines(historyPath(root, slug));
    return lines.map((line) => line.value as VerdictRecord);
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

/** When a topic's evidence was last confirmed, from its checks (newest `confirmed` or `healed`). */
export function lastConfirmed(records: readonly VerdictRecord[]): string | undefined {
  let latest: string | undefined;
  for (const record of records) {
    if (
      (record.status === 'confirmed' || record.status === 'healed') &&
      (latest === undefined || Date.parse(record.time) > Date.parse(latest))
    ) {
      latest = record.time;
    }
  }
  return latest;
}

/**
 * When a topic was last verified: the newest confirmation in `.state/verdicts/`, or the
 * `verified` field an older topic file still carries (read until it is moved there).
 */
export function verifiedAt(recorded: string | undefined, fromFile: string | undefined): string | undefined {
  if (recorded === undefined) return fromFile;
  if (fromFile === undefined) return recorded;
  return Date.parse(fromFile) > Date.parse(recorded) ? fromFile : recorded;
}

/** The last verification time of one topic (see verifiedAt). */
export async function readVerifiedAt(root: string, slug: string, fromFile?: string): Promise<string | undefined> {
  return verifiedAt(lastConfirmed(await readHistory(root, slug)), fromFile);
}

/** Slug → last confirmation, for these topics (those with a check history): one read each. */
export async function readVerifiedTimesOf(root: string, slugs: readonly string[]): Promise<Map<string, string>> {
  const times = new Map<string, string>();
  for (const slug of new Set(slugs)) {
    const time = lastConfirmed(await readHistory(root, slug));
    if (time !== undefined) times.set(slug, time);
  }
  return times;
}

/** Slug → last confirmation, for every topic with a check history (one listing, one read per history). */
export async function readVerifiedTimes(root: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = await readdir(join(rootPaths(root).state, 'verdicts'));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return new Map();
    throw error;
  }
  return readVerifiedTimesOf(
    root,
    names.filter((name) => name.endsWith('.jsonl')).map((name) => name.slice(0, -'.jsonl'.length)),
  );
}
