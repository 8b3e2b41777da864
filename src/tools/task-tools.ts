import { z } from 'zod';
import type { Provenance } from '../discipline/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { taskIdSchema, toTopicInput, topicFields } from './topic-fields.js';
import { toolDescription } from './tool-description.js';
import type { MemoryToolsOptions } from './tool-options.js';

const beginSchema = lazy(() =>
  z
    .object({
      goal: z.string().min(1).max(500).describe('What the task should achieve, in one sentence.'),
      verify: z
        .string()
        .min(1)
        .max(2000)
        .optional()
        .describe(
          'A shell command, run in the project folder when you complete the task, whose exit code 0 means it worked (e.g. "npm test -- login"). Leave it out when only the user can confirm the outcome.',
        ),
    })
    .strict(),
);

/** `task_begin`: open a task; its notes reach memory only after its verification passes. */
export function taskBeginTool(api: MemoryToolApi, options: MemoryToolsOptions): ToolDefinition {
  return defineTool({
    name: 'task_begin',
    title: 'Begin a task',
    description: toolDescription('task-begin'),
    inputSchema: beginSchema(),
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
    execute: async ({ goal, verify }) => {
      const task = await api.beginTask({ goal, verify, session: options.session });
      return {
        text: `Task ${task.id} begun${verify ? ` (verification: ${verify})` : ' (no verification command: the user confirms the outcome)'}. Pass task: "${task.id}" to task_note, task_observe and task_complete.`,
        data: { task: task.id, session: task.session, goal, verify: verify ?? null },
      };
    },
  });
}

const noteSchema = lazy(() => z.object({ task: taskIdSchema(), ...topicFields() }).strict());

/** `task_note`: stage a memory in a task's working set (invisible to others until promoted). */
export function taskNoteTool(api: MemoryToolApi, options: MemoryToolsOptions): ToolDefinition {
  return defineTool({
    name: 'task_note',
    title: 'Stage a note in a task',
    description: toolDescription('task-note'),
    inputSchema: noteSchema(),
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
    execute: async ({ task, ...fields }) => {
      const source: Provenance = { kind: 'agent', origin: options.origin };
      const result = await (await api.task(task)).note({ ...toTopicInput(fields), source });
      if (result.status === 'quarantined') {
        return {
          text: `Not staged: the guard held this note in quarantine (${result.item.id}) because ${result.item.reasons.join('; ')}. Content from tools or the web that tries to instruct agents never becomes memory without a person's review.`,
          data: { task, status: 'quarantined', id: result.item.id, reasons: result.item.reasons },
        };
      }
      const note = result.note;
      return {
        text: `Staged note ${note.id} ("${note.name}") in task ${task}. It becomes memory only when the task's verification passes (task_complete).`,
        data: { task, note: note.id, name: note.name, trust: note.source.trust },
      };
    },
  });
}

const observeSchema = lazy(() =>
  z
    .object({
      task: taskIdSchema(),
      kind: z
        .enum(['error', 'result', 'note', 'decision', 'tool-result'])
        .describe(
          'error: an error you hit (its signature is kept so the fix can become a lesson); result, note, decision, tool-result: anything else worth keeping in the transcript.',
        ),
      text: z.string().min(1).max(65_536).describe('What happened, verbatim for errors (the message and the first lines of the stack).'),
    })
    .strict(),
);

/** `task_observe`: record what happened in the transcript; errors are remembered by signature. */
export function taskObserveTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'task_observe',
    title: 'Record an observation',
    description: toolDescription('task-observe'),
    inputSchema: observeSchema(),
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
    execute: async ({ task, kind, text }) => {
      const result = await (await api.task(task)).observe(kind, text);
      return {
        text: result.signature
          ? `Recorded the ${kind} in task ${task}; its signature is "${result.signature}". If you fix it and the task passes, the fix becomes a lesson.`
          : `Recorded the ${kind} in task ${task}.`,
        data: { task, kind, signature: result.signature ?? null },
      };
    },
  });
}
