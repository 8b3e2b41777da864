import type { RawFinding } from './finding.js';

/*
 * Content a person reading rendered markdown or HTML never sees: HTML comments, markdown
 * comment lines (`[//]: # (…)`) and elements hidden by `hidden`, `display:none`, zero font size,
 * white or transparent text, or off-screen positioning. A hidden region alone is a `low`
 * finding (docs use comments for tooling: `<!-- prettier-ignore -->`); every other finding inside
 * one is raised a level by scanForInjection, because instructions nobody can see are the point
 * of hiding them.
 */

/** Directive-like comments that tools read (short, one line) are regions but not findings. */
const SHORT_COMMENT = 40;
const HIDDEN_ELEMENT =
  /<([a-z][a-z0-9-]*)\b[^>]{0,300}?(?:\sstyle\s*=\s*["'][^"']{0,300}?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|rem|pt|%)?\s*(?:[;"'!]|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:[;"'!]|$)|(?<![-\w])color\s*:\s*(?:white|#fff(?:fff)?|transparent)\b|(?:left|top|text-indent)\s*:\s*-\d{3,})|\shidden(?=[\s>=/]))[^>]{0,300}>/gi;
const MARKDOWN_COMMENT = /^[ \t]{0,3}\[(?:\/\/|comment|_|#)\]:[ \t]*(?:#|<>)[ \t]*(?:\([^\n]*\)|"[^\n]*"|'[^\n]*')[ \t]*$/gim;
const MAX_ELEMENT = 20_000;

export interface HiddenContent {
  findings: RawFinding[];
  /** Hidden spans of the text, in order. */
  regions: Array<{ start: number; end: number }>;
}

function htmlComments(text: string, found: HiddenContent): void {
  let cursor = 0;
  for (;;) {
    const start = text.indexOf('<!--', cursor);
    if (start < 0) return;
    const close = text.indexOf('-->', start + 4);
    const end = close < 0 ? text.length : close + 3;
    found.regions.push({ start, end });
    const inner = text.slice(start + 4, close < 0 ? text.length : close).trim();
    if (inner.length > SHORT_COMMENT || /\n/.test(inner) || close < 0) {
      found.findings.push({
        rule: 'html-comment',
        family: 'hidden-content',
        severity: 'low',
        start,
        end,
        hiddenRegion: true,
        message: close < 0 ? 'an HTML comment that is never closed hides the rest of the text' : 'an HTML comment hides text from a reader',
      });
    }
    cursor = end;
  }
}

function markdownComments(text: string, found: HiddenContent): void {
  for (const match of text.matchAll(MARKDOWN_COMMENT)) {
    const span = { start: match.index, end: match.index + match[0].length };
    found.regions.push(span);
    found.findings.push({
      rule: 'markdown-comment',
      family: 'hidden-content',
      severity: 'low',
      ...span,
      hiddenRegion: true,
      message: 'a markdown comment line hides text from a reader',
    });
  }
}

const CLOSING_TAG = /<\/([a-z][a-z0-9-]*)/gi;
const EMPTY_PREFIX = /(?:\s|<[^<>]{0,300}>){0,50}/y;

/** The first offset in sorted `positions` that is at least `from`, or undefined. */
function firstAtLeast(positions: readonly number[], from: number): number | undefined {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((positions[middle] ?? Infinity) < from) low = middle + 1;
    else high = middle;
  }
  return positions[low];
}

function hiddenElements(text: string, found: HiddenContent): void {
  // closing tags are indexed once, so many unclosed hidden elements stay linear
  const closings = new Map<string, number[]>();
  for (const match of text.matchAll(CLOSING_TAG)) {
    const name = (match[1] ?? '').toLowerCase();
    const list = closings.get(name);
    if (list) list.push(match.index);
    else closings.set(name, [match.index]);
  }
  for (const match of text.matchAll(HIDDEN_ELEMENT)) {
    const tag = (match[1] ?? '').toLowerCase();
    const openEnd = match.index + match[0].length;
    let end = openEnd;
    if (!match[0].endsWith('/>')) {
      const close = firstAtLeast(closings.get(tag) ?? [], openEnd);
      if (close !== undefined && close - openEnd <= MAX_ELEMENT) end = close + tag.length + 3;
    }
    // an element with nothing inside but tags and spaces (an icon) hides nothing
    const prefix = new RegExp(EMPTY_PREFIX);
    prefix.lastIndex = openEnd;
    if (openEnd + (prefix.exec(text)?.[0].length ?? 0) >= end) continue;
    const span = { start: match.index, end };
    found.regions.push(span);
    found.findings.push({
      rule: 'hidden-html',
      family: 'hidden-content',
      severity: 'low',
      ...span,
      hiddenRegion: true,
      message: 'an HTML element styled to be invisible holds text',
    });
  }
}

/** Hidden regions of `text` and a finding for each that holds something. */
export function findHiddenContent(text: string): HiddenContent {
  const found: HiddenContent = { findings: [], regions: [] };
  if (text.includes('<!--')) htmlComments(text, found);
  if (text.includes(']:')) markdownComments(text, found);
  if (text.includes('<')) hiddenElements(text, found);
  found.regions.sort((a, b) => a.start - b.start);
  return found;
}
