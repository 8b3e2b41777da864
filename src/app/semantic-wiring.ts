import type { MnemoConfig } from '../config/index.js';
import { createEmbedder } from '../providers/index.js';
import {
  VectorIndex,
  createSemanticStage,
  type EmbeddingReport,
  type SearchIndex,
  type SemanticStage,
  type SyncReport,
} from '../retrieval/index.js';
import { MnemoError, type Logger } from '../shared/index.js';

export interface ReindexOptions {
  /** Also embed every topic and turn again (`mnemo reindex --embeddings`). */
  embeddings?: boolean;
  /** Progress of the embedding backfill: items done, items in all. */
  onProgress?: (done: number, total: number) => void;
}

export type ReindexReport = SyncReport & {
  embeddings?: EmbeddingReport;
  /** Topic files whose `verified` field was moved to `.state/verdicts/` (see MemoryWriter.moveVerifiedTimes). */
  verifiedMoved?: string[];
};

/** What `memory.embeddings` offers: the state of the vectors, and a catch-up. */
export interface EmbeddingsStatus {
  /** The embedder, `provider:model`. */
  embedder: string;
  mode: 'lexical' | 'hybrid';
  counts(): Promise<{ embedded: number; queued: number; failing: number; lastError: string | undefined }>;
  /** Embed what is queued (everything unless `max`); never rejects for the embedder: see `failed`. */
  catchUp(options?: { max?: number; onProgress?: (done: number, total: number) => void }): Promise<EmbeddingReport>;
}

/**
 * The semantic stage when the configuration has an `embeddings` section, else nothing: without
 * it no vector table is created and sqlite-vec is never loaded.
 */
export function createSemantic(options: {
  config: MnemoConfig;
  root: string;
  search: SearchIndex;
  logger: Logger;
  apiKey: string | undefined;
}): {
  stage: SemanticStage | undefined;
  status: EmbeddingsStatus | undefined;
  /** Run a write; after it, catch up the vectors in the background (the write never waits for the embedder). */
  afterWrite<T>(write: Promise<T>): Promise<T>;
  reindex(reindexOptions: ReindexOptions): Promise<ReindexReport>;
} {
  const { config, search } = options;
  const settings = config.embeddings;
  const stage = settings
    ? createSemanticStage({
        search,
        defaultMode: settings.mode,
        open: async () =>
          VectorIndex.open({
            search,
            embedder: createEmbedder(settings, { apiKey: options.apiKey, baseDir: options.root }),
            batchSize: settings.batchSize,
            logger: options.logger,
          }),
      })
    : undefined;
  return {
    stage,
    status:
      stage && settings
        ? {
            embedder: `${settings.provider}:${settings.model}`,
            mode: settings.mode,
            counts: () => stage.counts(),
            catchUp: (catchUpOptions = {}) => stage.catchUp(catchUpOptions),
          }
        : undefined,
    afterWrite: async (write) => {
      const result = await write;
      stage?.schedule();
      return result;
    },
    reindex: async (reindexOptions) => {
      if (reindexOptions.embeddings && !stage) {
        throw new MnemoError(
          'invalid-input',
          'reindex --embeddings needs an embedder, and mnemo.config.json has no "embeddings" section.',
          {
            hint: 'Add e.g. "embeddings": { "provider": "ollama", "model": "nomic-embed-text" } (see docs/semantic-recall.md).',
          },
        );
      }
      const report: ReindexReport = await search.rebuild();
      if (!reindexOptions.embeddings || !stage) return report;
      await stage.reset();
      const embeddings = await stage.catchUp(reindexOptions.onProgress ? { onProgress: reindexOptions.onProgress } : {});
      return { ...report, embeddings };
    },
  };
}
