import { isUtf8 } from 'node:buffer';
/*
 * Secrets hidden by an encoding: runs of base64 (standard or URL-safe), hex and URL-encoding
 * (%XX) are decoded, and the decoded text is matched again (to a depth of two: base64 of hex of a
 * token is found); when it holds a secret, the whole encoded run is redacted. Work is bounded: a
 * run is decoded once per depth, and the decoded characters of one call stay within a budget
 * proportional to the input, so matching stays linear.
 */

export interface EncodedSpan {
  start: number;
  end: number;
  rule: string;
}

/** Finds the secret rules that match a decoded text (the caller's own detector). */
export type DecodedDetector = (decoded: string, depth: number, budget: DecodeBudget) => readonly { rule: string }[];

export interface DecodeBudget {
  /** Characters of decoded text still allowed in this call. */
  left: number;
}

/** The deepest level decoded: an encoding inside an encoding, no more. */
export const MAX_DECODE_DEPTH = 2;
/** Runs longer than this are not decoded (a certificate or an image, not a token). */
const MAX_RUN = 16_384;

/** Per ASCII character: 1 a base64 or base64url run character (the `=` padding aside), 2 a hex digit, 4 a URL-encoded run character (`%` included). */
const CHAR_CLASS = new Uint8Array(128);
const BASE64 = 1;
const HEX = 2;
const URL = 4;
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-')
  CHAR_CLASS[char.charCodeAt(0)] = (CHAR_CLASS[char.charCodeAt(0)] ?? 0) | BASE64;
for (const char of '0123456789ABCDEFabcdef') CHAR_CLASS[char.charCodeAt(0)] = (CHAR_CLASS[char.charCodeAt(0)] ?? 0) | HEX;
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%._~+-')
  CHAR_CLASS[char.charCodeAt(0)] = (CHAR_CLASS[char.charCodeAt(0)] ?? 0) | URL;
const EQUALS = 0x3d;
const PERCENT = 0x25;

const classOf = (code: number): number => (code < 128 ? (CHAR_CLASS[code] ?? 0) : 0);

/** A candidate run: where it starts and its text. */
interface Run {
  index: number;
  text: string;
}

/**
 * The encoded runs of `text`, in one pass over its characters (what three regular expressions
 * with look-behinds found before, at a tenth of the cost):
 * - base64: a maximal run of `[A-Za-z0-9+/_-]`, at least 16 long, with at most two `=` after it
 *   and no run character after those;
 * - hex: a maximal run of hex digits of even length, at least 20;
 * - URL: a maximal run of `[A-Za-z0-9%._~+-]`, at least 6 long, whose first `%` is within its
 *   first 201 characters and followed by two hex digits.
 */
export function encodedRuns(text: string): { base64: Run[]; hex: Run[]; url: Run[] } {
  const base64: Run[] = [];
  const hex: Run[] = [];
  const url: Run[] = [];
  const length = text.length;
  const hasPercent = text.includes('%');
  // base64 runs, and the hex runs inside them (hex digits are base64 characters)
  let index = 0;
  while (index < length) {
    if ((classOf(text.charCodeAt(index)) & BASE64) === 0) {
      index += 1;
      continue;
    }
    const start = index;
    let hexStart = -1;
    while (index < length) {
      const kind = classOf(text.charCodeAt(index));
      if ((kind & BASE64) === 0) break;
      if ((kind & HEX) !== 0) {
        if (hexStart < 0) hexStart = index;
      } else if (hexStart >= 0) {
        pushHex(text, hexStart, index, hex);
        hexStart = -1;
      }
      index += 1;
    }
    if (hexStart >= 0) pushHex(text, hexStart, index, hex);
    const end = index;
    let padded = end;
    while (padded < length && text.charCodeAt(padded) === EQUALS) padded += 1;
    const padding = padded - end;
    if (end - start >= 16 && padding <= 2 && (classOf(text.charCodeAt(padded)) & BASE64) === 0) {
      base64.push({ index: start, text: text.slice(start, padded) });
    }
  }
  if (hasPercent) {
    index = 0;
    while (index < length) {
      if ((classOf(text.charCodeAt(index)) & URL) === 0) {
        index += 1;
        continue;
      }
      const start = index;
      let firstPercent = -1;
      while (index < length && (classOf(text.charCodeAt(index)) & URL) !== 0) {
        if (firstPercent < 0 && text.charCodeAt(index) === PERCENT) firstPercent = index;
        index += 1;
      }
      if (
        index - start >= 6 &&
        firstPercent >= 0 &&
        firstPercent - start <= 200 &&
        (classOf(text.charCodeAt(firstPercent + 1)) & HEX) !== 0 &&
        (classOf(text.charCodeAt(firstPercent + 2)) & HEX) !== 0
      ) {
        url.push({ index: start, text: text.slice(start, index) });
      }
    }
  }
  return { base64, hex, url };
}

