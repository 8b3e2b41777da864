import { queryTerms } from '../retrieval/index.js';

/** What similarity looks at: the content words of the head (name + description) and of the body. */
export interface TopicFeatures {
  head: ReadonlySet<string>;
  body: ReadonlySet<string>;
  all: ReadonlySet<string>;
}

/** A light English stemmer: enough that "deploys", "deployed" and "deploying" meet. */
export function stem(term: string): string {
  if (term.length <= 4 || /\d/.test(term)) return term;
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (term.endsWith(suffix) && term.length - suffix.length >= 3) {
      const base = term.slice(0, -suffix.length);
      if (suffix === 's' && base.endsWith('s')) return term;
      return base;
    }
  }
  return term;
}

/** Stemmed content words of a text (stopwords and one-letter words dropped). */
export function contentTerms(text: string): Set<string> {
  return new Set(queryTerms(text).map(stem));
}

export function topicFeatures(topic: { name: string; description: string; body: string }): TopicFeatures {
  const head = contentTerms(`${topic.name} ${topic.description}`);
  const body = contentTerms(topic.body);
  return { head, body, all: new Set([...head, ...body]) };
}

/** |a ∩ b| / |a ∪ b|; 0 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const term of small) if (large.has(term)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** |a ∩ b| / min(|a|, |b|): 1 when one text is contained in the other. */
export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const term of small) if (large.has(term)) shared += 1;
  return shared / small.size;
}

/**
 * How much two topics say the same thing (0..1): the Jaccard similarity of the stemmed content
 * words of name, description and body together. Chosen over head-only, overlap-coefficient and
 * weighted head/body measures on the labelled pairs of bench/dream-pairs.ts (docs/dream.md has
 * the figures); dream merges at `dream.mergeThreshold` (0.3 by default).
 */
export function topicSimilarity(a: TopicFeatures, b: TopicFeatures): number {
  return jaccard(a.all, b.all);
}
