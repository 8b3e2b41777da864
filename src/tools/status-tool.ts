import { z } from 'zod';
import { defineTool, type ToolDefinition } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { toolDescription } from './tool-description.js';

/** `status`: the memory at a glance. */
export function statusTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'status',
    title: 'Memory status',
    description: toolDescription('status'),
    inputSchema: z.object({}).strict(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
    execute: async () => {
      const status = (await api.status()) as Record<string, unknown>;
      return { text: JSON.stringify(status, null, 2), data: status };
    },
  });
}
