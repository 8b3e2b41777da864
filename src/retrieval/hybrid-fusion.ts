/** The k of reciprocal rank fusion (Cormack et al. 2009): a rank r adds 1 / (k + r). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion of ranked lists of keys (best first): each key scores the sum over the
 * lists it is in of `weight / (k + rank)`, rank counted from 1. Returns the keys by fused score,
 * best first (ties: the order of first appearance), with their scores.
 */
export function fuseRankings(
  lists: readonly { keys: readonly string[]; weight?: number }[],
  k: number = RRF_K,
): { key: string; score: number }[] {
  const scores = new Map<string, { score: number; first: number }>();
  let seen = 0;
  for (const list of lists) {
    const weight = list.weight ?? 1;
    list.keys.forEach((key, index) => {
      const entry = scores.get(key) ?? { score: 0, first: seen++ };
      entry.score += weight / (k + index + 1);
      scores.set(key, entry);
    });
  }
  return [...scores.entries()]
    .sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first)
    .map(([key, entry]) => ({ key, score: entry.score }));
}
