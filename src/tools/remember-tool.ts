import { z } from 'zod';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import type { MemoryToolsOptions } from './tool-options.js';
import { taskIdSchema, toTopicInput, topicFields } from './topic-fields.js';
import { toolDescription } from './tool-description.js';

const inputSchema = lazy(() =>
  z
    .object({
      ...topicFields(),
      task: taskIdSchema().optional().describe('Stage it in this open task instead of a new one.'),
    })
    .strict(),
);

/**
 * `remember`: a fact the user stated. It comes through an agent, so it is staged in a task
 * (provenance `agent` with the surface as origin) and passes the guard and the write mode like
 * any other note; the result says how it becomes memory.
 */
export function rememberTool(api: MemoryToolApi, options: MemoryToolsOptions): ToolDefinition {
  return defineTool({
    name: 'remember',
    title: 'Remember what the user said',
    description: toolDescription('remember'),
    inputSchema: inputSchema(),
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
    execute: async ({ task, ...fields }) => {
      const result = await api.remember({
        ...toTopicInput(fields),
        source: { kind: 'agent', origin: options.origin, ...(options.session ? { session: options.session } : {}) },
        ...(task ? { task } : {}),
      });
      if (result.status === 'quarantined') {
        return {
          text: `Not remembered: the guard held it in quarantine (${result.id}) because ${result.reasons.join('; ')}. Do not retry with the same content; tell the user, who can review it with \`mnemo quarantine show ${result.id}\`.`,
          data: { status: 'quarantined', id: result.id, reasons: result.reasons },
        };
      }
      const redacted = result.redacted?.length
        ? ` Secrets were replaced by placeholders before writing (${result.redacted.map((item) => `${item.count} ${item.rule}`).join(', ')}).`
        : '';
      if (result.status === 'written') {
        return {
          text: `Remembered as ${result.slug}.${redacted}`,
          data: { status: 'written', slug: result.slug, redacted: result.redacted ?? [] },
        };
      }
      const confirm = task
        ? `It becomes memory when task ${result.task} passes its verification (task_complete).`
        : `It becomes memory once confirmed: if the user asked you to remember it, call task_complete with task: "${result.task}" and confirmed: true; otherwise the user can run \`mnemo task complete ${result.task} --confirmed\`.`;
      return {
        text: `Staged (not yet memory): note ${result.note} in task ${result.task}.${redacted} ${confirm}`,
        data: { status: 'staged', task: result.task, note: result.note, redacted: result.redacted ?? [] },
      };
    },
  });
}
