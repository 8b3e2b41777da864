import type { EmbeddingsConfig } from '../config/index.js';
import { silentLogger } from '../shared/index.js';
import { Bm25Baseline } from './bm25-baseline.js';
import { ingestLocomoConversation, locomoSessionId, locomoTurnText } from './locomo-ingest.js';
import type { LocomoConversation } from './locomo-loader.js';

export const LOCOMO_RETRIEVERS = ['mnemo', 'bm25-baseline'] as const;
export type LocomoRetrieverName = (typeof LOCOMO_RETRIEVERS)[number];

/** What an agent would get for one question: the text, and the dia_ids of the turns the retriever says are in it. */
export interface RecalledEvidence {
  text: string;
  diaIds: string[];
}

/** A retriever made ready for one conversation. */
export interface PreparedRetriever {
  /** Milliseconds spent getting ready (ingest and indexing). */
  readonly ingestMs: number;
  recall(question: string, budgetTokens: number): Promise<RecalledEvidence>;
  close(): void;
}

/** Build a retriever for a conversation; `dir` is an empty folder it may use. */
export type RetrieverFactory = (conversation: LocomoConversation, dir: string) => Promise<PreparedRetriever>;

/**
 * mnemo as an agent uses it: every session logged to a fresh memory through the transcript
 * path, then `memory.recall(question, { deep: true, budgetTokens })` (the same call the CLI's
 * `mnemo recall --deep --tokens N` and the MCP tool make).
 */
export const mnemoRetriever: RetrieverFactory = async (conversation, dir) => {
  const { memory, ingestMs } = await ingestLocomoConversation(conversation, dir);
  return {
    ingestMs,
    recall: async (question, budgetTokens) => {
      const result = await memory.recall(question, { deep: true, budgetTokens });
      return { text: result.text, diaIds: result.turns.map((turn) => (typeof turn.data?.dia_id === 'string' ? turn.data.dia_id : '')) };
    },
    close: () => memory.close(),
  };
};

/** The name hybrid recall is reported under, beside `mnemo` (lexical) and `bm25-baseline`. */
export const HYBRID_RETRIEVER_NAME = 'mnemo-hybrid';

/**
 * mnemo's hybrid recall with an embedder: the same ingest, every turn embedded (counted in the
 * ingest time), then `memory.recall(question, { deep: true, budgetTokens, mode: 'hybrid' })`.
 * A recall that ran lexical because the embedder failed counts as a failed recall.
 */
export function hybridRetriever(embeddings: EmbeddingsConfig, apiKey?: string): RetrieverFactory {
  // The key travels to the fresh memory the way config/ reads it: from a variable the section names.
  const keyEnv = 'MNEMO_BENCH_EMBEDDINGS_KEY';
  const section = { ...embeddings, mode: 'hybrid' as const, ...(apiKey ? { apiKeyEnv: keyEnv } : {}) };
  return async (conversation, dir) => {
    const start = performance.now();
    const { memory } = await ingestLocomoConversation(
      conversation,
      dir,
      silentLogger,
      { embeddings: section },
      apiKey ? { [keyEnv]: apiKey } : {},
    );
    const report = await memory.embeddings?.catchUp();
    if (report?.failed !== undefined) {
      memory.close();
      throw new Error(`the embedder failed while embedding ${conversation.id}: ${report.failed}`);
    }
    return {
      ingestMs: performance.now() - start,
      recall: async (question, budgetTokens) => {
        const result = await memory.recall(question, { deep: true, budgetTokens, mode: 'hybrid' });
        if (result.degraded !== undefined) throw new Error(result.degraded);
        return { text: result.text, diaIds: result.turns.map((turn) => (typeof turn.data?.dia_id === 'string' ? turn.data.dia_id : '')) };
      },
      close: () => memory.close(),
    };
  };
}

/** The plain BM25 baseline over single turns (see `Bm25Baseline`), on the same logged texts. */
export const bm25BaselineRetriever: RetrieverFactory = async (conversation) => {
  const start = performance.now();
  const baseline = Bm25Baseline.build(
    conversation.sessions.flatMap((session) =>
      session.turns.map((turn) => ({
        id: turn.diaId,
        session: locomoSessionId(session),
        time: session.time,
        speaker: turn.speaker,
        text: locomoTurnText(turn),
      })),
    ),
  );
  const ingestMs = performance.now() - start;
  return {
    ingestMs,
    recall: async (question, budgetTokens) => {
      const result = baseline.recall(question, budgetTokens);
      return { text: result.text, diaIds: result.turns.map((turn) => turn.id) };
    },
    close: () => baseline.close(),
  };
};

export const RETRIEVER_FACTORIES: Record<LocomoRetrieverName, RetrieverFactory> = {
  mnemo: mnemoRetriever,
  'bm25-baseline': bm25BaselineRetriever,
};
