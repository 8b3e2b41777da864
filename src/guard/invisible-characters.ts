import type { RawFinding } from './finding.js';

/*
 * Characters a reader does not see: the Unicode tag block (U+E0000–E007F, "ASCII smuggling"),
 * zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E), bidi embedding,
 * override and isolate controls (U+202A–U+202E, U+2066–U+2069, "Trojan Source") and runs of
 * variation selectors (U+FE00–FE0F, U+E0100–E01EF, used to hide bytes after a visible letter).
 *
 * Left alone, because text needs them: a zero-width joiner between emoji (👩‍💻), joiners and
 * non-joiners beside non-Latin letters (Persian, Indic scripts), a byte-order mark at the very
 * start, the tag sequence of a subdivision flag (🏴 + tags + U+E007F), a single variation selector.
 */

const CANDIDATES = /[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u202A-\u202E\u2066-\u2069\uFE00-\uFE0F]|\uDB40[\uDC00-\uDDEF]/g;
const HAS_CANDIDATE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u202A-\u202E\u2066-\u2069\uFE00-\uFE0F]|\uDB40[\uDC00-\uDDEF]/;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const LETTER = /\p{L}|\p{M}/u;
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;

type InvisibleKind = 'tag' | 'zero-width' | 'bidi' | 'variation';

/** One invisible character that does not belong where it is. */
interface Occurrence {
  index: number;
  length: number;
  codePoint: number;
  kind: InvisibleKind;
}

function kindOf(codePoint: number): InvisibleKind {
  if (codePoint >= 0xe0000 && codePoint <= 0xe007f) return 'tag';
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)) return 'bidi';
  if ((codePoint >= 0xfe00 && codePoint <= 0xfe0f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef)) return 'variation';
  return 'zero-width';
}

function codePointBefore(text: string, index: number): number | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return low;
}

function isForeignLetter(codePoint: number | undefined): boolean {
  return codePoint !== undefined && codePoint > 0x7f && LETTER.test(String.fromCodePoint(codePoint));
}

function isEmojiPart(codePoint: number | undefined): boolean {
  if (codePoint === undefined) return false;
  if (codePoint === 0xfe0f || (codePoint >= 0x1f3fb && codePoint <= 0x1f3ff)) return true;
  return PICTOGRAPHIC.test(String.fromCodePoint(codePoint));
}

/** Whether one zero-width character or BOM is one of the legitimate uses listed in the header. */
function isLegitimate(text: string, occurrence: Occurrence): boolean {
  const before = codePointBefore(text, occurrence.index);
  const after = text.codePointAt(occurrence.index + occurrence.length);
  switch (occurrence.codePoint) {
    case 0x200d:
      return (isEmojiPart(before) && isEmojiPart(after)) || isForeignLetter(before) || isForeignLetter(after);
    case 0x200c:
      return isForeignLetter(before) || isForeignLetter(after);
    case 0xfeff:
      return occurrence.index === 0;
    default:
      return false;
  }
}

/** A subdivision flag (🏴 + up to 7 tags ending in CANCEL TAG) or a single variation selector. */
function isLegitimateRun(text: string, run: readonly Occurrence[]): boolean {
  const first = run[0];
  const last = run[run.length - 1];
  if (!first || !last) return true;
  if (first.kind === 'variation') return run.length < 2;
  if (first.kind === 'tag') return codePointBefore(text, first.index) === BLACK_FLAG && last.codePoint === CANCEL_TAG && run.length <= 8;
  return false;
}

/** Out-of-place invisible characters, grouped into runs of one kind. */
function suspiciousRuns(text: string): Occurrence[][] {
  if (!HAS_CANDIDATE.test(text)) return [];
  const all = Array.from(text.matchAll(CANDIDATES), (match) => {
    const codePoint = match[0].codePointAt(0) ?? 0;
    return { index: match.index, length: match[0].length, codePoint, kind: kindOf(codePoint) };
  });
  // runs of consecutive candidates of one kind (variation selectors are judged by run length)
  const runs: Occurrence[][] = [];
  for (const occurrence of all) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && last.index + last.length === occurrence.index && last.kind === occurrence.kind) run.push(occurrence);
    else runs.push([occurrence]);
  }
  return runs
    .filter((run) => !isLegitimateRun(text, run))
    .map((run) => (run[0]?.kind === 'zero-width' ? run.filter((occurrence) => !isLegitimate(text, occurrence)) : run))
    .filter((run) => run.length > 0);
}

/** `text` without the invisible characters described in this file's header (legitimate uses kept). */
export function stripInvisible(text: string): string {
  const runs = suspiciousRuns(text);
  if (runs.length === 0) return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let output = '';
  let cursor = 0;
  for (const occurrence of runs.flat()) {
    output += text.slice(cursor, occurrence.index);
    cursor = occurrence.index + occurrence.length;
  }
  output += text.slice(cursor);
  return output.charCodeAt(0) === 0xfeff ? output.slice(1) : output;
}

function decodeTags(run: readonly Occurrence[]): string {
  return run
    .map((occurrence) => occurrence.codePoint - 0xe0000)
    .filter((code) => code >= 0x20 && code < 0x7f)
    .map((code) => String.fromCharCode(code))
    .join('');
}

function splitsAWord(text: string, run: readonly Occurrence[]): boolean {
  const first = run[0];
  const last = run[run.length - 1];
  if (!first || !last) return false;
  return /[A-Za-z0-9]/.test(text.charAt(first.index - 1)) && /[A-Za-z0-9]/.test(text.charAt(last.index + last.length));
}

/** Findings for invisible characters in `text` (offsets of `text` itself, not a normalized copy). */
export function findInvisibleCharacters(text: string): RawFinding[] {
  const runs = suspiciousRuns(text);
  const zeroWidthTotal = runs.filter((run) => run[0]?.kind === 'zero-width').reduce((sum, run) => sum + run.length, 0);
  const findings: RawFinding[] = [];
  for (const run of runs) {
    const first = run[0];
    const last = run[run.length - 1];
    if (!first || !last) continue;
    const span = { start: first.index, end: last.index + last.length };
    if (first.kind === 'tag') {
      const hidden = decodeTags(run);
      findings.push({
        rule: 'unicode-tag-characters',
        family: 'invisible-characters',
        severity: 'high',
        ...span,
        message: `invisible Unicode tag characters hide text${hidden ? `: "${hidden.slice(0, 120)}"` : ''}`,
      });
    } else if (first.kind === 'bidi') {
      findings.push({
        rule: 'bidi-control',
        family: 'invisible-characters',
        severity: 'medium',
        ...span,
        message: 'bidirectional control characters reorder what a reader sees (Trojan Source)',
      });
    } else if (first.kind === 'variation') {
      findings.push({
        rule: 'variation-selector-run',
        family: 'invisible-characters',
        severity: run.length >= 4 ? 'high' : 'low',
        ...span,
        message: `${run.length} variation selectors in a row can carry hidden bytes`,
      });
    } else {
      const suspicious = run.length >= 2 || zeroWidthTotal >= 3 || splitsAWord(text, run);
      findings.push({
        rule: 'zero-width-characters',
        family: 'invisible-characters',
        severity: suspicious ? 'medium' : 'low',
        ...span,
        message: splitsAWord(text, run)
          ? 'zero-width characters split a word, which hides it from filters'
          : 'zero-width characters in the text',
      });
    }
  }
  return findings;
}
