import { z } from 'zod';
import { TOPIC_STATUSES, TOPIC_TYPES } from '../store/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      type: z.enum(TOPIC_TYPES).optional().describe('Only memories of this type.'),
      status: z.enum(TOPIC_STATUSES).optional().describe('Only memories with this status (active, suspect, superseded, quarantined).'),
    })
    .strict(),
);

/** `list`: every memory's slug, type, status and one-line description. */
export function listTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'list',
    title: 'List memories',
    description: toolDescription('list'),
    inputSchema: inputSchema(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
    execute: async ({ type, status }) => {
      const topics = await api.list({ ...(type ? { type } : {}), ...(status ? { status } : {}) });
      const lines = topics.map((topic) =>
        topic.readable
          ? `- ${topic.slug} [${topic.type}, ${topic.status}]: ${topic.description}`
          : `- ${topic.slug} [unreadable]: ${topic.error}`,
      );
      return {
        text: lines.length === 0 ? 'No memories match.' : `${lines.length} memories:\n${lines.join('\n')}`,
        data: {
          topics: topics.map((topic) =>
            topic.readable
              ? { slug: topic.slug, name: topic.name, description: topic.description, type: topic.type, status: topic.status }
              : { slug: topic.slug, unreadable: topic.error },
          ),
        },
      };
    },
  });
}
