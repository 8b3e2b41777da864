import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { describeError, errnoCode, sha256 } from '../shared/index.js';
import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type FileEvidence } from './check-context.js';
import { captureGroupCount, excerpt, findPattern, loosenPattern, showPattern, type PatternMatch } from './text-pattern.js';
import { resolveWorkspacePath } from './workspace-path.js';

/** Files larger than this are not read for `contains` or `hash`. */
export const MAX_CHECKED_FILE_BYTES = 8 * 1024 * 1024;

/** `sha256:ABC` or `ABC` → `abc`. */
function normalizeHash(hash: string): string {
  return hash
    .trim()
    .replace(/^sha256[:-]/i, '')
    .toLowerCase();
}

/**
 * Where the topic's body states the value a capture group of `pattern` takes: the pattern as
 * written, then a looser form for prose ("port 8080" for `port: (\d+)`).
 */
export function findStatedValue(pattern: string, body: string): PatternMatch | undefined {
  const strict = findPattern(pattern, body);
  if (strict.matched && strict.captures.length > 0) return strict;
  const loose = loosenPattern(pattern)?.exec(body);
  if (!loose || loose.length < 2) return undefined;
  return { matched: true, text: loose[0], captures: loose.slice(1).map((value) => value ?? ''), index: loose.index };
}

/** Compare captured values of the file with those the body states; a difference contradicts. */
function checkStatedValues(evidence: FileEvidence, pattern: string, inFile: PatternMatch, body: string): CheckOutcome | undefined {
  if (captureGroupCount(pattern) === 0 || inFile.captures.length === 0) return undefined;
  const stated = findStatedValue(pattern, body);
  if (!stated) return undefined;
  const differs = inFile.captures.some((value, index) => stated.captures[index] !== undefined && stated.captures[index] !== value);
  if (!differs) return undefined;
  return contradicted(`${evidence.path} now has "${excerpt(inFile.text ?? '')}"; the topic says "${excerpt(stated.text ?? '')}"`, {
    captured: inFile.captures,
    stated: stated.captures,
    statedText: stated.text,
    matchedText: inFile.text,
  });
}

async function statOrGone(absolute: string): Promise<Stats | 'gone'> {
  try {
    return await stat(absolute);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'gone';
    throw error;
  }
}

/**
 * `file` evidence: the path exists inside the workspace; `contains` (a multiline regex, or the
 * literal text) is found in it; `hash` (sha256) equals its content's. With `context.body`, a
 * `contains` capture group must still capture the value the body states.
 */
export async function checkFile(evidence: FileEvidence, context: CheckContext): Promise<CheckOutcome> {
  const resolved = await resolveWorkspacePath(context.workspace, evidence.path);
  if (!resolved.ok) return unverifiable(resolved.reason);
  const path = evidence.path;
  let stats: Stats | 'gone';
  try {
    stats = await statOrGone(resolved.absolute);
  } catch (error) {
    return unverifiable(`cannot read ${path}: ${describeError(error)}`);
  }
  if (stats === 'gone') return contradicted(`${path} is gone`, { exists: false });
  const wantsContent = evidence.contains !== undefined || evidence.hash !== undefined;
  if (stats.isDirectory()) {
    return wantsContent
      ? contradicted(`${path} is now a folder, not a file`, { exists: true, folder: true })
      : confirmed(`${path} exists (a folder)`, { exists: true, folder: true });
  }
  if (!wantsContent) return confirmed(`${path} exists`, { exists: true, size: stats.size });
  if (stats.size > MAX_CHECKED_FILE_BYTES)
    return unverifiable(`${path} is too large to read (${stats.size} bytes; the limit is ${MAX_CHECKED_FILE_BYTES})`);

  const content = await readFile(resolved.absolute, context.signal ? { signal: context.signal } : {});
  const observed: Record<string, unknown> = { exists: true, size: content.byteLength };
  if (evidence.hash !== undefined) {
    const actual = sha256(content);
    observed['sha256'] = actual;
    const expected = normalizeHash(evidence.hash);
    if (actual !== expected)
      return contradicted(`${path} changed: its sha256 is ${actual.slice(0, 12)}…, the evidence says ${expected.slice(0, 12)}…`, observed);
  }
  if (evidence.contains !== undefined) {
    const match = findPattern(evidence.contains, content.toString('utf8'));
    if (!match.matched) return contradicted(`${path} no longer contains ${showPattern(evidence.contains)}`, observed);
    observed['matchedText'] = match.text;
    if (match.captures.length > 0) observed['captured'] = match.captures;
    const drift = context.body === undefined ? undefined : checkStatedValues(evidence, evidence.contains, match, context.body);
    if (drift) return { ...drift, observed: { ...observed, ...drift.observed } };
    return confirmed(`${path} contains ${showPattern(evidence.contains)}`, observed);
  }
  return confirmed(`${path} is unchanged (sha256 matches)`, observed);
}
