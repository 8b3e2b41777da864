import { DAY_MS } from '../shared/index.js';
import type { CatalogTopic } from '../retrieval/index.js';
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
  if (!topic.readable) return 1;
  const { meta } = topic;
  const ageDays = (time: string | undefined) => {
    const parsed = time ? Date.parse(time) : Number.NaN;
    return Number.isNaN(parsed) ? 365 : Math.max(0, (now.getTime() - parsed) / DAY_MS);
  };
  const recency = 15 * Math.exp(-ageDays(meta.updated ?? meta.created) / 30);
  const used = usage ? Math.min(15, 3 * Math.log2(1 + (usage.get(topic.slug) ?? 0))) : 0;
  const suspect = meta.status === 'suspect' ? -25 : 0;
  return TYPE_WEIGHT[meta.type] + recency + used + suspect;
}

/** Topics that belong in the index: active and suspect ones, plus unreadable files (so they stay findable). */
export function indexEntries(catalog: readonly CatalogTopic[], now: Date, usage?: UsageCounts): IndexEntryInput[] {
  const entries: IndexEntryInput[] = [];
  for (const topic of catalog) {
    if (!topic.readable) {
      entries.push({
        slug: topic.slug,
        title: topic.slug,
        hook: `unreadable, run mnemo doctor: ${topic.error}`,
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
