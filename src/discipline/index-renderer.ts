import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnemoConfig } from '../config/index.js';
import { recordFileChange, sha256 } from '../shared/index.js';
import { UNREADABLE_GROUP, rankGroup, type CatalogTopic, type RankRow, type SearchIndex } from '../retrieval/index.js';
import {
  IndexFill,
  compareIndexRank,
  renderIndexText,
  rootPaths,
  TOPIC_TYPES,
  type IndexEntryInput,
  type RenderedIndex,
  type TopicType,
} from '../store/index.js';
import { UNREADABLE_RANK, indexEntries, rankOf, type UsageCounts } from './index-ranking.js';

/** What rendering the index found: sizes against the budget, entries left out, warnings. */
export interface IndexReport {
  lines: number;
  bytes: number;
  maxLines: number;
  maxBytes: number;
  entries: number;
  /**
   * Entries left out by the budget, lowest ranked. A full render (`mnemo index`, dream, doctor)
   * names every one; after a write it names those the write left out, and `omittedCount` says
   * how many there are in all.
   */
  omitted: { slug: string; title: string }[];
  /** How many topics the index leaves out in all. */
  omittedCount: number;
  warnings: string[];
}

export interface ComputedIndex {
  text: string;
  report: IndexReport;
  entries: IndexEntryInput[];
  catalog: CatalogTopic[];
}

/** `.state/index-state.json`: what the last render of MEMORY.md wrote, so that the next write can re-rank only what it touched. */
interface IndexState {
  /** sha256 of MEMORY.md as rendered. */
  hash: string;
  /** How many topics that render left out. */
  omitted: number;
  /** The search index's count of outside changes at that render. */
  outside: number;
}

export interface IndexRenderContext {
  root: string;
  search: SearchIndex;
  config: MnemoConfig;
  now: Date;
  usage: UsageCounts | undefined;
}

function statePath(root: string): string {
  return join(rootPaths(root).state, 'index-state.json');
}

