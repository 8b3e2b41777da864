/*
 * Error signatures: the stable part of an error message, so that the same failure is recognized
 * across runs, machines and wordings. Paths, line and column numbers, addresses, ids, numbers and
 * timestamps are replaced by placeholders; the stack below the message is dropped.
 */

import { signatureWords } from '../retrieval/index.js';

// `error TS2322:` (tsc), `error CS0103:` (C#): a compiler's coded error is an error line too.
const ERROR_LINE =
  /\b[A-Z][A-Za-z]*(?:Error|Exception|Failure)\b|\berror(?:\[[A-Z]?\d+\])?:|\berror\s+[A-Z]{1,5}\d{2,5}:|\bERR!|\bFAIL(?:ED)?\b|\bpanic:|\bfatal:|\bTraceback\b|\bSegmentation fault\b|\bE\d{3,5}\b|\bcannot\b|\bnot found\b|\bundefined reference\b/i;

const REPLACEMENTS: [RegExp, string][] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b0x[0-9a-f]+\b/gi, '<addr>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<host>'],
  [/\blocalhost:\d+\b/g, '<host>'],
  [/\bhttps?:\/\/[^\s)'"]+/gi, '<url>'],
  // Paths: absolute, relative with a slash, Windows, file: URLs; with optional :line:col.
  [/(?:file:\/\/)?(?:[A-Za-z]:\\|\/|\.{1,2}\/|~\/)?(?:[\w@.+-]+[\\/])+[\w@.+-]+(?::\d+){0,2}/g, '<path>'],
  [/\b[\w-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|rb|go|rs|java|kt|c|cc|cpp|h|hpp|cs|php|json|ya?ml|toml|lock|sh)(?::\d+){0,2}\b/g, '<path>'],
  [/\b(?:line|ln|col|column)\s*\d+/gi, '<pos>'],
  [/\b\d+(?:\.\d+)?\b/g, '<n>'],
];

/** Generated identifiers (hashes, request ids, temp names) become `<id>`; error codes stay. */
function replaceIdentifiers(text: string): string {
  return text.replace(/[A-Za-z0-9_][\w-]*/g, (token) => {
    if (/^[A-Z]{1,5}\d{2,5}$/.test(token)) return token;
    const digits = token.replace(/\D/g, '').length;
    if (digits >= 4 || (digits > 0 && /[0-9a-f]{8,}/i.test(token))) return '<id>';
    return token;
  });
}

/** Lines of a stack trace or a pointer under the message. */
const STACK_LINE = /^\s*(?:at\s|File "|from\s|\^|~+|\d+\s*\|)/;

/** Normalize one line: placeholders for the variable parts, collapsed whitespace. */
export function normalizeErrorText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REPLACEMENTS.slice(0, -1)) out = out.replace(pattern, replacement);
  out = replaceIdentifiers(out);
  const [numbers, placeholder] = REPLACEMENTS.at(-1) as [RegExp, string];
  return out
    .replace(numbers, placeholder)
    .replace(/\s+at\s.*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The signature of an error text (a message, a log, a test run's output tail): its first line
 * that looks like an error, normalized. Undefined when no line looks like an error.
 */
export function errorSignature(text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !STACK_LINE.test(line));
  const line = lines.find((candidate) => ERROR_LINE.test(candidate));
  if (line === undefined) return undefined;
  // A log prefix (time, level, bracketed tags) is not part of the error.
  const signature = normalizeErrorText(line)
    .replace(/^(?:<time>|<n>|\[[^\]]*\]|[-:|\s])+/, '')
    .slice(0, 200);
  return signature.replace(/[<>]/g, '').trim() === '' ? undefined : signature;
}

/**
 * Whether a text (a query, a new error) carries a known signature: its normalized form contains
 * the signature, or holds all of the signature's words in order.
 */
export function matchesSignature(text: string, signature: string): boolean {
  return matchesNormalizedSignature(normalizeErrorText(text).toLowerCase(), signature);
}

/** `matchesSignature` for a text already normalized (`normalizeErrorText`, lower-cased): normalize once, test many. */
export function matchesNormalizedSignature(normalized: string, signature: string): boolean {
  if (normalized.includes(signature.toLowerCase())) return true;
  const wanted = signatureWords(signature).filter((word) => !word.startsWith('<'));
  if (wanted.length < 3) return false;
  const have = signatureWords(normalized);
  let position = 0;
  for (const word of have) {
    if (word === wanted[position]) position += 1;
    if (position === wanted.length) return true;
  }
  return false;
}

const KEPT_PLACEHOLDER = /<(n|id)>/g;
const ANY_PLACEHOLDER = /<(?:n|id|time|addr|host|url|path|pos)>/;

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}

/** A number that carries meaning (a port, a status code, a version), not a generated id or a timestamp. */
function meaningfulNumber(value: string): boolean {
  return /^\d{1,6}(?:\.\d+){0,3}$/.test(value);
}

/**
 * The signature with the numbers put back that are the same in every occurrence: a port, a status
 * code or a version that every `text` shares is part of the error's meaning (`EADDRINUSE :::8080`),
 * while one that differs between occurrences stays `<n>`. Generated ids and times stay placeholders.
 * The generic signature is still what lessons are matched and grouped by.
 */
export function specificSignature(signature: string, texts: readonly string[]): string {
  if (texts.length === 0 || !KEPT_PLACEHOLDER.test(signature)) return signature;
  const parts = signature.split(/(<(?:n|id|time|addr|host|url|path|pos)>)/);
  const pattern = parts
    .map((part) => {
      if (part === '<n>') return '(\\d+(?:\\.\\d+)?)';
      if (part === '<id>') return '([\\w-]+)';
      if (ANY_PLACEHOLDER.test(part)) return '(?:\\S+?)';
      return escapeLiteral(part);
    })
    .join('');
  let matcher: RegExp;
  try {
    matcher = new RegExp(pattern);
  } catch {
    return signature;
  }
  const values: string[][] = [];
  for (const text of texts) {
    const line = text.split(/\r?\n/).find((candidate) => matcher.test(candidate));
    const match = line === undefined ? null : matcher.exec(line);
    if (!match) return signature;
    values.push(match.slice(1));
  }
  let index = 0;
  return parts
    .map((part) => {
      if (part !== '<n>' && part !== '<id>') return part;
      const seen = new Set(values.map((row) => row[index]));
      index += 1;
      const [value] = [...seen];
      return seen.size === 1 && value !== undefined && meaningfulNumber(value) ? value : part;
    })
    .join('');
}

/** A line of an error to show as an example: the first non-empty one that says more than the signature; undefined when none does. */
export function exampleLine(texts: readonly string[], signature: string): string | undefined {
  for (const text of texts) {
    const line = text
      .split(/\r?\n/)
      .map((candidate) => candidate.trim())
      .find((candidate) => candidate !== '');
    if (line !== undefined && line !== signature) return line;
  }
  return undefined;
}
