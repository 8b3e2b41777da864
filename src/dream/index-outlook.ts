import type { MnemoConfig } from '../config/index.js';
import { indexEntries, type UsageCounts } from '../discipline/index.js';
import type { CatalogTopic } from '../retrieval/index.js';
import { renderIndexText } from '../store/index.js';
import type { DreamPlan } from './dream-plan.js';
import type { IndexOutlook } from './dream-report.js';

/**
 * Re-index, planned: MEMORY.md as the writer will render it from the topics as the plan leaves
 * them (same ranking: type, use, recency, verification), within its budget, naming what is left out.
 */
export function indexOutlook(plan: DreamPlan, catalog: readonly CatalogTopic[], config: MnemoConfig, usage: UsageCounts): IndexOutlook {
  const planned: CatalogTopic[] = [];
  const seen = new Set<string>();
  for (const topic of catalog) {
    seen.add(topic.slug);
    if (plan.retired.has(topic.slug)) continue;
    const draft = plan.drafts.get(topic.slug);
    planned.push(draft && topic.readable ? { ...topic, meta: draft.meta, body: draft.body } : topic);
  }
  for (const draft of plan.drafts.values()) {
    if (seen.has(draft.slug)) continue;
    planned.push({ slug: draft.slug, readable: true, meta: draft.meta, body: draft.body, problems: [], hash: '', mtimeMs: 0, size: 0 });
  }
  const rendered = renderIndexText(indexEntries(planned, plan.now, usage), config.index);
  return {
    entries: rendered.included.length,
    lines: rendered.lines,
    bytes: rendered.bytes,
    maxLines: config.index.maxLines,
    maxBytes: config.index.maxBytes,
    omitted: rendered.omitted.map((entry) => entry.slug),
  };
}
