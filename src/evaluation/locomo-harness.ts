import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTextTokens } from '../retrieval/index.js';
import { locomoTurnText } from './locomo-ingest.js';
import type { LocomoConversation } from './locomo-loader.js';
import { RETRIEVER_FACTORIES, type LocomoRetrieverName, type RetrieverFactory } from './locomo-retrievers.js';

/** Categories scored (5, adversarial, has no evidence to find). */
export const SCORED_CATEGORIES = [1, 2, 3, 4] as const;

/** A retriever by name, or any factory under a name of its own (for ablations). */
export type RetrieverChoice = LocomoRetrieverName | { name: string; factory: RetrieverFactory };

export interface LocomoBenchOptions {
  conversations: readonly LocomoConversation[];
  /** Token budgets, each a positive whole number. */
  budgets: readonly number[];
  retrievers: readonly RetrieverChoice[];
  /** Where the per-conversation memories go; a temp folder (removed afterwards) when left out. */
  workDir?: string;
  onProgress?: (message: string) => void;
}

/** One question answered by one retriever within one budget. */
export interface QuestionOutcome {
  conversation: string;
  question: number;
  category: number;
  budget: number;
  /** Every evidence turn is in the recalled text. */
  all: boolean;
  /** At least one is. */
  any: boolean;
  tokens: number;
  latencyMs: number;
  /** The recall failed (counted as a miss). */
  error?: string;
}

export interface RetrieverRun {
  name: string;
  /** Milliseconds to ingest and index each conversation. */
  ingestMs: Record<string, number>;
  outcomes: QuestionOutcome[];
}

export interface LocomoRun {
  conversations: string[];
  budgets: number[];
  /** Questions of categories 1–4 that name no turn of their conversation: not scored. */
  skipped: { conversation: string; question: number; evidence: string[] }[];
  retrievers: RetrieverRun[];
}

function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A question is a hit for a turn when the retriever says it returned the turn AND the text the
 * agent gets contains the turn's logged text in full. Tokens are counted on that text, with the
 * same tokenizer for every retriever; a text over the budget counts as a miss.
 */
function scoreRecall(
  evidence: readonly string[],
  recalled: { text: string; diaIds: readonly string[] },
  texts: ReadonlyMap<string, string>,
  budget: number,
) {
  const tokens = countTextTokens(recalled.text);
  const text = normalized(recalled.text);
  const returned = new Set(recalled.diaIds);
  const found = evidence.filter((id) => returned.has(id) && text.includes(normalized(texts.get(id) ?? '\u0000')));
  const within = tokens <= budget;
  return { tokens, all: within && found.length === evidence.length, any: within && found.length > 0 };
}

function resolveRetriever(choice: RetrieverChoice): { name: string; factory: RetrieverFactory } {
  return typeof choice === 'string' ? { name: choice, factory: RETRIEVER_FACTORIES[choice] } : choice;
}

/**
 * Run LoCoMo evidence recall: for each conversation and retriever, ingest into a fresh memory,
 * then recall every question of categories 1–4 at every budget. Reads only the turns, the
 * session dates and the questions' text and evidence (never annotations or answers).
 */
export async function runLocomoBenchmark(options: LocomoBenchOptions): Promise<LocomoRun> {
  const ownDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'mnemo-locomo-')));
  const run: LocomoRun = {
    conversations: options.conversations.map((c) => c.id),
    budgets: [...options.budgets],
    skipped: [],
    retrievers: [],
  };
  const retrievers = options.retrievers.map(resolveRetriever);
  for (const retriever of retrievers) run.retrievers.push({ name: retriever.name, ingestMs: {}, outcomes: [] });
  try {
    for (const conversation of options.conversations) {
      const texts = new Map(
        conversation.sessions.flatMap((session) => session.turns.map((turn) => [turn.diaId, locomoTurnText(turn)] as const)),
      );
      const questions = conversation.questions.filter((question) => SCORED_CATEGORIES.some((category) => category === question.category));
      for (const question of questions) {
        if (question.evidence.length === 0)
          run.skipped.push({ conversation: conversation.id, question: question.index, evidence: question.unusableEvidence });
      }
      const scored = questions.filter((question) => question.evidence.length > 0);
      for (const [index, retriever] of retrievers.entries()) {
        const target = run.retrievers[index] as RetrieverRun;
        const dir = join(workDir, `${conversation.id}-${retriever.name}`.replace(/[^A-Za-z0-9._-]/g, '_'));
        await mkdir(dir, { recursive: true });
        options.onProgress?.(`${conversation.id}: ${retriever.name}: ingesting ${texts.size} turns`);
        const prepared = await retriever.factory(conversation, dir);
        target.ingestMs[conversation.id] = prepared.ingestMs;
        options.onProgress?.(`${conversation.id}: ${retriever.name}: ${scored.length} questions × ${options.budgets.length} budgets`);
        try {
          for (const question of scored) {
            for (const budget of options.budgets) {
              const base = { conversation: conversation.id, question: question.index, category: question.category, budget };
              const start = performance.now();
              try {
                const recalled = await prepared.recall(question.question, budget);
                const latencyMs = performance.now() - start;
                target.outcomes.push({ ...base, ...scoreRecall(question.evidence, recalled, texts, budget), latencyMs });
              } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                target.outcomes.push({ ...base, all: false, any: false, tokens: 0, latencyMs: performance.now() - start, error: message });
              }
            }
          }
        } finally {
          prepared.close();
        }
      }
    }
  } finally {
    if (ownDir) await rm(workDir, { recursive: true, force: true });
  }
  return run;
}
