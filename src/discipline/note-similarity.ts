import { queryTerms } from '../retrieval/index.js';

/** Jaccard similarity of the content words of two texts (0..1). */
export function textSimilarity(a: string, b: string): number {
  const left = new Set(queryTerms(a));
  const right = new Set(queryTerms(b));
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const term of left) if (right.has(term)) shared += 1;
  return shared / (left.size + right.size - shared);
}

/**
 * Above this similarity of name + description, a new note of the same type is an update of an
 * existing topic (it supersedes it) rather than a new topic.
 */
export const SUPERSEDE_THRESHOLD = 0.5;
