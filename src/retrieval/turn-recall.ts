import { queryTerms } from './query-terms.js';
import { namedPeriods, namedSpeakers, type NamedPeriod } from './turn-query.js';
import { sessionPartKey, type TermHit, type TurnHit, type TurnPosition, type TurnTable } from './turn-table.js';

/**
 * How transcript turns are ranked. The defaults are what recall uses; they were set on two
 * LoCoMo conversations and checked on three held out (docs/benchmarks.md, "LoCoMo evidence
 * recall", which also gives what each part is worth).
 */
export interface TurnRankTuning {
  /**
   * How much of a matching turn's score its neighbours get, by offset: +1 is the turn after it
   * (the answer to a question that matched), -1 the turn before. Offset 0 is the turn itself.
   */
  neighbours: readonly (readonly [offset: number, weight: number])[];
  /** Turns by a speaker the query names score (1 + this) times as much. */
  speakerBoost: number;
  /**
   * Turns of the sessions that match the whole query best (BM25 over each session's text as one
   * document, which links words said turns apart) score up to (1 + this) times as much. A long
   * session is scored in parts of 64 transcript lines, each turn by its own part.
   */
  sessionWeight: number;
  /** Turns from a day, month or year the query names (or up to `dateSlackDays` after it) score (1 + this) times as much. */
  dateBoost: number;
  dateSlackDays: number;
  /** Most matches read per query term. */
  termLimit: number;
  /** Most query terms searched (the first ones). */
  maxTerms: number;
}

export const TURN_RANK_DEFAULTS: TurnRankTuning = {
  neighbours: [
    [-2, 0.1],
    [-1, 0.2],
    [0, 1],
    [1, 0.5],
    [2, 0.15],
  ],
  speakerBoost: 2,
  sessionWeight: 0.6,
  dateBoost: 1,
  dateSlackDays: 7,
  termLimit: 200,
  maxTerms: 32,
};

export interface RankTurnsOptions {
  /** Most turns returned (default 50). */
  limit?: number;
  includeInjected?: boolean;
  tuning?: Partial<TurnRankTuning>;
}

const DAY_MS = 86_400_000;

function keyOf(position: Pick<TurnPosition, 'file' | 'line'>): string {
  return `${position.file}\u0000${position.line}`;
}

/** The turns around every hit, in file order, so that neighbours can be found by offset. */
function neighbourhoods(
  table: TurnTable,
  hits: readonly TermHit[],
  reach: number,
  includeInjected: boolean,
): Map<string, { list: TurnPosition[]; index: number }> {
  const byFile = new Map<string, number[]>();
  for (const hit of hits) {
    const lines = byFile.get(hit.file);
    if (lines) lines.push(hit.line);
    else byFile.set(hit.file, [hit.line]);
  }
  const located = new Map<string, { list: TurnPosition[]; index: number }>();
  // Lines are fetched with some slack, since a skipped line (a bad one, an injected turn) is not a turn.
  const margin = reach + 2;
  for (const [file, lines] of byFile) {
    const sorted = [...new Set(lines)].sort((a, b) => a - b);
    let from = (sorted[0] ?? 0) - margin;
    let to = (sorted[0] ?? 0) + margin;
    const flush = () => {
      const list = table.window(file, from, to, { includeInjected });
      list.forEach((position, index) => located.set(keyOf(position), { list, index }));
    };
    for (const line of sorted.slice(1)) {
      if (line - margin <= to + 1) to = line + margin;
      else {
        flush();
        from = line - margin;
        to = line + margin;
      }
    }
    flush();
  }
  return located;
}

function inPeriods(time: string, periods: readonly NamedPeriod[], slackDays: number): boolean {
  const at = Date.parse(time);
  if (Number.isNaN(at)) return false;
  return periods.some((period) => at >= period.start && at < period.end + slackDays * DAY_MS);
}

/**
 * Rank transcript turns for a query. Each query term is matched on its own (BM25 over turn
 * text); a turn's score is the sum over terms of its own weight and a share of its neighbours'
 * (so the answer after a matching question ranks too), raised for sessions that match the query
 * as a whole (BM25 over the session's text, in parts of 64 lines for long sessions),
 * for speakers the query names and for dates the query names. Lexical only: no model. Turns
 * mnemo injected into a context are left out unless asked for.
 */
export function rankTurns(table: TurnTable, query: string, options: RankTurnsOptions = {}): TurnHit[] {
  const tuning = { ...TURN_RANK_DEFAULTS, ...options.tuning };
  const includeInjected = options.includeInjected ?? false;
  const terms = queryTerms(query).slice(0, tuning.maxTerms);
  const hitsByTerm = terms.map((term) => table.matchTerm(term, { limit: tuning.termLimit, includeInjected }));
  const allHits = hitsByTerm.flat();
  if (allHits.length === 0) return [];
  const reach = Math.max(0, ...tuning.neighbours.map(([offset]) => Math.abs(offset)));
  const located = neighbourhoods(table, allHits, reach, includeInjected);
  const scores = new Map<string, { position: TurnPosition; score: number }>();
  for (const hits of hitsByTerm) {
    for (const hit of hits) {
      const place = located.get(keyOf(hit));
      for (const [offset, weight] of tuning.neighbours) {
        const position = place ? place.list[place.index + offset] : offset === 0 ? hit : undefined;
        if (!position || weight === 0) continue;
        const key = keyOf(position);
        const entry = scores.get(key) ?? { position, score: 0 };
        entry.score += weight * hit.score;
        scores.set(key, entry);
      }
    }
  }
  const sessionScores = tuning.sessionWeight > 0 ? table.matchSessionParts(terms) : new Map<string, number>();
  const bestSession = Math.max(Number.MIN_VALUE, ...sessionScores.values());
  const years = [...new Set(allHits.map((hit) => new Date(hit.time).getUTCFullYear()).filter((year) => !Number.isNaN(year)))];
  const periods = namedPeriods(query, years);
  const speakers = table.speakers();
  const named = new Set(namedSpeakers(queryTerms(query), speakers));
  const boostSpeakers = named.size > 0 && named.size < speakers.length;
  const ranked = [...scores.values()]
    .map(({ position, score }) => {
      let total = score * (1 + tuning.sessionWeight * ((sessionScores.get(sessionPartKey(position)) ?? 0) / bestSession));
      if (boostSpeakers && position.speaker !== undefined && named.has(position.speaker)) total *= 1 + tuning.speakerBoost;
      if (periods.length > 0 && inPeriods(position.time, periods, tuning.dateSlackDays)) total *= 1 + tuning.dateBoost;
      return { rowid: position.rowid, score: total };
    })
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.rowid - b.rowid)
    .slice(0, options.limit ?? 50);
  const scoreOf = new Map(ranked.map((entry) => [entry.rowid, entry.score]));
  return table.records(ranked.map((entry) => entry.rowid)).map((record) => ({ ...record, score: scoreOf.get(record.rowid) ?? 0 }));
}
