import { TOPIC_TYPES, type TopicType } from './topic-schema.js';

/** The longest index line mnemo writes, in characters. */
export const INDEX_LINE_MAX = 150;

const HEADINGS: Record<TopicType, string> = {
  user: 'User',
  feedback: 'Feedback',
  project: 'Project',
  reference: 'Reference',
  lesson: 'Lessons',
};

/** One topic as the index renderer sees it: frontmatter only, never body content. */
export interface IndexEntryInput {
  slug: string;
  title: string;
  hook: string;
  type: TopicType;
  /** Higher ranks are kept first when the budget is short. */
  rank: number;
  suspect?: boolean;
}

export interface IndexBudgetLimits {
  maxLines: number;
  maxBytes: number;
}

export interface RenderedIndex {
  text: string;
  /** Slugs with a line, in file order. */
  included: string[];
  /** Entries left out by the budget, highest rank first. */
  omitted: IndexEntryInput[];
  lines: number;
  bytes: number;
}

/** A topic line found in MEMORY.md. */
export interface IndexLine {
  title: string;
  /** The link target without `.md`; undefined when the target is not a topic in the root. */
  slug: string | undefined;
  target: string;
  hook: string;
  lineNumber: number;
  raw: string;
}

export interface ParsedIndex {
  lines: IndexLine[];
  problems: { lineNumber: number; message: string }[];
}

/**
 * Make text safe for one index line: no control or invisible characters, no markup that could
 * open a link, image, comment or heading, collapsed whitespace.
 */
export function sanitizeIndexText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/gu, '')
    .replace(/[\u{e0000}-\u{e007f}]/gu, '')
    .replace(/<!--|-->|[<>`*_[\]()!#|\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}

/** `- [Title](slug.md) — hook`, at most INDEX_LINE_MAX characters. */
export function renderIndexLine(entry: Pick<IndexEntryInput, 'slug' | 'title' | 'hook' | 'suspect'>): string {
  const title = truncate(sanitizeIndexText(entry.title) || entry.slug, 60);
  const head = `- [${title}](${entry.slug}.md)`;
  const hookText = `${entry.suspect ? 'suspect: ' : ''}${sanitizeIndexText(entry.hook)}`;
  const room = INDEX_LINE_MAX - [...head].length - 3;
  if (hookText === '' || room < 8) return head;
  return `${head} — ${truncate(hookText, room)}`;
}

/** Compare slugs by UTF-16 code units: the same order on every machine, whatever its locale. */
export function compareSlugs(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The fewest bytes an index line can take with its newline: `- [a](b.md)`. */
const MIN_LINE_BYTES = Buffer.byteLength('- [a](b.md)\n');

/**
 * MEMORY.md being filled: entries offered in rank order are kept while both budgets allow (a
 * type's first entry brings a blank line and its heading), the rest are turned away. The one
 * place that decides what MEMORY.md holds, for the full render and for the bounded one.
 */
export class IndexFill {
  private readonly budget: IndexBudgetLimits;
  private readonly kept = new Map<TopicType, { slug: string; line: string }[]>();
  private lineCount = 1; // "# Memory"
  private byteCount = Buffer.byteLength('# Memory\n');

  constructor(budget: IndexBudgetLimits) {
    this.budget = budget;
  }

  /** Bytes left in the budget. */
  get roomBytes(): number {
    return this.budget.maxBytes - this.byteCount;
  }

  /** Whether no entry at all could be kept any more (no line left, or too few bytes for the shortest line). */
  get full(): boolean {
    return this.lineCount + 1 > this.budget.maxLines || this.roomBytes < MIN_LINE_BYTES;
  }

  /** Keep this entry (its line as `renderIndexLine` renders it) if it fits; whether it was kept. */
  offer(slug: string, type: TopicType, line: string): boolean {
    const group = this.kept.get(type);
    const extraLines = group ? 1 : 3; // blank line + heading before the first entry of a type
    const extraBytes = Buffer.byteLength(`${line}\n`) + (group ? 0 : Buffer.byteLength(`\n## ${HEADINGS[type]}\n`));
    if (this.lineCount + extraLines > this.budget.maxLines || this.byteCount + extraBytes > this.budget.maxBytes) return false;
    this.lineCount += extraLines;
    this.byteCount += extraBytes;
    if (group) group.push({ slug, line });
    else this.kept.set(type, [{ slug, line }]);
    return true;
  }

  /** The text: one heading per type (in a fixed order), lines sorted by slug within it. */
  finish(): Omit<RenderedIndex, 'omitted'> {
    if (this.kept.size === 0) return { text: '', included: [], lines: 0, bytes: 0 };
    const parts = ['# Memory'];
    const included: string[] = [];
    for (const type of TOPIC_TYPES) {
      const group = this.kept.get(type);
      if (!group) continue;
      parts.push('', `## ${HEADINGS[type]}`);
      for (const { slug, line } of [...group].sort((a, b) => compareSlugs(a.slug, b.slug))) {
        parts.push(line);
        included.push(slug);
      }
    }
    const text = `${parts.join('\n')}\n`;
    return { text, included, lines: parts.length, bytes: Buffer.byteLength(text) };
  }
}

