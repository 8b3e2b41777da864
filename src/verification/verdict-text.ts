import type { EvidenceVerdict } from './check-context.js';
import type { TopicVerdict } from './topic-check.js';

/** "contradicted: deploy/staging.yaml no longer contains /strategy: blue-green/". */
export function describeVerdict(verdict: Pick<EvidenceVerdict, 'status' | 'detail'>): string {
  return `${verdict.status}: ${verdict.detail}`;
}

/**
 * The caveat that travels with a recalled topic: "checked now: confirmed (2 items)",
 * "checked now: contradicted: …; …", "checked now: unverifiable: …". Contradictions come first,
 * then what could not be checked; at most `maxItems` details.
 */
export function describeTopicVerdict(verdict: Pick<TopicVerdict, 'status' | 'verdicts'>, maxItems = 3): string {
  if (verdict.verdicts.length === 0) return 'checked now: no evidence to check';
  if (verdict.status === 'confirmed') {
    const count = verdict.verdicts.length;
    return `checked now: confirmed (${count} item${count === 1 ? '' : 's'})`;
  }
  const shown = verdict.verdicts.filter((item) => item.status === verdict.status).slice(0, maxItems);
  const rest = verdict.verdicts.filter((item) => item.status === verdict.status).length - shown.length;
  return `checked now: ${verdict.status}: ${shown.map((item) => item.detail).join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`;
}