/** A maximal run of hex digits [start, end): kept when of even length, at least 20. */
function pushHex(text: string, start: number, end: number, into: Run[]): void {
  const size = end - start;
  if (size >= 20 && size % 2 === 0) into.push({ index: start, text: text.slice(start, end) });
}

/** Printable text (a token, an assignment, a key block), or undefined for binary. */
function printable(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  // valid UTF-8 is checked natively (a throwing decoder cost more than all the rest on noise)
  if (!isUtf8(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let good = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code >= 0x20 && code < 0x7f) || code === 0x0a || code === 0x0d || code === 0x09 || code > 0xa0) good += 1;
  }
  return good >= text.length * 0.95 ? text : undefined;
}

function fromBase64(run: string): string | undefined {
  const body = run.replace(/=+$/, '');
  if (/^[0-9A-Fa-f]+$/.test(body)) return undefined; // hex, decoded as hex
  if (/[-_]/.test(body) && /[+/]/.test(body)) return undefined;
  // an encoded token starts at the start of the run; shifting would only find noise
  return printable(Buffer.from(body, /[-_]/.test(body) ? 'base64url' : 'base64'));
}

function fromHex(run: string): string | undefined {
  return printable(Buffer.from(run, 'hex'));
}

function fromUrl(run: string): string | undefined {
  if ((run.match(/%[0-9A-Fa-f]{2}/g)?.length ?? 0) < 2) return undefined;
  try {
    const decoded = decodeURIComponent(run.replace(/\+/g, ' '));
    return decoded === run ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/**
 * Encoded runs of `text` whose decoded text holds a secret, labelled `<rule>-<encoding>`
 * (`github-token-base64`). `detect` matches the decoded text (and may decode further).
 */
export function findEncodedSecrets(text: string, detect: DecodedDetector, depth: number, budget: DecodeBudget): EncodedSpan[] {
  if (depth >= MAX_DECODE_DEPTH) return [];
  const spans: EncodedSpan[] = [];
  const examine = (match: Run, decode: (run: string) => string | undefined, encoding: string): void => {
    const run = match.text;
    if (run.length > MAX_RUN || budget.left <= 0) return;
    const decoded = decode(run);
    // a secret is at least 8 characters without a space: "a b c" or "hello world" cannot hold one
    if (decoded === undefined || !/[^\s]{8}/.test(decoded)) return;
    budget.left -= decoded.length;
    const inner = detect(decoded, depth + 1, budget);
    const first = inner[0];
    if (first)
      spans.push({
        start: match.index,
        end: match.index + run.length,
        rule: `${first.rule.replace(/-(?:base64|hex|url)$/, '')}-${encoding}`,
      });
  };
  const runs = encodedRuns(text);
  for (const match of runs.base64) examine(match, fromBase64, 'base64');
  for (const match of runs.hex) examine(match, fromHex, 'hex');
  for (const match of runs.url) examine(match, fromUrl, 'url');
  return spans;
}
