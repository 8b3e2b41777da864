import { DAY_MS } from '../shared/index.js';

/** One relative date found and what it was resolved to. */
export interface DateResolution {
  phrase: string;
  resolved: string;
}

const NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, a: 1 };
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function day(date: Date, offsetDays = 0): string {
  return new Date(date.getTime() + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

function mondayOf(date: Date, weeksBack: number): string {
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
  return day(date, -weekday - 7 * weeksBack);
}

function count(word: string): number | undefined {
  const lower = word.toLowerCase();
  if (/^\d+$/.test(lower)) return Number(lower);
  return NUMBERS[lower];
}

/** Each rule: a pattern (case-insensitive, whole words) and what its match means at `reference`. */
const RULES: { pattern: RegExp; resolve: (match: RegExpExecArray, reference: Date) => string | undefined }[] = [
  { pattern: /\bthe day before yesterday\b/i, resolve: (_m, r) => day(r, -2) },
  { pattern: /\byesterday\b/i, resolve: (_m, r) => day(r, -1) },
  { pattern: /\b(?:today|tonight|this (?:morning|afternoon|evening))\b/i, resolve: (_m, r) => day(r) },
  { pattern: /\btomorrow\b/i, resolve: (_m, r) => day(r, 1) },
  {
    pattern: /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a) days? ago\b/i,
    resolve: (m, r) => {
      const n = count(m[1] ?? '');
      return n === undefined ? undefined : day(r, -n);
    },
  },
  {
    pattern: /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a) weeks? ago\b/i,
    resolve: (m, r) => {
      const n = count(m[1] ?? '');
      return n === undefined ? undefined : `around ${day(r, -7 * n)}`;
    },
  },
  { pattern: /\blast week\b/i, resolve: (_m, r) => `the week of ${mondayOf(r, 1)}` },
  { pattern: /\bthis week\b/i, resolve: (_m, r) => `the week of ${mondayOf(r, 0)}` },
  {
    pattern: /\blast month\b/i,
    resolve: (_m, r) => {
      const month = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() - 1, 1));
      return month.toISOString().slice(0, 7);
    },
  },
  { pattern: /\blast year\b/i, resolve: (_m, r) => String(r.getUTCFullYear() - 1) },
  {
    pattern: /\blast (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i,
    resolve: (m, r) => {
      const target = WEEKDAYS.indexOf((m[1] ?? '').toLowerCase());
      const back = (r.getUTCDay() - target + 7) % 7 || 7;
      return day(r, -back);
    },
  },
];

/** Spans that are never rewritten: code fences, inline code, links and URLs. */
function protectedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const pattern of [/```[\s\S]*?(?:```|$)/g, /`[^`\n]*`/g, /\[[^\]\n]*\]\([^)\n]*\)/g, /\bhttps?:\/\/\S+/g]) {
    for (const match of text.matchAll(pattern)) spans.push([match.index, match.index + match[0].length]);
  }
  return spans;
}

/**
 * Turn relative dates ("yesterday", "last week", "two days ago", "this morning", "last Monday",
 * "last month") into absolute ones, by appending the date in parentheses: "yesterday
 * (2026-11-21)". `reference` is when the text was written (the session's time). Conservative:
 * code, links and URLs are left alone, possessives ("yesterday's") and phrases already followed
 * by a parenthesis are skipped, so running it twice changes nothing the second time. Dates are UTC.
 */
export function resolveRelativeDates(text: string, reference: Date): { text: string; resolutions: DateResolution[] } {
  if (Number.isNaN(reference.getTime())) return { text, resolutions: [] };
  const spans = protectedSpans(text);
  const inserts: { at: number; phrase: string; resolved: string }[] = [];
  const taken: [number, number][] = [];
  for (const rule of RULES) {
    const global = new RegExp(rule.pattern.source, 'gi');
    for (let match = global.exec(text); match !== null; match = global.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (spans.some(([from, to]) => start < to && end > from)) continue;
      if (taken.some(([from, to]) => start < to && end > from)) continue;
      const after = text.slice(end);
      if (/^(?:'s\b|’s\b|\s*\()/.test(after) || /\($/.test(text.slice(0, start).trimEnd())) continue;
      const resolved = rule.resolve(match, reference);
      if (resolved === undefined) continue;
      taken.push([start, end]);
      inserts.push({ at: end, phrase: match[0], resolved });
    }
  }
  if (inserts.length === 0) return { text, resolutions: [] };
  inserts.sort((a, b) => b.at - a.at);
  let out = text;
  for (const insert of inserts) out = `${out.slice(0, insert.at)} (${insert.resolved})${out.slice(insert.at)}`;
  return { text: out, resolutions: inserts.reverse().map(({ phrase, resolved }) => ({ phrase, resolved })) };
}