async function readState(root: string): Promise<IndexState | undefined> {
  try {
    const value = JSON.parse(await readFile(statePath(root), 'utf8')) as Partial<IndexState>;
    return typeof value.hash === 'string' && typeof value.omitted === 'number' && typeof value.outside === 'number'
      ? (value as IndexState)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Record what was written to MEMORY.md (after it was written). */
export function recordIndexState(root: string, text: string, report: IndexReport, search: SearchIndex): void {
  const state: IndexState = { hash: sha256(text), omitted: report.omittedCount, outside: search.outsideChanges() };
  // A hint, not a record: lost or torn, it only reads as absent, and the next write re-ranks all.
  writeFileSync(statePath(root), JSON.stringify(state));
  recordFileChange(statePath(root));
}

/** Whether MEMORY.md is exactly what mnemo last rendered, with no change found on disk since. */
export async function indexIsCurrent(root: string, text: string, search: SearchIndex): Promise<boolean> {
  const state = await readState(root);
  return state !== undefined && state.hash === sha256(text) && state.outside === search.outsideChanges();
}

function reportOf(
  rendered: RenderedIndex,
  omittedCount: number,
  complete: boolean,
  config: MnemoConfig,
  named: { slug: string; title: string }[] = rendered.omitted.map((entry) => ({ slug: entry.slug, title: entry.title })),
): IndexReport {
  const { maxLines, maxBytes, warnRatio } = config.index;
  const warnings: string[] = [];
  if (omittedCount > 0) {
    const names = named.map((entry) => entry.slug).join(', ');
    warnings.push(
      complete
        ? `MEMORY.md is over its budget (${maxLines} lines, ${maxBytes} bytes): ${omittedCount} topic(s) left out of the index: ${names}`
        : `MEMORY.md is over its budget (${maxLines} lines, ${maxBytes} bytes): ${omittedCount} topic(s) left out of the index${names === '' ? '' : `, among them ${names}`} (mnemo index --json names every one)`,
    );
  } else if (rendered.lines >= maxLines * warnRatio || rendered.bytes >= maxBytes * warnRatio) {
    warnings.push(
      `MEMORY.md uses ${rendered.lines}/${maxLines} lines and ${rendered.bytes}/${maxBytes} bytes (over ${Math.round(warnRatio * 100)}%): run mnemo dream or forget stale topics`,
    );
  }
  return {
    lines: rendered.lines,
    bytes: rendered.bytes,
    maxLines,
    maxBytes,
    entries: rendered.included.length,
    omitted: named,
    omittedCount,
    warnings,
  };
}

/** Rank every topic and render the index within its budget (O(topics)). */
export function computeFullIndex(context: IndexRenderContext): ComputedIndex {
  const catalog = context.search.catalog();
  const entries = indexEntries(catalog, context.now, context.usage);
  const rendered = renderIndexText(entries, context.config.index);
  return { text: rendered.text, report: reportOf(rendered, rendered.omitted.length, true, context.config), entries, catalog };
}

/** How many rows a group's read takes at a time. */
const BATCH = 256;
/** The first read of a time's rows. */
const FIRST_BATCH = 16;
/** How many of the entries a bounded render turned away it names (the rest are counted). */
const OMITTED_NAMED = 20;

interface Ranked {
  slug: string;
  type: TopicType;
  line: string;
  rank: number;
}

/**
 * Entries in rank order (highest first, ties by slug), a batch at a time; `next(room)` gives the
 * next batch, rows whose line cannot fit in `room` bytes left out by the query, [] at the end.
 */
class RankStream {
  private buffer: Ranked[] = [];
  private position = 0;
  private done = false;
  private readonly next: (room: number) => Ranked[];

  constructor(next: (room: number) => Ranked[]) {
    this.next = next;
  }

  head(room: number): Ranked | undefined {
    if (this.position >= this.buffer.length && !this.done) {
      this.buffer = this.next(room);
      this.position = 0;
      if (this.buffer.length === 0) this.done = true;
    }
    return this.buffer[this.position];
  }

  pop(): void {
    this.position += 1;
  }
}

const GROUPS = [...TOPIC_TYPES.flatMap((type) => [rankGroup(type, false), rankGroup(type, true)]), UNREADABLE_GROUP];

function typeOfGroup(grp: string): { type: TopicType; suspect: boolean } {
  if (grp === UNREADABLE_GROUP) return { type: 'project', suspect: false };
  const [type, suspect] = grp.split(':');
  return { type: type as TopicType, suspect: suspect === '1' };
}

/**
 * MEMORY.md as `computeFullIndex` renders it, byte for byte, reading only the top of the rank
 * table. Each group (type and suspect) is read in rank order: by time, newest first, the rows of
 * one time by slug; a rank that two times share (rounding, far in the past) is read whole and
 * sorted. Rows without a time, unreadable files, and the topics with usage counts are streams of
 * their own. The streams are merged by rank, ties by slug, as the full render sorts, until the
 * budget has room for no line. What it costs follows the lines MEMORY.md lists, not the memory,
 * except when the bytes run out before the lines: then the rows whose line is short enough to
 * still fit are read on (from the table's index, not the topics).
 */
export function computeBoundedIndex(context: IndexRenderContext): { text: string; report: IndexReport } {
  const { search, config, now, usage } = context;
  const total = search.indexableCount();
  const ranks = search.indexRanks();
  ranks.ensureComplete(total);
  const used = new Set<string>();
  if (usage !== undefined) for (const [slug, count] of usage) if (count !== 0) used.add(slug);
  const ranked = (row: RankRow): Ranked => {
    const { type, suspect } = typeOfGroup(row.grp);
    const rank =
      row.grp === UNREADABLE_GROUP
        ? UNREADABLE_RANK
        : rankOf(type, suspect, row.time_ms ?? Number.NaN, usage === undefined ? undefined : (usage.get(row.slug) ?? 0), now);
    return { slug: row.slug, type, line: row.line, rank };
  };
  /** The rows of one time (null: none), a batch at a time: one rank, in slug order. */
  const readTime = (grp: string, time: number | null) => {
    let after = '';
    let ended = false;
    // Small first reads: most groups give MEMORY.md a few lines.
    let batch = FIRST_BATCH;
    return (room: number): Ranked[] | undefined => {
      while (!ended) {
        const rows = ranks.atTime(grp, time, after, room, batch);
        if (rows.length < batch) ended = true;
        batch = Math.min(BATCH, batch * 4);
        after = rows.at(-1)?.slug_key ?? after;
        const kept = rows.filter((row) => !used.has(row.slug));
        if (kept.length > 0) return kept.map(ranked);
      }
      return undefined;
    };
  };
  const streams: RankStream[] = [];
  for (const grp of GROUPS) {
    const { type, suspect } = typeOfGroup(grp);
    const rankAt = (time: number) => rankOf(type, suspect, time, usage === undefined ? undefined : 0, now);
    let current: ((room: number) => Ranked[] | undefined) | undefined;
    let lastTime: number | undefined;
    let timesDone = grp === UNREADABLE_GROUP;
    streams.push(
      new RankStream((room) => {
        for (;;) {
          const batch = current?.(room);
          if (batch !== undefined) return batch;
          if (timesDone) return [];
          const time = ranks.nextTime(grp, lastTime, room);
          if (time === undefined) {
            timesDone = true;
            return [];
          }
          const rank = rankAt(time);
          let following = ranks.nextTime(grp, time, room);
          if (following === undefined || rankAt(following) !== rank) {
            current = readTime(grp, time);
            lastTime = time;
            continue;
          }
          // Times that round to one rank: all their rows, sorted by slug.
          const times = [time];
          while (following !== undefined && rankAt(following) === rank) {
            times.push(following);
            following = ranks.nextTime(grp, following, room);
          }
          lastTime = times.at(-1);
          const rows: Ranked[] = [];
          for (const each of times) {
            const read = readTime(grp, each);
            for (let batch = read(room); batch !== undefined; batch = read(room)) rows.push(...batch);
          }
          rows.sort(compareIndexRank);
          current = () => {
            current = undefined;
            return rows.length > 0 ? rows : undefined;
          };
        }
      }),
    );
    const untimed = readTime(grp, null);
    streams.push(new RankStream((room) => untimed(room) ?? []));
  }
  if (used.size > 0) {
    let all: Ranked[] | undefined = ranks
      .bySlug([...used])
      .map(ranked)
      .sort(compareIndexRank);
    streams.push(
      new RankStream(() => {
        const out = all ?? [];
        all = undefined;
        return out;
      }),
    );
  }
  const fill = new IndexFill(config.index);
  const omitted: { slug: string; title: string }[] = [];
  while (!fill.full) {
    let best: RankStream | undefined;
    let bestHead: Ranked | undefined;
    for (const stream of streams) {
      const head = stream.head(fill.roomBytes);
      if (head !== undefined && (bestHead === undefined || compareIndexRank(head, bestHead) < 0)) {
        best = stream;
        bestHead = head;
      }
    }
    if (best === undefined || bestHead === undefined) break;
    best.pop();
    if (!fill.offer(bestHead.slug, bestHead.type, bestHead.line) && omitted.length < OMITTED_NAMED) {
      omitted.push({ slug: bestHead.slug, title: bestHead.slug });
    }
  }
  const rendered = fill.finish();
  const omittedCount = total - rendered.included.length;
  const titles = new Map(
    search.topicsBySlug(omitted.map((entry) => entry.slug)).map((topic) => [topic.slug, topic.readable ? topic.meta.name : topic.slug]),
  );
  const named = omitted.map((entry) => ({ slug: entry.slug, title: titles.get(entry.slug) ?? entry.slug }));
  return {
    text: rendered.text,
    report: reportOf({ ...rendered, omitted: [] }, omittedCount, omittedCount === named.length, config, named),
  };
}
