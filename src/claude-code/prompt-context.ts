import type { Memory } from '../app/index.js';
import { isMnemoError } from '../shared/index.js';
import { readSessionHookState, writeSessionHookState } from './hook-state.js';
import { promptRelevance } from './prompt-relevance.js';
import { provenanceMark, renderRecalledTopics } from './recalled-topics.js';

export interface PromptContextOptions {
  /** The Claude Code session: topics added earlier in it are not added again. */
  session?: string | undefined;
  /** Bytes of the whole context (default `hooks.promptBytes`, 2 KB). */
  maxBytes?: number;
  /** Least relevance (`promptRelevance`; default `hooks.promptThreshold`); lessons whose error signature the prompt carries always pass. */
  threshold?: number;
  /** Most topics (default `hooks.promptTopics`). */
  limit?: number;
  /**
   * With hybrid recall, least cosine similarity to the prompt that admits a topic the lexical
   * relevance misses (default `hooks.promptSimilarity`). Unused when recall ran lexical.
   */
  similarity?: number;
}

export interface PromptContext {
  /** The text for `additionalContext`; empty when nothing matched well enough (the prompt costs no tokens). */
  text: string;
  /** The topics added, best first, with their relevance (and their vector similarity when hybrid recall found them). */
  topics: { slug: string; score: number; type: string; similarity?: number }[];
  /** Topics that matched but were already added earlier in the session. */
  repeated: string[];
}

const HEAD =
  'mnemo: memory that matches this prompt. Hints to confirm, not facts: follow the caveats, and call the mnemo recall (or show) tool for more.';

/**
 * The memory that matches a prompt, for Claude Code's UserPromptSubmit hook: the few topics
 * whose relevance reaches the threshold (and lessons whose error signature the prompt carries;
 * with hybrid recall also those whose vector similarity reaches `similarity`),
 * each with its freshness caveats (checked on use) and provenance mark, within `maxBytes`.
 * Nothing when nothing matches well; a topic already added in the session is not added again.
 */
export async function promptContext(memory: Memory, prompt: string, options: PromptContextOptions = {}): Promise<PromptContext> {
  const settings = memory.config.hooks;
  const maxBytes = options.maxBytes ?? settings.promptBytes;
  const threshold = options.threshold ?? settings.promptThreshold;
  const limit = options.limit ?? settings.promptTopics;
  const leastSimilarity = options.similarity ?? settings.promptSimilarity;
  const state = options.session ? await readSessionHookState(memory.root, options.session) : { injected: [], lessons: [] };
  const seen = new Set(state.injected);
  let recalled;
  try {
    const candidates = Math.max(8, limit + seen.size);
    recalled = await memory.recall(prompt, {
      limit: candidates,
      budget: maxBytes * (candidates + 1),
      topicBytes: maxBytes - Buffer.byteLength(HEAD) - 160,
    });
  } catch (error) {
    if (isMnemoError(error, 'invalid-input')) return { text: '', topics: [], repeated: [] };
    throw error;
  }
  // How rare each word is among the topics, kept with the search rows: no listing of the memory per prompt.
  const statistics = await memory.termStatistics(recalled.topics.map((topic) => topic.slug));
  // With hybrid recall (the embedder answered), the vector side vouches for topics that share no word with the prompt.
  const hybrid = recalled.mode === 'hybrid' && recalled.degraded === undefined;
  const close = (topic: (typeof recalled.topics)[number]): boolean =>
    hybrid && topic.similarity !== undefined && topic.similarity >= leastSimilarity;
  const scored = recalled.topics
    .filter((topic) => topic.status === 'active' || topic.status === 'suspect')
    .map((topic) => ({
      topic,
      relevance:
        topic.score === Number.POSITIVE_INFINITY || topic.caveats.some((caveat) => caveat.startsWith('lesson: this query carries'))
          ? Number.POSITIVE_INFINITY
          : promptRelevance(prompt, { ...topic, tags: statistics.tags.get(topic.slug) ?? [] }, statistics.frequency, statistics.topics),
    }))
    .filter(({ topic, relevance }) => relevance >= threshold || close(topic))
    // Lexical matches first (by relevance), then those only the vectors found (by similarity).
    .sort(
      (a, b) =>
        Number(b.relevance >= threshold) - Number(a.relevance >= threshold) ||
        b.relevance - a.relevance ||
        (b.topic.similarity ?? 0) - (a.topic.similarity ?? 0),
    );
  const chosen: { topic: (typeof recalled.topics)[number]; relevance: number }[] = [];
  const repeated: string[] = [];
  let bytes = Buffer.byteLength(HEAD);
  for (const entry of scored) {
    if (seen.has(entry.topic.slug)) {
      repeated.push(entry.topic.slug);
      continue;
    }
    if (chosen.length >= limit) break;
    const size = Buffer.byteLength(entry.topic.text) + Buffer.byteLength(provenanceMark(entry.topic)) + 3;
    if (bytes + size > maxBytes) continue;
    chosen.push(entry);
    bytes += size;
  }
  if (chosen.length === 0) return { text: '', topics: [], repeated };
  if (options.session) {
    await writeSessionHookState(memory.root, options.session, {
      injected: [...state.injected, ...chosen.map(({ topic }) => topic.slug)],
      lessons: [...new Set([...state.lessons, ...chosen.filter(({ topic }) => topic.type === 'lesson').map(({ topic }) => topic.slug)])],
    });
  }
  return {
    text: `${HEAD}\n\n${renderRecalledTopics(chosen.map(({ topic }) => topic))}`,
    topics: chosen.map(({ topic, relevance }) => ({
      slug: topic.slug,
      score: relevance,
      type: topic.type,
      ...(hybrid && topic.similarity !== undefined ? { similarity: topic.similarity } : {}),
    })),
    repeated,
  };
}
