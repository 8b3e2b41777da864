import { createRequire } from 'node:module';
import type { countTokens } from 'gpt-tokenizer';
import { tokenize } from './query-terms.js';
import { fenceClose, fenceOpen, type DataFence } from '../shared/index.js';
import {
  GAP_MARKER,
  TURNS_HEADING,
  TURNS_PROVENANCE,
  followsDirectly,
  sessionHeading,
  turnLine,
  type TurnProvenance,
} from './turn-render.js';
import type { TurnRecord } from './turn-table.js';

/** A ranked transcript turn ready to be packed. */
export interface RecallTurnCandidate extends TurnRecord, TurnProvenance {
  score: number;
}

export interface PackedTurn extends RecallTurnCandidate {
  /** Its line as the agent reads it under its session heading: `Speaker: text`, cut to the per-turn budget. */
  rendered: string;
  /** Bytes and tokens of `rendered`. */
  bytes: number;
  tokens: number;
}

export interface TurnPackBudget {
  /** Bytes left for the transcript part, its headings included. */
  bytes: number;
  /** Tokens left for it, when the recall is packed by tokens. */
  tokens?: number;
  /** Most bytes of one turn's line; longer ones are cut. */
  lineBytes: number;
  /** Pack near-duplicates too (for measuring what skipping them is worth). */
  keepDuplicates?: boolean;
  /** Fence the transcript part as data (its open and close lines count against the budgets). */
  fence?: DataFence;
}

export interface PackedTurns {
  turns: PackedTurn[];
  /** Bytes and tokens of the transcript part as `renderTurnSection` renders it (tokens: an additive estimate). */
  bytes: number;
  tokens: number;
  /** Matching turns that did not fit. */
  leftOut: number;
  /** Turns skipped because one with the same words was already packed. */
  duplicates: number;
}

/** Tokens of a text (OpenAI o200k; an estimate for other models' tokenizers). */
export function countTextTokens(text: string): number {
  // The o200k tables take most of a second to load: only a process that counts tokens pays for them.
  tokenCounter ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: typeof countTokens }).countTokens;
  return tokenCounter(text);
}

let tokenCounter: ((text: string) => number) | undefined;

/** Cut a text to at most `maxBytes` UTF-8 bytes, at a word boundary when one is close. */
function cutLine(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = Buffer.from(text)
    .subarray(0, Math.max(0, maxBytes - 4))
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const boundary = cut.lastIndexOf(' ');
  if (boundary > cut.length * 0.6) cut = cut.slice(0, boundary);
  return `${cut.trimEnd()} […]`;
}

/** Words of a turn for near-duplicate detection. */
function wordsOf(text: string): Set<string> {
  return new Set(tokenize(text));
}

/** Same words, or (for turns of 8+ words) at least 90% of their words shared. */
function isDuplicate(words: Set<string>, packed: readonly Set<string>[]): boolean {
  return packed.some((other) => {
    if (words.size === 0 || other.size === 0) return words.size === other.size;
    let shared = 0;
    for (const word of words) if (other.has(word)) shared += 1;
    const union = words.size + other.size - shared;
    if (shared === union) return true;
    return Math.min(words.size, other.size) >= 8 && shared / union >= 0.9;
  });
}

const NEWLINE_BYTES = 1;
const NEWLINE_TOKENS = 1;

/**
 * Pack ranked turns, best first, into what is left of the budgets, as `renderTurnSection` will
 * lay them out: one heading, a line per session with its date, `…` between turns that are not
 * consecutive. A turn that does not fit is skipped and smaller ones after it may still go in;
 * near-duplicates of a packed turn are skipped so the budget goes further.
 */
export function packTurns(candidates: readonly RecallTurnCandidate[], budget: TurnPackBudget): PackedTurns {
  const result: PackedTurns = { turns: [], bytes: 0, tokens: 0, leftOut: 0, duplicates: 0 };
  if (candidates.length === 0) return result;
  const groups = new Map<string, PackedTurn[]>();
  const packedWords: Set<string>[] = [];
  const fenceLines = budget.fence ? `\n${fenceOpen(budget.fence, TURNS_PROVENANCE)}\n${fenceClose(budget.fence)}` : '';
  const headingBytes = Buffer.byteLength(TURNS_HEADING + fenceLines);
  const headingTokens = countTextTokens(TURNS_HEADING) + (fenceLines ? countTextTokens(fenceLines) : 0);
  const gapBytes = Buffer.byteLength(GAP_MARKER) + NEWLINE_BYTES;
  const gapTokens = countTextTokens(GAP_MARKER) + NEWLINE_TOKENS;
  const gapsIn = (group: readonly PackedTurn[]) =>
    group.filter((turn, index) => index > 0 && !followsDirectly(group[index - 1] as PackedTurn, turn)).length;
  for (const candidate of candidates) {
    const words = wordsOf(candidate.text);
    if (!budget.keepDuplicates && isDuplicate(words, packedWords)) {
      result.duplicates += 1;
      continue;
    }
    const rendered = cutLine(turnLine(candidate, budget.fence), budget.lineBytes);
    const turn: PackedTurn = { ...candidate, rendered, bytes: Buffer.byteLength(rendered), tokens: countTextTokens(rendered) };
    const group = groups.get(candidate.session);
    const grown = [...(group ?? []), turn].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    const newGaps = gapsIn(grown) - (group ? gapsIn(group) : 0);
    // The session's line shows the date of its earliest recalled turn, which this one may become.
    const headingBefore = group?.[0] ? sessionHeading(group[0]) : undefined;
    const headingAfter = sessionHeading(grown[0] ?? candidate);
    let bytes = turn.bytes + NEWLINE_BYTES + newGaps * gapBytes;
    let tokens = turn.tokens + NEWLINE_TOKENS + newGaps * gapTokens;
    if (headingBefore !== headingAfter) {
      bytes += Buffer.byteLength(headingAfter) - (headingBefore === undefined ? -NEWLINE_BYTES : Buffer.byteLength(headingBefore));
      tokens += countTextTokens(headingAfter) - (headingBefore === undefined ? -NEWLINE_TOKENS : countTextTokens(headingBefore));
    }
    if (result.turns.length === 0) {
      bytes += headingBytes;
      tokens += headingTokens;
    }
    if (result.bytes + bytes > budget.bytes || (budget.tokens !== undefined && result.tokens + tokens > budget.tokens)) {
      result.leftOut += 1;
      continue;
    }
    groups.set(candidate.session, grown);
    packedWords.push(words);
    result.turns.push(turn);
    result.bytes += bytes;
    result.tokens += tokens;
  }
  return result;
}
