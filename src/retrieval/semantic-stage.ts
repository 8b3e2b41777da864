import { describeError } from '../shared/index.js';
import { fuseRankings } from './hybrid-fusion.js';
import type { SearchIndex, TopicHit } from './search-index.js';
import type { TurnHit } from './turn-table.js';
import type { CatchUpOptions, EmbeddingReport, VectorIndex } from './vector-index.js';

/** How recall ranks: BM25 alone, or BM25 and vector candidates fused. */
export type RecallMode = 'lexical' | 'hybrid';

/** One query made ready for hybrid ranking, or why it runs lexical only. */
export type SemanticQuery =
  | {
      mode: 'hybrid';
      /** Items not embedded yet (left for a later catch-up): they are found lexically only. */
      pending: number;
      /** Lexical topic hits fused with the nearest topics (reciprocal rank fusion); the score is the fused one, `similarity` the cosine of those the vectors found. */
      fuseTopics(hits: readonly TopicHit[], limit: number): TopicHit[];
      /** Lexical turn ranking fused with the nearest turns. */
      fuseTurns(hits: readonly TurnHit[], limit: number): TurnHit[];
    }
  | { mode: 'lexical'; degraded: string };

/** The optional semantic stage of recall: present only when an embedder is configured. */
export interface SemanticStage {
  /** The mode recall uses when not told (the `embeddings.mode` setting). */
  readonly defaultMode: RecallMode;
  /** Bring the vectors up to date (at most `catchUpMax` items), then embed the query. Never rejects. */
  prepare(query: string, signal?: AbortSignal): Promise<SemanticQuery>;
  /** Embed what is queued (all of it unless `max`); never rejects for the embedder. */
  catchUp(options?: CatchUpOptions): Promise<EmbeddingReport>;
  /** Catch up in the background after a write; failures stay queued. */
  schedule(): void;
  /** Drop every vector: the next catch-up embeds everything again. */
  reset(): Promise<void>;
  counts(): Promise<{ embedded: number; queued: number; failing: number; lastError: string | undefined }>;
  /** Stop a background catch-up (on close). */
  close(): void;
}

export interface SemanticStageOptions {
  search: SearchIndex;
  /** Opens the vector index (loads sqlite-vec) on first use. */
  open: () => Promise<VectorIndex>;
  defaultMode: RecallMode;
  /** Most items a recall embeds before it runs (default 256): a first backfill is `mnemo reindex --embeddings`. */
  catchUpMax?: number;
  /** Vector candidates per query, topics and turns (default 50). */
  neighbours?: number;
}

/**
 * The semantic stage over a lazily opened `VectorIndex`. Reciprocal rank fusion (k = 60) of the
 * lexical ranking and the nearest vectors: a candidate both find rises, one only the vectors
 * find (no shared word) still comes in. When the embedder is down, `prepare` says so and recall
 * runs lexical.
 */
export function createSemanticStage(options: SemanticStageOptions): SemanticStage {
  let index: Promise<VectorIndex> | undefined;
  const vectors = () => (index ??= options.open());
  const neighbours = options.neighbours ?? 50;
  let background: AbortController | undefined;
  let closed = false;
  let again = false;
  const catchUp = async (catchUpOptions: CatchUpOptions = {}): Promise<EmbeddingReport> => {
    try {
      return await (await vectors()).catchUp(catchUpOptions);
    } catch (error) {
      return { embedded: 0, queued: 0, failed: describeError(error) };
    }
  };
  return {
    defaultMode: options.defaultMode,
    catchUp,
    schedule: () => {
      if (closed) return;
      // One background catch-up at a time; a write during it asks for one more round after it.
      if (background) {
        again = true;
        return;
      }
      const controller = new AbortController();
      background = controller;
      const run = async (): Promise<void> => {
        do {
          again = false;
          // New transcript lines are indexed first, so that their turns are queued too.
          await options.search.sync();
          if (controller.signal.aborted) return;
          await catchUp({ signal: controller.signal });
        } while (again && !controller.signal.aborted);
      };
      run()
        .catch(() => undefined)
        .finally(() => {
          if (background === controller) background = undefined;
        });
    },
    reset: async () => (await vectors()).reset(),
    counts: async () => (await vectors()).counts(),
    close: () => {
      closed = true;
      background?.abort();
    },
    prepare: async (query, signal) => {
      const report = await catchUp({ max: options.catchUpMax ?? 256, ...(signal ? { signal } : {}) });
      if (report.failed !== undefined)
        return { mode: 'lexical', degraded: `the embedder is unavailable (${report.failed}); recall ran lexical only` };
      let vector: Float32Array;
      let index_: VectorIndex;
      try {
        index_ = await vectors();
        vector = await index_.embedQuery(query, signal);
      } catch (error) {
        return { mode: 'lexical', degraded: `the embedder is unavailable (${describeError(error)}); recall ran lexical only` };
      }
      const found = index_;
      return {
        mode: 'hybrid',
        pending: report.queued,
        fuseTopics: (hits, limit) => {
          const near = found.nearestTopics(vector, Math.max(limit, neighbours));
          const fused = fuseRankings([{ keys: hits.map((hit) => hit.slug) }, { keys: near.map((hit) => hit.key) }]);
          const similarity = new Map(near.map((hit) => [hit.key, 1 - hit.distance]));
          return fused.slice(0, limit).map((entry) => {
            const cosine = similarity.get(entry.key);
            return { slug: entry.key, score: entry.score, ...(cosine === undefined ? {} : { similarity: cosine }) };
          });
        },
        fuseTurns: (hits, limit) => {
          const near = found.nearestTurns(vector, Math.max(limit, neighbours));
          const fused = fuseRankings([{ keys: hits.map((hit) => String(hit.rowid)) }, { keys: near.map((hit) => hit.key) }]).slice(
            0,
            limit,
          );
          const known = new Map(hits.map((hit) => [hit.rowid, hit]));
          const missing = fused.map((entry) => Number(entry.key)).filter((rowid) => !known.has(rowid));
          for (const record of options.search.turnTable.records(missing)) known.set(record.rowid, { ...record, score: 0 });
          return fused.flatMap((entry) => {
            const hit = known.get(Number(entry.key));
            return hit ? [{ ...hit, score: entry.score }] : [];
          });
        },
      };
    },
  };
}
