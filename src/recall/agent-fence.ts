import { fenceText, randomToken, type DataFence } from '../shared/index.js';
import { parseIndex, readFenceToken, type TopicSource } from '../store/index.js';
import { untrustedProvenance } from './recall.js';

/**
 * What mnemo hands to an agent from untrusted provenance outside recall (a topic shown in full,
 * the index lines of untrusted topics), fenced the same way recall fences it: between marker
 * lines that carry the memory's boundary token and the provenance.
 */

/** The memory's fence; a memory whose `.state/` cannot be written gets a fresh token for this answer. */
export async function memoryFence(root: string): Promise<DataFence> {
  return { token: await readFenceToken(root).catch(() => randomToken(20)) };
}

/** A topic's text as it may go into an agent's context: fenced whole (frontmatter too) when its source is untrusted. */
export function fenceTopicText(
  text: string,
  source: Partial<TopicSource> | undefined,
  fence: DataFence,
): { text: string; fenced?: string } {
  const provenance = untrustedProvenance(source);
  return provenance === undefined ? { text } : { text: fenceText(text.replace(/\n$/, ''), fence, provenance), fenced: provenance };
}

/**
 * The index as it may go into an agent's context: each line of an untrusted topic (its title and
 * hook were written by whoever wrote the topic) fenced on its own, with that topic's provenance.
 * Every other line is left as it is.
 */
export function fenceIndexText(
  text: string,
  sources: ReadonlyMap<string, Partial<TopicSource> | undefined>,
  fence: DataFence,
): { text: string; /** Slugs whose line was fenced. */ fenced: string[] } {
  const byLine = new Map<number, { slug: string; provenance: string }>();
  for (const line of parseIndex(text).lines) {
    if (line.slug === undefined) continue;
    const provenance = untrustedProvenance(sources.get(line.slug));
    if (provenance !== undefined) byLine.set(line.lineNumber, { slug: line.slug, provenance });
  }
  if (byLine.size === 0) return { text, fenced: [] };
  const fenced: string[] = [];
  const lines = text.split(/\r?\n/).map((raw, index) => {
    const untrusted = byLine.get(index + 1);
    if (untrusted === undefined) return raw;
    fenced.push(untrusted.slug);
    return fenceText(raw, fence, untrusted.provenance);
  });
  return { text: lines.join('\n'), fenced };
}
