import type { RecallMode, SemanticQuery, SemanticStage } from '../retrieval/index.js';

/**
 * The semantic part of one recall: undefined when it is lexical by choice (no embedder and no
 * mode asked, or `mode: 'lexical'`); otherwise the prepared query, or why it ran lexical.
 */
export async function prepareSemantic(
  stage: SemanticStage | undefined,
  query: string,
  mode: RecallMode | undefined,
): Promise<SemanticQuery | undefined> {
  const wanted = mode ?? stage?.defaultMode ?? 'lexical';
  if (wanted === 'lexical') return undefined;
  if (!stage)
    return {
      mode: 'lexical',
      degraded: 'no embedder is configured (an "embeddings" section in mnemo.config.json); recall ran lexical only',
    };
  return stage.prepare(query);
}

/** The fields a recall result carries about its mode: none when no semantic stage was involved (results as before). */
export function semanticFields(
  stage: SemanticStage | undefined,
  prepared: SemanticQuery | undefined,
): { mode?: RecallMode; degraded?: string; pendingEmbeddings?: number } {
  if (prepared === undefined) return stage ? { mode: 'lexical' } : {};
  if (prepared.mode === 'lexical') return { mode: 'lexical', degraded: prepared.degraded };
  return { mode: 'hybrid', ...(prepared.pending > 0 ? { pendingEmbeddings: prepared.pending } : {}) };
}
