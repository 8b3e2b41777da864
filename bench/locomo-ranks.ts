/*
 * Where LoCoMo evidence ranks in mnemo's turn ranking, and how many turns a recall packs: the
 * share of questions whose evidence turns are ALL among the first k ranked turns, by category,
 * on the development and held-out conversations (docs/benchmarks.md, "Where the budget goes").
 * It tells ranking problems (evidence ranked low or not at all) from packing ones (ranked well
 * but not fitting in the budget).
 *   LOCOMO_RANKS=1 npx tsx bench/locomo.ts      (or: npx tsx bench/locomo-ranks.ts)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CATEGORY_NAMES,
  SCORED_CATEGORIES,
  ingestLocomoConversation,
  loadLocomoDirectory,
  type LocomoConversation,
} from '../src/evaluation/index.js';
import { SearchIndex, countTextTokens, packRecall, rankTurns, renderRecallText } from '../src/retrieval/index.js';
import { rootPaths } from '../src/store/index.js';
import { markdownTable, percentile } from './bench-utils.js';

/** Ranks that matter: what 1,000 tokens hold (about 22 turns), and what more would need. */
export const RANK_CUTS = [5, 10, 22, 40, 100, 200] as const;
/** Turns ranked per question: past what any budget here packs, so 'ranked at all (first 1000)' means within these. */
const RANK_LIMIT = 1000;

export interface EvidenceRank {
  conversation: string;
  category: number;
  /** Position (0-based) of the lowest-ranked evidence turn; Infinity when one is not ranked at all. */
  worst: number;
  /** Turns a recall of `budget` tokens packs, by budget. */
  packed: Record<number, number>;
  /** Tokens of the whole recalled text, and of the packed turns' own words alone, by budget. */
  tokens: Record<number, { total: number; words: number }>;
}

/** Rank every scored question of each conversation the way `recall --deep` does, and pack it at each budget. */
export async function measureEvidenceRanks(conversations: readonly LocomoConversation[], budgets: readonly number[]): Promise<EvidenceRank[]> {
  const results: EvidenceRank[] = [];
  const workDir = await mkdtemp(join(tmpdir(), 'mnemo-locomo-ranks-'));
  try {
    for (const conversation of conversations) {
      const { memory } = await ingestLocomoConversation(conversation, join(workDir, conversation.id));
      const search = SearchIndex.open({ root: memory.root, dbPath: rootPaths(memory.root).searchDb });
      try {
        await search.sync();
        for (const question of conversation.questions) {
          if (!SCORED_CATEGORIES.some((category) => category === question.category) || question.evidence.length === 0) continue;
          const ranked = rankTurns(search.turnTable, question.question, { limit: RANK_LIMIT });
          const positions = question.evidence.map((id) => ranked.findIndex((turn) => turn.data?.dia_id === id));
          const worst = positions.some((position) => position < 0) ? Number.POSITIVE_INFINITY : Math.max(...positions);
          const packed: Record<number, number> = {};
          const tokens: Record<number, { total: number; words: number }> = {};
          for (const budget of budgets) {
            const recall = packRecall([], ranked, { limit: 5, topicBytes: 4096, callBytes: 1 << 20, callTokens: budget });
            packed[budget] = recall.turns.length;
            tokens[budget] = {
              total: countTextTokens(renderRecallText(recall)),
              words: recall.turns.reduce((sum, turn) => sum + countTextTokens(turn.text), 0),
            };
          }
          results.push({ conversation: conversation.id, category: question.category, worst, packed, tokens });
        }
      } finally {
        search.close();
        memory.close();
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return results;
}

/** The share of questions with all evidence in the first k, per category and overall, as markdown. */
export function evidenceRankTable(ranks: readonly EvidenceRank[]): string {
  const groups: [string, EvidenceRank[]][] = [
    ['all categories', [...ranks]],
    ...SCORED_CATEGORIES.map((category): [string, EvidenceRank[]] => [
      CATEGORY_NAMES[category] ?? String(category),
      ranks.filter((rank) => rank.category === category),
    ]),
  ];
  const share = (group: readonly EvidenceRank[], cut: number) =>
    group.length === 0 ? '-' : (group.filter((rank) => rank.worst < cut).length / group.length).toFixed(3);
  return markdownTable(
    ['questions', 'n', ...RANK_CUTS.map((cut) => `top ${cut}`), 'ranked at all (first 1000)'],
    groups.map(([name, group]) => [name, String(group.length), ...RANK_CUTS.map((cut) => share(group, cut)), share(group, Number.POSITIVE_INFINITY)]),
  );
}

/** Turns packed per recall at each budget (p10 / median / p90), and the share of tokens that are the turns' own words. */
export function packedTurnsLine(ranks: readonly EvidenceRank[], budgets: readonly number[]): string {
  return budgets
    .map((budget) => {
      const counts = ranks.map((rank) => rank.packed[budget] ?? 0);
      const total = ranks.reduce((sum, rank) => sum + (rank.tokens[budget]?.total ?? 0), 0);
      const words = ranks.reduce((sum, rank) => sum + (rank.tokens[budget]?.words ?? 0), 0);
      const share = total === 0 ? '-' : `${((100 * words) / total).toFixed(0)}%`;
      return `${budget} tokens: ${percentile(counts, 10)} / ${percentile(counts, 50)} / ${percentile(counts, 90)} turns (p10 / median / p90), ${share} of the tokens the turns' own words`;
    })
    .join('; ');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dir = resolve(root, process.env.LOCOMO_DIR ?? '../shared/bench/locomo');
  const ranks = await measureEvidenceRanks(await loadLocomoDirectory(dir), [500, 1000, 2000]);
  process.stdout.write(`${evidenceRankTable(ranks)}\n\n${packedTurnsLine(ranks, [500, 1000, 2000])}\n`);
}
