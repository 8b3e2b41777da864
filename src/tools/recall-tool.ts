import { quoteExcerpt } from '../shared/index.js';
import { z } from 'zod';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { taskIdSchema } from './topic-fields.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      query: z
        .string()
        .min(1)
        .max(2000)
        .describe('What you are looking for, in content words: components, names, error messages, commands.'),
      limit: z.number().int().min(1).max(20).optional().describe('Most memories to return (default 5).'),
      budget: z.number().int().min(256).max(61_440).optional().describe('Most bytes of the whole answer (default 20480).'),
      tokens: z
        .number()
        .int()
        .min(50)
        .max(32_000)
        .optional()
        .describe('Most tokens of the whole answer (counted with a GPT tokenizer); use it to fit your context budget.'),
      deep: z.boolean().optional().describe('Also search raw session transcripts; each turn comes with its session and time.'),
      task: taskIdSchema().optional().describe('Your open task: its staged notes come back too, marked unverified.'),
    })
    .strict(),
);

/** `recall`: ranked memories (and transcript turns with `deep`) with their caveats, within budgets. */
export function recallTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'recall',
    title: 'Recall from memory',
    description: toolDescription('recall'),
    inputSchema: inputSchema(),
    hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
    execute: async ({ query, limit, budget, tokens, deep, task }) => {
      const result = await api.recall(query, {
        ...(limit === undefined ? {} : { limit }),
        ...(budget === undefined ? {} : { budget }),
        ...(tokens === undefined ? {} : { budgetTokens: tokens }),
        ...(deep ? { deep: true } : {}),
        ...(task === undefined ? {} : { task }),
      });
      const empty = result.topics.length === 0 && result.turns.length === 0;
      // Hybrid recall (the configured mode) that had to run lexical says so, last.
      const degraded = result.degraded === undefined ? '' : `\n\n(${result.degraded})`;
      return {
        text:
          (empty
            ? `Nothing in memory matches ${quoteExcerpt(query)}.${deep ? '' : ' Try deep: true to search past session transcripts.'}`
            : result.text) + degraded,
        data: {
          query: result.query,
          topics: result.topics.map((topic) => ({
            slug: topic.slug,
            name: topic.name,
            description: topic.description,
            type: topic.type,
            status: topic.status,
            caveats: topic.caveats,
            text: topic.text,
            ...(topic.truncatedFrom === undefined ? {} : { truncatedFrom: topic.truncatedFrom }),
          })),
          turns: result.turns,
          cut: result.cut.map((note) => note.message),
          bytes: result.bytes,
          ...(result.mode === undefined ? {} : { mode: result.mode }),
          ...(result.degraded === undefined ? {} : { degraded: result.degraded }),
        },
      };
    },
  });
}
