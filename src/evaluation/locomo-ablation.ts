import {
  SearchIndex,
  TURN_RANK_DEFAULTS,
  countTextTokens,
  packRecall,
  rankTurns,
  renderRecallText,
  renderTurnLine,
  type TurnRankTuning,
} from '../retrieval/index.js';
import { rootPaths } from '../store/index.js';
import { ingestLocomoConversation } from './locomo-ingest.js';
import type { RetrieverFactory } from './locomo-retrievers.js';

/** How an ablation variant differs from mnemo's default turn recall. */
export interface AblationVariant {
  name: string;
  /** What it turns off or changes, for the report. */
  description: string;
  tuning?: Partial<TurnRankTuning>;
  /** One `[session · time · who] text` line per turn instead of turns grouped under session headings. */
  singleLines?: boolean;
  /** Keep near-duplicate turns. */
  keepDuplicates?: boolean;
}

/** The ideas kept in mnemo's turn recall, each switched off on its own. */
export const LOCOMO_ABLATIONS: readonly AblationVariant[] = [
  { name: 'mnemo (default)', description: 'everything below on' },
  {
    name: 'no neighbours',
    description: 'a turn scores only its own words (no share of the turns around it)',
    tuning: { neighbours: [[0, 1]] },
  },
  { name: 'no speaker boost', description: 'turns by a speaker the question names are not raised', tuning: { speakerBoost: 0 } },
  { name: 'no session weight', description: 'sessions that match the question as a whole are not raised', tuning: { sessionWeight: 0 } },
  { name: 'no date boost', description: 'days and months named in the question are ignored', tuning: { dateBoost: 0 } },
  { name: 'single lines', description: 'each turn on its own `[session · time · who]` line, no session headings', singleLines: true },
  { name: 'keep duplicates', description: 'near-duplicate turns are packed again', keepDuplicates: true },
];

const HEADING = '## From transcripts';

function singleLinePack(turns: ReturnType<typeof rankTurns>, budgetTokens: number): { text: string; diaIds: string[] } {
  const lines: { line: string; id: string }[] = [];
  let tokens = countTextTokens(HEADING);
  for (const turn of turns) {
    const line = renderTurnLine(turn);
    const cost = countTextTokens(line) + 1;
    if (tokens + cost > budgetTokens) continue;
    lines.push({ line, id: typeof turn.data?.dia_id === 'string' ? turn.data.dia_id : '' });
    tokens += cost;
  }
  const render = () => (lines.length === 0 ? '' : [HEADING, ...lines.map((entry) => entry.line)].join('\n'));
  while (lines.length > 0 && countTextTokens(render()) > budgetTokens) lines.pop();
  return { text: render(), diaIds: lines.map((entry) => entry.id) };
}

/**
 * A variant of mnemo's turn recall for ablations: the same ingest, the same `rankTurns` and
 * `packRecall` that `memory.recall(…, { deep: true, budgetTokens })` uses, with one idea changed.
 * For measuring only; the product always uses the defaults.
 */
export function ablationRetriever(variant: AblationVariant): RetrieverFactory {
  return async (conversation, dir) => {
    const { memory, ingestMs } = await ingestLocomoConversation(conversation, dir);
    const search = SearchIndex.open({ root: memory.root, dbPath: rootPaths(memory.root).searchDb });
    await search.sync();
    const tuning = { ...TURN_RANK_DEFAULTS, ...variant.tuning };
    return {
      ingestMs,
      recall: async (question, budgetTokens) => {
        const turns = rankTurns(search.turnTable, question, { limit: 200, tuning });
        if (variant.singleLines) return singleLinePack(turns, budgetTokens);
        const packed = packRecall(
          [],
          turns,
          { limit: 5, topicBytes: 4096, callBytes: 1 << 20, callTokens: budgetTokens },
          { keepDuplicates: variant.keepDuplicates ?? false },
        );
        return {
          text: renderRecallText(packed),
          diaIds: packed.turns.map((turn) => (typeof turn.data?.dia_id === 'string' ? turn.data.dia_id : '')),
        };
      },
      close: () => {
        search.close();
        memory.close();
      },
    };
  };
}