/** Index entries in rank order: highest rank first, ties by slug. */
export function compareIndexRank(a: Pick<IndexEntryInput, 'rank' | 'slug'>, b: Pick<IndexEntryInput, 'rank' | 'slug'>): number {
  return b.rank - a.rank || compareSlugs(a.slug, b.slug);
}

/**
 * Render MEMORY.md: one heading per type (in a fixed order), lines sorted by slug within it.
 * Entries are admitted by rank until either budget would be exceeded; the rest are returned as
 * `omitted`, every one of them. Rank only decides what is left out: the same topics give the same
 * bytes on every machine (a memory committed to git merges cleanly), whatever the clock or usage.
 */
export function renderIndexText(entries: readonly IndexEntryInput[], budget: IndexBudgetLimits): RenderedIndex {
  const ranked = [...entries].sort(compareIndexRank);
  const fill = new IndexFill(budget);
  const omitted: IndexEntryInput[] = [];
  for (const entry of ranked) {
    if (!fill.offer(entry.slug, entry.type, renderIndexLine(entry))) omitted.push(entry);
  }
  return { ...fill.finish(), omitted };
}

/**
 * Whether an index text as written (by `renderIndexText`, maybe some time ago) still has room for
 * one more entry's line within the budget: one line, plus its type's heading when the text has none.
 */
export function indexHasRoomFor(text: string, entry: IndexEntryInput, budget: IndexBudgetLimits): boolean {
  if (text.trim() === '') return true;
  const heading = `\n## ${HEADINGS[entry.type]}\n`;
  const hasHeading = text.includes(heading);
  const lines = text.replace(/\n$/, '').split('\n').length + (hasHeading ? 1 : 3);
  const bytes = Buffer.byteLength(text) + Buffer.byteLength(`${renderIndexLine(entry)}\n`) + (hasHeading ? 0 : Buffer.byteLength(heading));
  return lines <= budget.maxLines && bytes <= budget.maxBytes;
}

const LINE_PATTERN = /^\s*[-*+]\s+\[(?<title>[^\]]*)\]\((?<target>[^)\s]+)\)\s*(?:[—–-]+\s*(?<hook>.*))?$/u;

/**
 * Read the topic lines of an index (mnemo's or a hand-written Claude Code one). Lines that are
 * not list links are ignored; a link that leaves the root is a problem, never followed.
 */
export function parseIndex(text: string): ParsedIndex {
  const lines: IndexLine[] = [];
  const problems: ParsedIndex['problems'] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = LINE_PATTERN.exec(raw);
    if (!match?.groups) return;
    const target = match.groups.target ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return; // a URL, not a topic
    const lineNumber = index + 1;
    let slug: string | undefined;
    const decoded = safeDecode(target);
    if (decoded.includes('/') || decoded.includes('\\') || decoded.startsWith('.')) {
      problems.push({
        lineNumber,
        message: `link target ${JSON.stringify(target)} leaves the memory root; topics are files beside MEMORY.md`,
      });
    } else if (!decoded.endsWith('.md')) {
      problems.push({ lineNumber, message: `link target ${JSON.stringify(target)} is not a .md topic file` });
    } else {
      slug = decoded.slice(0, -3);
    }
    lines.push({ title: match.groups.title ?? '', slug, target, hook: (match.groups.hook ?? '').trim(), lineNumber, raw });
  });
  return { lines, problems };
}

function safeDecode(target: string): string {
  try {
    return decodeURIComponent(target);
  } catch {
    return target;
  }
}

/**
 * Update an index someone else keeps (Claude Code's `MEMORY.md`) in its own format: every line
 * stays as written, in its place (hand-written hooks and titles, headings, prose); a line whose
 * topic is gone is dropped, a second line for the same topic too; a topic without a line gets
 * one (`- [Title](slug.md) — hook`) at the end. Nothing to do: the text comes back unchanged.
 */
export function mergeIndexInPlace(text: string, entries: readonly IndexEntryInput[]): { text: string; added: string[]; dropped: string[] } {
  const wanted = new Map(entries.map((entry) => [entry.slug, entry]));
  const parsed = new Map(parseIndex(text).lines.map((line) => [line.lineNumber, line]));
  const seen = new Set<string>();
  const dropped: string[] = [];
  const kept: string[] = [];
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  lines.forEach((raw, index) => {
    const line = parsed.get(index + 1);
    if (line?.slug !== undefined && (!wanted.has(line.slug) || seen.has(line.slug))) {
      dropped.push(line.slug);
      return;
    }
    if (line?.slug !== undefined) seen.add(line.slug);
    kept.push(raw);
  });
  const added = entries.filter((entry) => !seen.has(entry.slug)).sort((a, b) => b.rank - a.rank || a.slug.localeCompare(b.slug));
  if (added.length === 0 && dropped.length === 0) return { text, added: [], dropped: [] };
  const result = [...kept, ...added.map((entry) => renderIndexLine(entry))];
  return { text: result.length === 0 ? '' : `${result.join('\n')}\n`, added: added.map((entry) => entry.slug), dropped };
}
