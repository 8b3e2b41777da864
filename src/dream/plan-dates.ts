import type { DreamGathered } from './dream-gather.js';
import type { DreamPlan, TopicView } from './dream-plan.js';
import { resolveRelativeDates } from './relative-dates.js';

/** When a topic's text was written: its session's start, else the date in the session id, else `created`. */
export function writtenAt(view: TopicView, sessionStarts: ReadonlyMap<string, string>): Date | undefined {
  const session = view.meta.source?.session;
  const candidates = [
    session === undefined ? undefined : sessionStarts.get(session),
    session === undefined ? undefined : /^(\d{4}-\d{2}-\d{2})-/.exec(session)?.[1],
    view.meta.created,
  ];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const time = new Date(candidate);
    if (!Number.isNaN(time.getTime())) return time;
  }
  return undefined;
}

/** Consolidate: relative dates in descriptions and bodies become absolute, from the time the topic was written. */
export async function planRelativeDates(plan: DreamPlan, gathered: DreamGathered): Promise<void> {
  for (const view of plan.active()) {
    const reference = writtenAt(view, gathered.sessionStarts);
    if (reference === undefined) continue;
    const body = resolveRelativeDates(view.body, reference);
    const description = resolveRelativeDates(view.meta.description, reference);
    const resolutions = [...description.resolutions, ...body.resolutions];
    if (resolutions.length === 0) continue;
    const draft = await plan.edit(view.slug);
    if (!draft) continue;
    draft.body = body.text;
    draft.meta.description = description.text;
    draft.meta.updated = plan.nowText;
    const reason = `relative dates made absolute from ${reference.toISOString().slice(0, 10)}: ${resolutions.map((item) => `"${item.phrase}" → ${item.resolved}`).join(', ')}`;
    plan.record({
      kind: 'dates',
      slug: view.slug,
      slugs: [view.slug],
      reason,
      audit: [{ action: 'topic-dates-resolved', slug: view.slug, id: view.meta.id, reason }],
    });
  }
}
