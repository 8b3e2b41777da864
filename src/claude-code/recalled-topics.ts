import type { PackedTopic } from '../retrieval/index.js';

/** The provenance mark of a recalled topic: where it came from, its trust, when it was last checked. */
export function provenanceMark(topic: Pick<PackedTopic, 'details' | 'type'>): string {
  const details = topic.details ?? {};
  const source = details.source as { kind?: string; trust?: string } | undefined;
  const from = source?.kind ? `${source.kind}${source.trust ? `, ${source.trust}` : ''}` : 'written by hand (no mnemo provenance)';
  const verified = typeof details.verified === 'string' ? `last verified ${details.verified.slice(0, 10)}` : 'never verified';
  const updated = typeof details.updated === 'string' ? `, updated ${details.updated.slice(0, 10)}` : '';
  return `> provenance: ${from}; ${verified}${updated}`;
}

/**
 * The recalled topics as the text an agent's context gets: each topic's block (heading, freshness
 * caveats, body) with its provenance mark under the heading. The one place hooks render memory
 * for a model, so that fencing of untrusted text can wrap it.
 */
export function renderRecalledTopics(topics: readonly Pick<PackedTopic, 'text' | 'details' | 'type'>[]): string {
  return topics
    .map((topic) => {
      const [heading = '', ...rest] = topic.text.split('\n');
      return [heading, provenanceMark(topic), ...rest].join('\n');
    })
    .join('\n\n');
}
