/**
 * Patterns stored in evidence (`contains`, `expect.stdout`, `expect.body`) are regular
 * expressions, matched multiline. A pattern that is not a valid regex, or that only matches as
 * literal text (`run(x)`), is also tried as plain text, so a literal never reads as "gone".
 */

export interface PatternMatch {
  matched: boolean;
  /** The text matched (the first match). */
  text?: string;
  /** Capture groups of the first match ('' for a group that did not take part). */
  captures: string[];
  /** The index of the first match in the searched text. */
  index?: number;
}

/** The regex of a stored pattern (multiline), or undefined when it is not a valid regex. */
export function compilePattern(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'm');
  } catch {
    return undefined;
  }
}

/** Find a stored pattern in a text: as a regex first, then as literal text. */
export function findPattern(source: string, text: string): PatternMatch {
  const regex = compilePattern(source);
  const match = regex?.exec(text);
  if (match) return { matched: true, text: match[0], captures: match.slice(1).map((value) => value ?? ''), index: match.index };
  const literal = text.indexOf(source);
  if (literal !== -1) return { matched: true, text: source, captures: [], index: literal };
  return { matched: false, captures: [] };
}

/** The number of capture groups of a stored pattern (0 when not a valid regex). */
export function captureGroupCount(source: string): number {
  const regex = compilePattern(source);
  if (!regex) return 0;
  const probe = new RegExp(`${regex.source}|`, regex.flags).exec('');
  return probe ? probe.length - 1 : 0;
}

/**
 * A looser form of a pattern for prose: separators written in the pattern (spaces, `\s+`, `:`,
 * `=`) match any run of spaces, colons and equals signs, so `port: (\d+)` also finds "port 8080".
 * Undefined when the loosened pattern is not a valid regex.
 */
export function loosenPattern(source: string): RegExp | undefined {
  const loosened = source.replace(/(?:\\s[+*?]?|[ \t]+|(?<![\\?<])[:=])+/g, '[\\s:=]*');
  if (loosened === source) return undefined;
  try {
    return new RegExp(loosened, 'im');
  } catch {
    return undefined;
  }
}

/** A pattern as people read it in a detail: `/strategy: blue-green/`. */
export function showPattern(source: string): string {
  const short = source.length > 80 ? `${source.slice(0, 77)}…` : source;
  return `/${short}/`;
}

/** A short, single-line excerpt of a text for details. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
