/*
 * Text from outside (a transcript line, a query, a scanned span) quoted back to a person: short,
 * and with control, invisible and format characters spelled out, so binary garbage or an escape
 * sequence never reaches the terminal raw and a 100 KB input is not echoed whole.
 */

function visible(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  if (char === '\n') return '⏎';
  if (char === '\t' || char === '\r') return ' ';
  if (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0xad ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2060 && codePoint <= 0x2069) ||
    codePoint === 0xfeff ||
    codePoint === 0xfffd ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    (codePoint >= 0xe0000 && codePoint <= 0xe01ef)
  ) {
    return `⟨U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  }
  return char;
}

/** The span [start, end) of `text` as short, visible text: invisible characters spelled out, long spans cut (at most `max` characters, then `…`). */
export function excerptOf(text: string, start = 0, end = text.length, max = 120): string {
  let excerpt = '';
  for (const char of text.slice(start, Math.min(end, start + max * 2))) {
    excerpt += visible(char);
    if (excerpt.length >= max) return `${excerpt.slice(0, max)}…`;
  }
  return end - start > max * 2 ? `${excerpt}…` : excerpt;
}

/** `text` quoted for a message: `"first words…" (118,000 characters)` when long, `"short"` otherwise; always escaped. */
export function quoteExcerpt(text: string, max = 60): string {
  const excerpt = excerptOf(text, 0, text.length, max);
  const quoted = `"${excerpt}"`;
  return text.length > max ? `${quoted} (${text.length.toLocaleString('en-US')} characters)` : quoted;
}
