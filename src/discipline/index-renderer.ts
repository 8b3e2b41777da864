import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnemoConfig } from '../config/index.js';
import { sha256 } from '../shared/index.js';
import { UNREADABLE_GROUP, type CatalogTopic, type RankRow, type SearchIndex } from '../retrieval/index.js';
import {
  IndexFill,
  compareIndexRank,
  renderIndexText,
  rootPaths,
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
const BATCH = 64;
/** How many of the entries a bounded render turned away it names (the rest are counted). */
const OMITTED_NAMED = 20;

interface Ranked {
  slug: string;
  type: TopicType;
  line: string;
  rank: number;
}

/**
 * One group of the rank table in rank order (or the topics with usage counts, ranked in full):
 * read a batch at a time, rows whose line cannot fit in `room()` bytes skipped by the query.
 */
class RankStream {
  private buffer: Ranked[] = [];
  private done = false;
  private readonly next: (room: number) => Ranked[];

  constructor(next: (room: number) => Ranked[]) {
    this.next = next;
  }

  /** The rank of the next entry, or undefined at the end. */
  head(room: number): number | undefined {
    if (this.buffer.length === 0 && !this.done) {
      this.buffer = this.next(room);
      if (this.buffer.length === 0) this.done = true;
    }
    return this.buffer[0]?.rank;
  }

  /** Every next entry of this rank (the stream's rank never rises, so they come together). */
  take(rank: number, room: number): Ranked[] {
    const out: Ranked[] = [];
    while (this.head(room) === rank) out.push(this.buffer.shift() as Ranked);
    return out;
  }
}

function typeOfGroup(grp: string): { type: TopicType; suspect: boolean } {
  if (grp === UNREADABLE_GROUP) return { type: 'project', suspect: false };
  const [type, suspect] = grp.split(':');
  return { type: type as TopicType, suspect: suspect === '1' };
}

/**
 * MEMORY.md as `computeFullIndex` renders it, byte for byte, reading only the top of the rank
 * table: each group (type and suspect) comes in rank order by its time, the topics with usage
 * counts are ranked apart, and the streams are merged by rank (ties by slug, as the full render
 * sorts) until the budget has no room for any line. What it costs follows the lines MEMORY.md
 * lists, not the memory, except when the bytes run out before the lines: then the rows whose line
 * is short enough to still fit are read to the end (from the table's index, not the topics).
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
  const streams: RankStream[] = [];
  for (const grp of ranks.groups()) {
    // Rows with a time (their rank falls with it), and those without (all of one rank): two streams.
    let timedAfter: { time: number; slug: string } | undefined;
    let timedDone = false;
    streams.push(
      new RankStream((room) => {
        while (!timedDone) {
          const rows = ranks.timed(grp, timedAfter, room, BATCH);
          if (rows.length < BATCH) timedDone = true;
          const last = rows.at(-1);
          if (last) timedAfter = { time: last.time_ms as number, slug: last.slug };
          const kept = rows.filter((row) => !used.has(row.slug));
          if (kept.length > 0) return kept.map(ranked);
        }
        return [];
      }),
    );
    let untimedAfter: string | undefined;
    let untimedDone = false;
    streams.push(
      new RankStream((room) => {
        while (!untimedDone) {
          const rows = ranks.untimed(grp, untimedAfter, room, BATCH);
          if (rows.length < BATCH) untimedDone = true;
          untimedAfter = rows.at(-1)?.slug ?? untimedAfter;
          const kept = rows.filter((row) => !used.has(row.slug));
          if (kept.length > 0) return kept.map(ranked);
        }
        return [];
      }),
    );
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
    let best: number | undefined;
    for (const stream of streams) {
      const head = stream.head(fill.roomBytes);
      if (head !== undefined && (best === undefined || head > best)) best = head;
    }
    if (best === undefined) break;
    const rank = best;
    const tied = streams.flatMap((stream) => stream.take(rank, fill.roomBytes)).sort(compareIndexRank);
    for (const entry of tied) {
      if (!fill.offer(entry.slug, entry.type, entry.line) && omitted.length < OMITTED_NAMED) {
        omitted.push({ slug: entry.slug, title: entry.slug });
      }
    }
  }
  const rendered = fill.finish();
  const omittedCount = total - rendered.included.length;
  const titles = new Map(search.topicsBySlug(omitted.map((entry) => entry.slug)).map((topic) => [topic.slug, topic.readable ? topic.meta.name : topic.slug]));
  const named = omitted.map((entry) => ({ slug: entry.slug, title: titles.get(entry.slug) ?? entry.slug }));
  return {
    text: rendered.text,
    report: reportOf({ ...rendered, omitted: [] }, omittedCount, omittedCount === named.length, config, named),
  };
}
