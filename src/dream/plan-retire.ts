import type { DreamConfig } from '../config/index.js';
import { DAY_MS } from '../shared/index.js';
import type { DreamGathered } from './dream-gather.js';
import type { DreamPlan, TopicView } from './dream-plan.js';

/** A retirement a person must approve (user and feedback topics are never retired by dream alone). */
export interface HeldRetirement {
  slug: string;
  reason: string;
}

function days(from: string | undefined, now: Date): number | undefined {
  const time = from === undefined ? Number.NaN : Date.parse(from);
  return Number.isNaN(time) ? undefined : (now.getTime() - time) / DAY_MS;
}

function newest(...times: (string | undefined)[]): string | undefined {
  return times
    .filter((time): time is string => time !== undefined && !Number.isNaN(Date.parse(time)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
}

/** Why a topic should be retired now, or undefined. Topics this dream already changed are left for the next one. */
function retireReason(view: TopicView, gathered: DreamGathered, config: DreamConfig, now: Date): string | undefined {
  const { meta } = view;
  if (meta.status === 'superseded') {
    const age = days(meta.updated ?? meta.created, now) ?? Number.POSITIVE_INFINITY;
    if (age >= config.retireSupersededAfterDays)
      return `superseded by ${meta.supersededBy ?? 'another topic'} ${Number.isFinite(age) ? `${Math.floor(age)} day(s) ago` : 'long ago'} (retired after ${config.retireSupersededAfterDays})`;
    return undefined;
  }
  if (meta.status === 'suspect') {
    const since = gathered.suspectSince.get(view.slug) ?? meta.updated ?? meta.created;
    const age = days(since, now);
    if (age !== undefined && age >= config.retireSuspectAfterDays)
      return `suspect for ${Math.floor(age)} day(s) with no heal (retired after ${config.retireSuspectAfterDays})`;
    return undefined;
  }
  if (meta.status !== 'active') return undefined;
  const usage = gathered.usage.get(view.slug);
  const lastTouched = newest(usage?.lastUsed, meta.updated, meta.created, meta.verified);
  const idle = days(lastTouched, now);
  const lowConfidence = meta.verified === undefined && meta.source?.kind !== 'user';
  if (idle !== undefined && idle >= config.retireUnusedAfterDays && lowConfidence) {
    return `unused for ${Math.floor(idle)} day(s) (${usage ? `last recalled ${usage.lastUsed.slice(0, 10)}` : 'never recalled'}) and low in confidence (never verified, not from a person)`;
  }
  return undefined;
}

/**
 * Prune: retire (move to the trash, with a tombstone and its copy in the snapshot) topics
 * superseded for longer than `retireSupersededAfterDays`, suspect for longer than
 * `retireSuspectAfterDays` without a heal, or unused for `retireUnusedAfterDays` and low in
 * confidence. `user` and `feedback` topics are held for a person instead. Topics that pointed at
 * a retired topic are re-pointed at its survivor.
 */
export async function planRetirements(plan: DreamPlan, gathered: DreamGathered, config: DreamConfig): Promise<HeldRetirement[]> {
  const held: HeldRetirement[] = [];
  const touched = new Set(plan.actions.flatMap((action) => action.slugs));
  for (const view of plan.views()) {
    if (touched.has(view.slug) || view.meta.status === 'quarantined') continue;
    const reason = retireReason(view, gathered, config, plan.now);
    if (reason === undefined) continue;
    if (view.meta.type === 'user' || view.meta.type === 'feedback') {
      held.push({ slug: view.slug, reason: `${reason}; a ${view.meta.type} topic is retired only by a person: mnemo forget ${view.slug}` });
      continue;
    }
    if (!(await plan.retire(view.slug, reason))) continue;
    plan.record({
      kind: 'retire',
      slug: view.slug,
      slugs: [view.slug],
      reason,
      audit: [{ action: 'topic-retired', slug: view.slug, id: view.meta.id, reason, details: { tombstone: true } }],
    });
  }
  await repoint(plan);
  return held;
}

/** Superseded topics whose pointer leads to a retired or superseded topic point at the end of the chain instead. */
async function repoint(plan: DreamPlan): Promise<void> {
  const retiredTarget = new Map<string, string | undefined>();
  for (const [slug, { topic }] of plan.retired) {
    retiredTarget.set(slug, topic.meta.supersededBy);
    if (topic.meta.id) retiredTarget.set(topic.meta.id, topic.meta.supersededBy);
  }
  for (const view of plan.views()) {
    if (view.meta.status !== 'superseded' || view.meta.supersededBy === undefined) continue;
    let target = view.meta.supersededBy;
    const seen = new Set<string>([view.slug]);
    for (;;) {
      const next = retiredTarget.has(target)
        ? retiredTarget.get(target)
        : (() => {
            const slug = plan.resolve(target);
            const targetView = slug === undefined ? undefined : plan.view(slug);
            return targetView?.meta.status === 'superseded' ? targetView.meta.supersededBy : undefined;
          })();
      if (next === undefined || seen.has(next)) break;
      seen.add(target);
      target = next;
    }
    if (target === view.meta.supersededBy) continue;
    const draft = await plan.edit(view.slug);
    if (!draft) continue;
    const previous = draft.meta.supersededBy;
    draft.meta.supersededBy = target;
    const reason = `its survivor ${previous ?? ''} was retired or superseded; now points at ${target}`;
    plan.record({
      kind: 'repoint',
      slug: view.slug,
      slugs: [
        view.slug,
        ...[...plan.retired.keys()].filter((slug) => slug === previous || plan.retired.get(slug)?.topic.meta.id === previous),
      ],
      reason,
      audit: [{ action: 'topic-repointed', slug: view.slug, id: draft.meta.id, reason }],
    });
  }
}
