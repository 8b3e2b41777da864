import { DAY_MS } from '../shared/index.js';
import { rankTimeMs, unreadableHook, type CatalogTopic } from '../retrieval/index.js';
import type { IndexEntryInput, TopicType } from '../store/index.js';

/** How much each type is worth keeping in the always-loaded index. */
const TYPE_WEIGHT: Record<TopicType, number> = { user: 50, feedback: 45, project: 30, lesson: 28, reference: 20 };

/** Optional per-topic usage, e.g. recall hits counted by dream. */
export type UsageCounts = ReadonlyMap<string, number>;

/**
 * The rank of a topic for the index: type first, then recent use and recency of update; suspect
 * topics sink. Deterministic for a given clock. Check times are not part of it: they live in
 * `.state/verdicts/` on each machine, and a check must not reorder a MEMORY.md shared through git.
 */
export function indexRank(topic: CatalogTopic, now: Date, usage?: UsageCounts): number {
  if (!topic.readable) return UNREADABLE_RANK;
  const { meta } = topic;
  return rankOf(
    meta.type,
    meta.status === 'suspect',
    rankTimeMs(meta),
    usage === undefined ? undefined : (usage.get(topic.slug) ?? 0),
    now,
  );
}

/** The rank of every unreadable topic file. */
export const UNREADABLE_RANK = 1;

/**
 * `indexRank` from the parts it reads (the one formula, for the full render and the bounded one):
 * `timeMs` is `rankTimeMs` of the topic (NaN without a time), `uses` its usage count (undefined
 * without usage counts).
 */
export function rankOf(type: TopicType, suspect: boolean, timeMs: number, uses: number | undefined, now: Date): number {
  const ageDays = Number.isNaN(timeMs) ? 365 : Math.max(0, (now.getTime() - timeMs) / DAY_MS);
  const recency = 15 * Math.exp(-ageDays / 30);
  const used = uses !== undefined ? Math.min(15, 3 * Math.log2(1 + uses)) : 0;
  return TYPE_WEIGHT[type] + recency + used + (suspect ? -25 : 0);
}

/** Topics that belong in the index: active and suspect ones, plus unreadable files (so they stay findable). */
export function indexEntries(catalog: readonly CatalogTopic[], now: Date, usage?: UsageCounts): IndexEntryInput[] {
  const entries: IndexEntryInput[] = [];
  for (const topic of catalog) {
    if (!topic.readable) {
      entries.push({
        slug: topic.slug,
        title: topic.slug,
        hook: unreadableHook(topic.error),
        type: 'project',
        rank: indexRank(topic, now, usage),
      });
      continue;
    }
    if (topic.meta.status !== 'active' && topic.meta.status !== 'suspect') continue;
    entries.push({
      slug: topic.slug,
      title: topic.meta.name,
      hook: topic.meta.description,
      type: topic.meta.type,
      rank: indexRank(topic, now, usage),
      suspect: topic.meta.status === 'suspect',
    });
  }
  return entries;
}
