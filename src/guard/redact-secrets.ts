import { findEncodedSecrets, type DecodeBudget } from './encoded-secrets.js';
import { SECRET_GROUPS, SECRET_RULES, judgeAssignment, type AcceptContext } from './secret-rules.js';
import { CONTEXT_WINDOW, charge, type WorkMeter } from './work-meter.js';

export interface RedactOptions {
  /** Counts the work done (for tests of growth); see WorkMeter. */
  meter?: WorkMeter;
}

/** A secret that was replaced: the rule that found it and its span in the input (UTF-16 offsets). */
export interface Redaction {
  rule: string;
  start: number;
  end: number;
  /** For redactDeep: where the string sits in the value (`evidence[0].run`); absent at the top. */
  path?: string;
}

/** `[REDACTED:<rule>]`: what a secret is replaced by. It never matches a rule again. */
export function placeholderFor(rule: string): string {
  return `[REDACTED:${rule}]`;
}

const PLACEHOLDER = /\[REDACTED:[a-z0-9-]{1,60}\]/g;
/** More passes than a real text ever needs (each pass only grows what is covered). */
const MAX_PASSES = 10;

interface Span {
  rule: string;
  priority: number;
  start: number;
  end: number;
}

function placeholderSpans(text: string): Array<[number, number]> {
  return Array.from(text.matchAll(PLACEHOLDER), (match) => [match.index, match.index + match[0].length]);
}

/** Whether [start, end) meets any of the sorted, disjoint `spans`. */
function overlapsAny(spans: ReadonlyArray<[number, number]>, start: number, end: number): boolean {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const span = spans[middle];
    if (!span) break;
    if (span[1] <= start) low = middle + 1;
    else if (span[0] >= end) high = middle - 1;
    else return true;
  }
  return false;
}

function secretSpan(match: RegExpExecArray): { start: number; end: number } {
  for (const group of SECRET_GROUPS) {
    const range = match.indices?.groups?.[group];
    if (range) return { start: range[0], end: range[1] };
  }
  return { start: match.index, end: match.index + match[0].length };
}

/**
 * Every rule match in `text`, unmerged, then encoded runs (base64, base64url, hex, URL) whose
 * decoded text holds a secret (see encoded-secrets.ts). Matches that touch a placeholder are not secrets.
 */
function detect(text: string, meter?: WorkMeter, depth = 0, budget: DecodeBudget = { left: text.length + 65_536 }): Span[] {
  const found = detectPlain(text, meter);
  const placeholders = placeholderSpans(text);
  // the pass that looks for encoded runs
  charge(meter, text.length);
  const encodedPriority = SECRET_RULES.length;
  for (const span of findEncodedSecrets(
    text,
    (decoded, innerDepth, innerBudget) => {
      charge(meter, decoded.length);
      return detect(decoded, meter, innerDepth, innerBudget);
    },
    depth,
    budget,
  )) {
    if (!overlapsAny(placeholders, span.start, span.end)) found.push({ ...span, priority: encodedPriority });
  }
  return found;
}

const sticky = new WeakMap<RegExp, RegExp>();

/**
 * The matches of a global `pattern` in `text` that a scan of the whole text gives, when every
 * match starts at one of `starts` (ascending): the pattern is tried there only, and, like a scan,
 * never again inside a match it found.
 */
function* matchesAt(pattern: RegExp, text: string, starts: readonly number[]): Generator<RegExpExecArray> {
  let at = sticky.get(pattern);
  if (!at) {
    at = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'y');
    sticky.set(pattern, at);
  }
  let done = 0;
  for (const start of starts) {
    if (start < done) continue;
    at.lastIndex = start;
    const match = at.exec(text);
    if (!match) continue;
    done = match.index + Math.max(1, match[0].length);
    yield match;
  }
}

function detectPlain(text: string, meter?: WorkMeter): Span[] {
  const lower = text.toLowerCase();
  const placeholders = placeholderSpans(text);
  // lowercasing and the placeholder pass
  charge(meter, 2 * text.length);
  const found: Span[] = [];
  SECRET_RULES.forEach((rule, priority) => {
    charge(meter, (rule.keywords?.length ?? 0) * text.length);
    if (rule.keywords && !rule.keywords.some((keyword) => lower.includes(keyword))) return;
    if (rule.find) charge(meter, text.length);
    for (const { start, end } of rule.find?.(text) ?? []) {
      if (end > start && !overlapsAny(placeholders, start, end)) found.push({ rule: rule.id, priority, start, end });
    }
    const starts = rule.starts?.(text);
    for (const pattern of rule.patterns) {
      charge(meter, text.length);
      for (const match of starts ? matchesAt(pattern, text, starts) : text.matchAll(pattern)) {
        charge(meter, match[0].length);
        const { start, end } = secretSpan(match);
        if (end <= start) continue;
        if (rule.accept) {
          charge(meter, end - start + (rule.accept.length > 1 ? CONTEXT_WINDOW : 0));
          const context: AcceptContext = { text, end, groups: match.groups ?? {} };
          if (!rule.accept(text.slice(start, end), context)) continue;
        }
        if (overlapsAny(placeholders, start, end)) continue;
        found.push({ rule: rule.id, priority, start, end });
      }
    }
  });
  return found;
}

