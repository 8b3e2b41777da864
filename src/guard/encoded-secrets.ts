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

const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_RUN = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){10,}(?![0-9A-Fa-f])/g;
/** A URL-encoded run: ordinary URL characters with at least two %XX escapes among them. */
const URL_RUN = /(?<![A-Za-z0-9%._~+-])(?=[A-Za-z0-9._~+-]{0,200}%[0-9A-Fa-f]{2})[A-Za-z0-9%._~+-]{6,}/g;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Printable text (a token, an assignment, a key block), or undefined for binary. */
function printable(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
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
  const examine = (match: RegExpExecArray, decode: (run: string) => string | undefined, encoding: string): void => {
    const run = match[0];
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
  for (const match of text.matchAll(BASE64_RUN)) examine(match, fromBase64, 'base64');
  for (const match of text.matchAll(HEX_RUN)) examine(match, fromHex, 'hex');
  if (text.includes('%')) for (const match of text.matchAll(URL_RUN)) examine(match, fromUrl, 'url');
  return spans;
}
