import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../shared/index.js';
import { appendJsonLines, rootPaths } from '../store/index.js';
import type { UsageCounts } from './index-ranking.js';

/** How often, and when last, recall returned a topic. */
export interface TopicUsage {
  hits: number;
  /** ISO time of the last recall that returned it. */
  lastUsed: string;
}

interface UsageLine {
  time: string;
  slugs: string[];
}

/** `.state/usage.jsonl`: one line per recall that returned topics (append-only, so no count is lost). */
export function usagePath(root: string): string {
  return join(rootPaths(root).state, 'usage.jsonl');
}

/** Count a recall's returned topics (one appended line). Staged notes (`task/note`) are not topics and are left out. */
export async function recordRecallHits(root: string, slugs: readonly string[], now: Date): Promise<void> {
  const topics = [...new Set(slugs.filter((slug) => !slug.includes('/')))];
  if (topics.length === 0) return;
  const line: UsageLine = { time: now.toISOString(), slugs: topics };
  await appendJsonLines(usagePath(root), [line]);
}

/**
 * The recall hits of a root, read synchronously (the index renderer asks for them while it
 * ranks) and incrementally: the log is append-only, so each call reads only the lines added
 * since the previous one. A log that shrank (replaced by hand) is read again from the start.
 */
export class UsageLog {
  private readonly path: string;
  private offset = 0;
  private readonly usage = new Map<string, TopicUsage>();

  constructor(root: string) {
    this.path = usagePath(root);
  }

  /** Hits and last use per slug. */
  read(): ReadonlyMap<string, TopicUsage> {
    let descriptor: number;
    try {
      descriptor = openSync(this.path, 'r');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        this.offset = 0;
        this.usage.clear();
        return this.usage;
      }
      throw error;
    }
    try {
      const size = fstatSync(descriptor).size;
      if (size < this.offset) {
        this.offset = 0;
        this.usage.clear();
      }
      if (size === this.offset) return this.usage;
      const buffer = Buffer.alloc(size - this.offset);
      readSync(descriptor, buffer, 0, buffer.length, this.offset);
      const end = buffer.lastIndexOf(0x0a);
      if (end === -1) return this.usage;
      for (const text of buffer.subarray(0, end).toString('utf8').split('\n')) this.add(text);
      this.offset += end + 1;
      return this.usage;
    } finally {
      closeSync(descriptor);
    }
  }

  /** Hits per slug, the shape the index ranking takes. */
  counts(): UsageCounts {
    return new Map([...this.read()].map(([slug, usage]) => [slug, usage.hits]));
  }

  private add(text: string): void {
    if (text.trim() === '') return;
    let line: Partial<UsageLine>;
    try {
      line = JSON.parse(text) as Partial<UsageLine>;
    } catch {
      return;
    }
    if (typeof line.time !== 'string' || !Array.isArray(line.slugs)) return;
    for (const slug of line.slugs) {
      if (typeof slug !== 'string') continue;
      const current = this.usage.get(slug);
      if (current) {
        current.hits += 1;
        if (line.time > current.lastUsed) current.lastUsed = line.time;
      } else this.usage.set(slug, { hits: 1, lastUsed: line.time });
    }
  }
}

/**
 * `.state/usage-rank.json`: the recall hits the index is ranked by, as dream last counted them.
 * The index ranks by this frozen count rather than by the live log, so that a recall never
 * leaves MEMORY.md out of date: the ranking moves when dream re-indexes.
 */
export const RANK_USAGE_FILE = 'usage-rank.json';

/** Reads the frozen ranking counts (synchronously, cached while the file is unchanged). */
export class RankUsage {
  private readonly path: string;
  private seen = '';
  private cached: UsageCounts = new Map();

  constructor(root: string) {
    this.path = join(rootPaths(root).state, RANK_USAGE_FILE);
  }

  counts(): UsageCounts {
    let stamp: string;
    try {
      const stats = statSync(this.path);
      stamp = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    } catch {
      this.seen = '';
      this.cached = new Map();
      return this.cached;
    }
    if (stamp === this.seen) return this.cached;
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { hits?: Record<string, unknown> };
      this.cached = new Map(Object.entries(parsed.hits ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
    } catch {
      this.cached = new Map();
    }
    this.seen = stamp;
    return this.cached;
  }
}
