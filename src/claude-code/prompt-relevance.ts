import { termStems as stems } from '../retrieval/index.js';

/** What the per-prompt relevance reads of a topic. */
export interface RelevanceTopic {
  name: string;
  description: string;
  tags?: readonly string[];
  body: string;
}

/** Field weights: the name and description say what a topic is about; the body only hints. */
const WEIGHTS = { name: 2, description: 1.5, tags: 1.5, body: 0.35 } as const;

/**
 * How well a prompt matches one topic: the sum, over the distinct (stemmed) prompt terms found in
 * the topic, of the weight of the best field they are found in times their rarity among the
 * memory's topics (`log(1 + topics / topics-with-the-term) / log(1 + topics)`: 1 for a term only
 * this topic has). Unlike BM25 it does not fade to zero in a small memory, its scale does not
 * change with the memory's size, and it does not grow with a long prompt's unrelated words.
 */
export function promptRelevance(
  prompt: string,
  topic: RelevanceTopic,
  documentFrequency: (stem: string) => number,
  topics: number,
): number {
  const wanted = stems(prompt);
  const fields = {
    name: stems(topic.name),
    description: stems(topic.description),
    tags: stems((topic.tags ?? []).join(' ')),
    body: stems(topic.body),
  };
  let score = 0;
  for (const term of wanted) {
    const weight = Math.max(
      ...(Object.keys(fields) as (keyof typeof fields)[]).map((field) => (fields[field].has(term) ? WEIGHTS[field] : 0)),
    );
    if (weight === 0) continue;
    const all = Math.max(1, topics);
    // 1 for a term only this topic has, falling towards 0 for one every topic has, whatever the memory's size.
    score += weight * (all === 1 ? 1 : Math.log(1 + all / Math.max(1, documentFrequency(term))) / Math.log(1 + all));
  }
  return score;
}
