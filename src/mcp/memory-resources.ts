import { ResourceNotFoundError, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import type { McpServerParts } from './server-parts.js';

/** The index, always loaded by a client at session start. */
export const INDEX_URI = 'mnemo://index';
/** One topic: `mnemo://topic/<slug>`. */
export const TOPIC_URI_TEMPLATE = 'mnemo://topic/{slug}';

export function topicUri(slug: string): string {
  return `mnemo://topic/${encodeURIComponent(slug)}`;
}

/** The index (`MEMORY.md`) and each topic as resources; reads never change the memory. */
export function registerMemoryResources(server: McpServer, parts: McpServerParts): void {
  const { memory, inFlight } = parts;
  server.registerResource(
    'index',
    INDEX_URI,
    {
      title: 'Memory index (MEMORY.md)',
      description:
        'One line per memory, grouped by type, within its budget. Load it at the start of a session; recall or read a topic for details.',
      mimeType: 'text/markdown',
    },
    async (uri) =>
      inFlight.track(async () => {
        // the lines of untrusted topics are fenced as data, like the topics themselves
        const text = await memory.agentIndexText();
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
      }),
  );
  server.registerResource(
    'topic',
    new ResourceTemplate(TOPIC_URI_TEMPLATE, {
      list: async () =>
        inFlight.track(async () => ({
          resources: (await memory.list())
            .filter((topic) => topic.readable)
            .map((topic) => ({
              uri: topicUri(topic.slug),
              name: topic.slug,
              ...(topic.readable ? { title: topic.name, description: `[${topic.type}, ${topic.status}] ${topic.description}` } : {}),
              mimeType: 'text/markdown',
            })),
        })),
    }),
    {
      title: 'Memory topic',
      description: 'One memory: frontmatter (type, status, evidence, provenance) and body.',
      mimeType: 'text/markdown',
    },
    async (uri, variables) =>
      inFlight.track(async () => {
        const slug = decodeURIComponent(String(variables.slug));
        const shown = await memory.show(slug);
        if (!shown.found || !('text' in shown)) throw new ResourceNotFoundError(uri.href);
        // an untrusted topic reaches the agent fenced as data, with its provenance
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: shown.agentText }] };
      }),
  );
}
