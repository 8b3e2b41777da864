import type { TopicUsage } from '../discipline/index.js';
import type { Evidence, TopicLink } from '../store/index.js';
import type { DreamPlan, TopicView } from './dream-plan.js';
import { candidatePairs } from './near-duplicates.js';
import { conflictingFact, type SettledConflict } from './plan-conflicts.js';
import { chooseSurvivor } from './topic-ranking.js';
import { contentTerms, overlap, topicFeatures, topicSimilarity, type TopicFeatures } from './topic-similarity.js';

/** One merge: the survivor and the topics it absorbed. */
export interface MergeGroup {
  survivor: string;
  losers: string[];
}

function unionBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const id = key(item);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The lines of `extra` that say something `body` does not, as a block to append (empty when none). */
export function linesNotIn(body: string, extra: string): string[] {
  const known = contentTerms(body);
  const lines: string[] = [];
  for (const line of extra.split('\n')) {
    const terms = contentTerms(line);
    if (terms.size === 0 || overlap(terms, known) >= 0.6) continue;
    lines.push(line.trimEnd());
    for (const term of terms) known.add(term);
  }
  return lines;
}

/**
 * Consolidate: near-duplicate topics of one type (similarity ≥ `threshold`; lessons only with the
 * same error signature) are merged. The survivor (most used, then most recently verified, then
 * most recent) keeps its text, gains what the others say that it does not, their evidence, tags
 * and links, and lists them in `supersedes`; the others become superseded, pointing at it.
 */
export async function planMerges(
  plan: DreamPlan,
  usage: ReadonlyMap<string, TopicUsage>,
  threshold: number,
  settled: readonly SettledConflict[],
): Promise<MergeGroup[]> {
  const excluded = new Set(settled.flatMap((conflict) => [conflict.winner, conflict.loser]));
  const views = plan.active().filter((view) => !excluded.has(view.slug));
  const features: TopicFeatures[] = views.map((view) => topicFeatures({ ...view.meta, body: view.body }));
  const groupOf = (view: TopicView) => `${view.meta.type}\u0000${view.meta.type === 'lesson' ? (view.meta.errorSignature ?? '') : ''}`;
  const parent = views.map((_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index] as number] as number;
    return index;
  };
  for (const [i, j] of candidatePairs(
    views.map((view, index) => ({ group: groupOf(view), terms: (features[index] as TopicFeatures).all })),
  )) {
    if (topicSimilarity(features[i] as TopicFeatures, features[j] as TopicFeatures) < threshold) continue;
    // different values for the same thing are a conflict to settle, never a merge
    const a = views[i] as TopicView;
    const b = views[j] as TopicView;
    if (conflictingFact({ description: a.meta.description, body: a.body }, { description: b.meta.description, body: b.body })) continue;
    parent[find(i)] = find(j);
  }
  const clusters = new Map<number, number[]>();
  views.forEach((_, index) => clusters.set(find(index), [...(clusters.get(find(index)) ?? []), index]));
  const groups: MergeGroup[] = [];
  for (const members of clusters.values()) {
    if (members.length < 2) continue;
    const { survivor, why } = chooseSurvivor(
      members.map((index) => views[index] as TopicView),
      usage,
    );
    const survivorFeatures = features[views.indexOf(survivor)] as TopicFeatures;
    const losers = members
      .map((index) => ({
        view: views[index] as TopicView,
        similarity: topicSimilarity(survivorFeatures, features[index] as TopicFeatures),
      }))
      .filter(
        ({ view, similarity }) =>
          view !== survivor &&
          similarity >= threshold &&
          !conflictingFact(
            { description: survivor.meta.description, body: survivor.body },
            { description: view.meta.description, body: view.body },
          ),
      );
    if (losers.length === 0) continue;
    const group = await mergeInto(plan, survivor, losers, why, threshold);
    if (group) groups.push(group);
  }
  return groups;
}

async function mergeInto(
  plan: DreamPlan,
  survivor: TopicView,
  losers: { view: TopicView; similarity: number }[],
  why: string,
  threshold: number,
): Promise<MergeGroup | undefined> {
  const survivorDraft = await plan.edit(survivor.slug);
  if (!survivorDraft) return undefined;
  const loserDrafts = [];
  for (const loser of losers) {
    const draft = await plan.edit(loser.view.slug);
    if (draft) loserDrafts.push({ draft, similarity: loser.similarity });
  }
  if (loserDrafts.length === 0) return undefined;
  const survivorId = plan.reference(survivor.slug);
  const meta = survivorDraft.meta;
  let body = survivorDraft.body.replace(/\s+$/, '');
  for (const { draft } of loserDrafts) {
    const extra = linesNotIn(body, draft.body);
    if (extra.length > 0) body += `\n\n**Merged from ${draft.meta.name} (${draft.slug}):**\n${extra.slice(0, 30).join('\n')}`;
    meta.evidence = unionBy<Evidence>([...meta.evidence, ...draft.meta.evidence], (item) => JSON.stringify(item));
    meta.tags = [...new Set([...meta.tags, ...draft.meta.tags])];
    meta.links = unionBy<TopicLink>([...meta.links, ...draft.meta.links], (link) => `${link.rel}:${link.id}`);
    const loserId = draft.meta.id ?? draft.slug;
    if (!meta.supersedes.includes(loserId)) meta.supersedes = [...meta.supersedes, loserId];
    draft.meta.status = 'superseded';
    draft.meta.supersededBy = survivorId;
    draft.meta.updated = plan.nowText;
  }
  survivorDraft.body = `${body}\n`;
  meta.updated = plan.nowText;
  const names = loserDrafts.map(({ draft, similarity }) => `${draft.slug} (similarity ${similarity.toFixed(2)})`).join(', ');
  const reason = `near-duplicates merged into ${survivor.slug} (${why}): ${names}; threshold ${threshold}`;
  plan.record({
    kind: 'merge',
    slug: survivor.slug,
    slugs: [survivor.slug, ...loserDrafts.map(({ draft }) => draft.slug)],
    reason,
    audit: [
      ...loserDrafts.map(({ draft, similarity }) => ({
        action: 'topic-superseded',
        slug: draft.slug,
        id: draft.meta.id,
        reason: `merged into ${survivor.slug} (similarity ${similarity.toFixed(2)} ≥ ${threshold})`,
        details: { supersededBy: survivor.slug },
      })),
      { action: 'topic-merged', slug: survivor.slug, id: meta.id, reason, details: { merged: loserDrafts.map(({ draft }) => draft.slug) } },
    ],
  });
  return { survivor: survivor.slug, losers: loserDrafts.map(({ draft }) => draft.slug) };
}
