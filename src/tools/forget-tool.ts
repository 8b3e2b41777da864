import { z } from 'zod';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import type { MemoryToolsOptions } from './tool-options.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      topic: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a slug is letters, digits, ".", "_" and "-", as list shows it')
        .describe('The slug of the memory to retire (as the index and list show it).'),
      reason: z.string().min(1).max(500).describe('Why it should be forgotten (kept in the audit log).'),
    })
    .strict(),
);

/** `forget`: retire a memory to the trash (a tombstone, recoverable; never a hard delete). */
export function forgetTool(api: MemoryToolApi, options: MemoryToolsOptions): ToolDefinition {
  return defineTool({
    name: 'forget',
    title: 'Forget a memory',
    description: toolDescription('forget'),
    inputSchema: inputSchema(),
    hints: { readOnly: false, destructive: true, idempotent: false, openWorld: false },
    execute: async ({ topic, reason }) => {
      const result = await api.forget(topic, { reason, actor: `agent (via ${options.origin})` });
      return {
        text: `Forgot ${result.slug}: it left the index and was moved to the trash (recoverable by the user at ${result.trashPath}).`,
        data: { slug: result.slug, trashPath: result.trashPath },
      };
    },
  });
}
