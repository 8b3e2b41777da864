import type { DreamPlan, TopicView } from './dream-plan.js';
import { extractFacts, type StatedFact } from './fact-extraction.js';
import { settleConflict } from './topic-ranking.js';
import { topicFeatures, topicSimilarity } from './topic-similarity.js';

/** Topics must be at least this similar to be about the same thing (the merge threshold is higher). */
export const CONFLICT_RELATEDNESS = 0.2;

/** A settled conflict, for the merge planner to leave alone. */
export interface SettledConflict {
  winner: string;
  loser: string;
}

/** Whether `text` contains `value` as a whole token (so "8080" does not mention "80"). */
function mentions(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.])${escaped}(?![\\w])`, 'i').test(text);
}

/**
 * A thing two topics state different values for ("the API listens on port 8080" / "… on port
 * 9090"), unless one of them states both (an update). Such topics conflict: dream settles them and
 * never merges them.
 */
export function conflictingFact(
  a: { description: string; body: string },
  b: { description: string; body: string },
): { key: string; values: [string, string] } | undefined {
  const theirs = extractFacts(b.description, b.body);
  for (const fact of extractFacts(a.description, a.body)) {
    const other = theirs.find((candidate) => candidate.key === fact.key && candidate.normalized !== fact.normalized);
    if (other === undefined) continue;
    if (mentions(a.body, other.normalized) || mentions(b.body, fact.normalized)) continue;
    return { key: fact.key, values: [fact.value, other.value] };
  }
  return undefined;
}

interface Stated {
  view: TopicView;
  fact: StatedFact;
}

/**
 * Consolidate: topics of one type that state different values for the same thing ("the API port
 * is 8080" / "… is 9090") and are about the same subject. The winner (settleConflict) stays; the
 * loser is superseded with a pointer to it; the report says which values and why.
 */
export async function planConflicts(plan: DreamPlan): Promise<SettledConflict[]> {
  const byKey = new Map<string, Stated[]>();
  // Lessons are keyed by their error signature: two lessons with different signatures never conflict.
  for (const view of plan.active().filter((candidate) => candidate.meta.type !== 'lesson')) {
    for (const fact of extractFacts(view.meta.description, view.body)) {
      const key = `${view.meta.type}\u0000${fact.key}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { view, fact }]);
    }
  }
  const settled: SettledConflict[] = [];
  const involved = new Set<string>();
  const keys = [...byKey.keys()].sort((a, b) => b.split(' ').length - a.split(' ').length || a.localeCompare(b));
  for (const key of keys) {
    const stated = (byKey.get(key) ?? []).slice(0, 50);
    for (let i = 0; i < stated.length; i += 1) {
      for (let j = i + 1; j < stated.length; j += 1) {
        const a = stated[i] as Stated;
        const b = stated[j] as Stated;
        if (a.view.slug === b.view.slug || a.fact.normalized === b.fact.normalized) continue;
        if (involved.has(a.view.slug) || involved.has(b.view.slug)) continue;
        // A topic that states both values (an update: "moved from 8080 to 9090") is not in conflict.
        if (mentions(a.view.body, b.fact.normalized) || mentions(b.view.body, a.fact.normalized)) continue;
        if (
          topicSimilarity(topicFeatures({ ...a.view.meta, body: a.view.body }), topicFeatures({ ...b.view.meta, body: b.view.body })) <
          CONFLICT_RELATEDNESS
        )
          continue;
        const { winner, loser, why } = settleConflict(a.view, b.view);
        const winnerFact = winner === a.view ? a.fact : b.fact;
        const loserFact = winner === a.view ? b.fact : a.fact;
        const winnerDraft = await plan.edit(winner.slug);
        const loserDraft = await plan.edit(loser.slug);
        if (!winnerDraft || !loserDraft) continue;
        involved.add(winner.slug).add(loser.slug);
        const winnerId = plan.reference(winner.slug);
        loserDraft.meta.status = 'superseded';
        loserDraft.meta.supersededBy = winnerId;
        loserDraft.meta.updated = plan.nowText;
        const loserId = plan.reference(loser.slug);
        if (!winnerDraft.meta.supersedes.includes(loserId)) winnerDraft.meta.supersedes = [...winnerDraft.meta.supersedes, loserId];
        winnerDraft.meta.updated = plan.nowText;
        const reason = `conflict on "${winnerFact.key}": ${winner.slug} says ${winnerFact.value}, ${loser.slug} says ${loserFact.value}; ${winner.slug} wins: ${why}`;
        plan.record({
          kind: 'supersede',
          slug: winner.slug,
          slugs: [winner.slug, loser.slug],
          reason,
          audit: [
            { action: 'topic-superseded', slug: loser.slug, id: loserDraft.meta.id, reason, details: { supersededBy: winner.slug } },
            { action: 'conflict-settled', slug: winner.slug, id: winnerDraft.meta.id, reason, details: { supersedes: loser.slug } },
          ],
        });
        settled.push({ winner: winner.slug, loser: loser.slug });
      }
    }
  }
  return settled;
}
