import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnemoConfig } from '../config/index.js';
import { recordFileChange, sha256 } from '../shared/index.js';
import type { CatalogTopic, SearchIndex } from '../retrieval/index.js';
import { parseIndex, renderIndexText, rootPaths, type IndexEntryInput, type RenderedIndex } from '../store/index.js';
import { indexEntries, type UsageCounts } from './index-ranking.js';

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

function reportOf(rendered: RenderedIndex, omittedCount: number, complete: boolean, config: MnemoConfig): IndexReport {
  const { maxLines, maxBytes, warnRatio } = config.index;
  const warnings: string[] = [];
  if (omittedCount > 0) {
    const names = rendered.omitted.map((entry) => entry.slug).join(', ');
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
    omitted: rendered.omitted.map((entry) => ({ slug: entry.slug, title: entry.title })),
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

/**
 * The index after a write of `changed`, re-ranking only the topics MEMORY.md lists and those the
 * write touched, when that gives what a full render would: MEMORY.md is as mnemo last rendered
 * it, nothing changed on disk since, and either that render left nothing out (so every topic is
 * among those ranked) or the write touched no listed topic (so no place was freed that a topic
 * left out could claim). Undefined otherwise: the caller renders in full.
 */
export async function computeIndexAfterWrite(context: IndexRenderContext, changed: readonly string[]): Promise<ComputedIndex | undefined> {
  const { root, search, config } = context;
  const state = await readState(root);
  if (state === undefined || state.outside !== search.outsideChanges()) return undefined;
  const text = await readFile(rootPaths(root).index, 'utf8').catch(() => undefined);
  if (text === undefined || sha256(text) !== state.hash) return undefined;
  const listed = parseIndex(text).lines.flatMap((line) => (line.slug === undefined ? [] : [line.slug]));
  const listedSet = new Set(listed);
  if (state.omitted > 0 && changed.some((slug) => listedSet.has(slug))) return undefined;
  const catalog = search.topicsBySlug([...new Set([...listed, ...changed])]);
  const entries = indexEntries(catalog, context.now, context.usage);
  const total = search.indexableCount();
  // Nothing was left out, so every indexable topic must be among those ranked: else re-rank all.
  if (state.omitted === 0 && total !== entries.length) return undefined;
  const rendered = renderIndexText(entries, config.index);
  const omittedCount = total - rendered.included.length;
  return {
    text: rendered.text,
    report: reportOf(rendered, omittedCount, omittedCount === rendered.omitted.length, config),
    entries,
    catalog,
  };
}
