/**
 * The text the injection rules read: invisible characters removed, each character in NFKC form
 * (fullwidth `ｉｇｎｏｒｅ` reads as `ignore`, no-break spaces as spaces) and look-alike Cyrillic
 * and Greek letters read as Latin inside words that also hold Latin letters (`іgnоre` with
 * Cyrillic і and о). Every unit keeps the span of the original character it came from, so a
 * finding points into the text as written.
 */
export interface NormalizedText {
  text: string;
  /** Length of the original text. */
  originalLength: number;
  /** Per unit of `text`: offset of its original character; undefined when nothing changed. */
  starts: Int32Array | undefined;
  /** Per unit of `text`: offset just past its original character. */
  ends: Int32Array | undefined;
}

const SKIPPED = /[\u00AD\u034F\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFE00-\uFE0F\uFEFF]|\uDB40[\uDC00-\uDDEF]/;
const NEEDS_WORK = /[^\x00-\x7f]/;

/** Cyrillic and Greek letters that look like Latin ones. */
const CONFUSABLES = new Map<string, string>(
  Object.entries({
    а: 'a',
    в: 'b',
    е: 'e',
    ё: 'e',
    к: 'k',
    м: 'm',
    н: 'h',
    о: 'o',
    р: 'p',
    с: 'c',
    т: 't',
    у: 'y',
    х: 'x',
    і: 'i',
    ї: 'i',
    ј: 'j',
    ѕ: 's',
    ԁ: 'd',
    һ: 'h',
    ԛ: 'q',
    ԝ: 'w',
    ɡ: 'g',
    А: 'A',
    В: 'B',
    Е: 'E',
    К: 'K',
    М: 'M',
    Н: 'H',
    О: 'O',
    Р: 'P',
    С: 'C',
    Т: 'T',
    У: 'Y',
    Х: 'X',
    І: 'I',
    Ј: 'J',
    Ѕ: 'S',
    α: 'a',
    ε: 'e',
    ι: 'i',
    κ: 'k',
    ν: 'v',
    ο: 'o',
    ρ: 'p',
    τ: 't',
    υ: 'u',
    χ: 'x',
    ϲ: 'c',
    Α: 'A',
    Β: 'B',
    Ε: 'E',
    Ζ: 'Z',
    Η: 'H',
    Ι: 'I',
    Κ: 'K',
    Μ: 'M',
    Ν: 'N',
    Ο: 'O',
    Ρ: 'P',
    Τ: 'T',
    Υ: 'Y',
    Χ: 'X',
  }),
);

const ASCII_RUN = /[\x00-\x7f]+/y;
const MIXED_WORD = /[\p{L}\p{M}]+/gu;

/** Build the normalized view of `input` (see NormalizedText). Linear in its length. */
export function normalizeForScan(input: string): NormalizedText {
  if (!NEEDS_WORK.test(input)) return { text: input, originalLength: input.length, starts: undefined, ends: undefined };
  // pieces: verbatim ASCII runs (mapped unit by unit) and normalized single characters
  const pieces: string[] = [];
  const sources: number[] = [];
  const verbatim: boolean[] = [];
  const sourceEnds: number[] = [];
  let sawConfusable = false;
  let index = 0;
  const asciiRun = new RegExp(ASCII_RUN);
  while (index < input.length) {
    asciiRun.lastIndex = index;
    const run = asciiRun.exec(input);
    if (run) {
      pieces.push(run[0]);
      sources.push(index);
      sourceEnds.push(index + run[0].length);
      verbatim.push(true);
      index += run[0].length;
      continue;
    }
    const codePoint = input.codePointAt(index) ?? 0;
    const char = String.fromCodePoint(codePoint);
    const next = index + char.length;
    if (!SKIPPED.test(char)) {
      if (CONFUSABLES.has(char)) sawConfusable = true;
      pieces.push(char.normalize('NFKC'));
      sources.push(index);
      sourceEnds.push(next);
      verbatim.push(false);
    }
    index = next;
  }
  let text = pieces.join('');
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  let unit = 0;
  pieces.forEach((piece, position) => {
    const source = sources[position] ?? 0;
    const sourceEnd = sourceEnds[position] ?? source;
    for (let offset = 0; offset < piece.length; offset++) {
      starts[unit] = verbatim[position] ? source + offset : source;
      ends[unit] = verbatim[position] ? source + offset + 1 : sourceEnd;
      unit += 1;
    }
  });
  // look-alikes are single units mapped to single units: offsets stay valid
  if (sawConfusable) text = text.replace(MIXED_WORD, readMixedWordAsLatin);
  return { text, originalLength: input.length, starts, ends };
}

/** A word that mixes Latin letters with look-alikes, read as Latin; other words unchanged. */
function readMixedWordAsLatin(word: string): string {
  if (!/[A-Za-z]/.test(word)) return word;
  let changed = false;
  let output = '';
  for (const char of word) {
    const latin = CONFUSABLES.get(char);
    if (latin !== undefined) changed = true;
    output += latin ?? char;
  }
  return changed && output.length === word.length ? output : word;
}

/** The span of the original text that a span of the normalized text came from. */
export function originalSpan(normalized: NormalizedText, start: number, end: number): { start: number; end: number } {
  const { starts, ends, originalLength } = normalized;
  if (!starts || !ends) return { start, end };
  const originalStart = start < starts.length ? (starts[start] ?? originalLength) : originalLength;
  const originalEnd = end > 0 && end - 1 < ends.length ? (ends[end - 1] ?? originalLength) : originalStart;
  return { start: originalStart, end: Math.max(originalStart, originalEnd) };
}