/** Overlapping spans become one, labelled with the most specific (earliest) rule. */
function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      if (span.priority < last.priority) {
        last.priority = span.priority;
        last.rule = span.rule;
      }
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

function render(input: string, spans: readonly Span[]): string {
  let output = '';
  let cursor = 0;
  for (const span of spans) {
    output += input.slice(cursor, span.start) + placeholderFor(span.rule);
    cursor = span.end;
  }
  return output + input.slice(cursor);
}

/** Map spans found in `render(input, spans)` back to input offsets (they never touch a placeholder). */
function toInputOffsets(found: Span[], spans: readonly Span[]): Span[] {
  const renderedEnds: number[] = [];
  const shifts: number[] = [];
  let shift = 0;
  for (const span of spans) {
    const placeholderLength = placeholderFor(span.rule).length;
    renderedEnds.push(span.start + shift + placeholderLength);
    shift += placeholderLength - (span.end - span.start);
    shifts.push(shift);
  }
  const shiftAt = (position: number): number => {
    let low = 0;
    let high = renderedEnds.length - 1;
    let best = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((renderedEnds[middle] ?? Infinity) <= position) {
        best = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return best < 0 ? 0 : (shifts[best] ?? 0);
  };
  return found.map((span) => ({ ...span, start: span.start - shiftAt(span.start), end: span.end - shiftAt(span.start) }));
}

/**
 * Every secret in `text` as merged spans (what redactSecrets would replace in one pass).
 * Text already inside a `[REDACTED:…]` placeholder is never reported.
 */
export function findSecrets(text: string, options: RedactOptions = {}): Redaction[] {
  return mergeSpans(detect(text, options.meter)).map(({ rule, start, end }) => ({ rule, start, end }));
}

/**
 * Replace every secret in `text` by a typed placeholder (`[REDACTED:github-token]`).
 *
 * Guarantees: the output contains no match of any rule (it repeats until nothing is found, so
 * a secret that only shows once its neighbour is replaced goes too); redacting the output again
 * changes nothing; `redactions` are sorted, disjoint spans of the *input*; it never throws.
 * Linear in the length of the text for every rule (`options.meter` counts the work; the
 * milliseconds for a megabyte are in bench/guard/).
 */
export function redactSecrets(text: string, options: RedactOptions = {}): { text: string; redactions: Redaction[] } {
  let spans: Span[] = [];
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const found = detect(current, options.meter);
    if (found.length === 0) break;
    spans = mergeSpans([...spans, ...toInputOffsets(found, spans)]);
    current = render(text, spans);
    charge(options.meter, text.length + found.length);
  }
  return { text: current, redactions: spans.map(({ rule, start, end }) => ({ rule, start, end })) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function redactValue(value: unknown, path: string, redactions: Redaction[], seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') {
    const result = redactSecrets(value);
    for (const redaction of result.redactions) redactions.push(path === '' ? redaction : { ...redaction, path });
    return result.text;
  }
  if (Array.isArray(value)) {
    const known = seen.get(value);
    if (known !== undefined) return known;
    const copy: unknown[] = [];
    seen.set(value, copy);
    value.forEach((item, index) => copy.push(redactValue(item, childPath(path, index), redactions, seen)));
    return copy;
  }
  if (isPlainObject(value)) {
    const known = seen.get(value);
    if (known !== undefined) return known;
    const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) {
      const itemPath = childPath(path, key);
      const rule = typeof item === 'string' ? judgeAssignment(key, item) : undefined;
      if (rule !== undefined && typeof item === 'string') {
        copy[key] = placeholderFor(rule);
        redactions.push({ rule, start: 0, end: item.length, path: itemPath });
      } else {
        copy[key] = redactValue(item, itemPath, redactions, seen);
      }
    }
    return copy;
  }
  return value;
}

/**
 * redactSecrets for every string inside a value (arrays and plain objects, walked into; other
 * objects such as Dates are kept as they are). A property whose key names a secret is judged
 * with its key as well (`{ password: "hunter2" }` is redacted whole). Returns a copy; the
 * input is not changed. Each redaction carries the `path` of its string.
 */
export function redactDeep<T>(value: T): { value: T; redactions: Redaction[] } {
  const redactions: Redaction[] = [];
  const redacted = redactValue(value, '', redactions, new WeakMap()) as T;
  return { value: redacted, redactions };
}
