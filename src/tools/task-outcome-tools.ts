import { z } from 'zod';
import type { CompleteResult } from '../discipline/index.js';
import { MnemoError } from '../shared/index.js';
import { defineTool, type ToolDefinition, lazy } from './define-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { taskIdSchema } from './topic-fields.js';
import { toolDescription } from './tool-description.js';

const completeSchema = lazy(() =>
  z
    .object({
      task: taskIdSchema(),
      confirmed: z
        .boolean()
        .optional()
        .describe(
          'Only for a task without a verification command: true when the user explicitly confirmed, in this conversation, that it worked. Never set it on your own judgement.',
        ),
      summary: z.string().max(1000).optional().describe('What changed, in a sentence; kept with the lesson and the audit.'),
    })
    .strict(),
);

function describeCompletion(result: CompleteResult): string {
  const { task, attempt } = result;
  if (result.outcome === 'verification-failed') {
    const how = attempt?.timedOut ? 'timed out' : `exited ${attempt?.exitCode ?? '?'}`;
    const tail = attempt?.outputTail ? `\nOutput (tail):\n${attempt.outputTail.trimEnd().split('\n').slice(-20).join('\n')}` : '';
    return `Verification failed for task ${task.id}: \`${attempt?.check ?? ''}\` ${how}. Nothing was promoted; the attempt is in the transcript and the task stays open. Fix the problem and call task_complete again, or give up with task_fail.${tail}`;
  }
  if (result.outcome === 'awaiting-approval') {
    return `Verification passed for task ${task.id}. Memory writes are in "confirm" mode, so its ${task.notes.length} note(s) wait for the user's approval: tell the user to run \`mnemo task approve ${task.id}\`.`;
  }
  const promoted = result.promoted.map(
    (item) => `- ${item.slug} (${item.action}${item.supersedes ? `, supersedes ${item.supersedes}` : ''})`,
  );
  return `Task ${task.id} completed (${attempt?.check ?? 'approved'}). ${promoted.length === 0 ? 'It had no notes, so nothing was promoted.' : `Promoted to memory:\n${promoted.join('\n')}`}`;
}

/** `task_complete`: run the task's verification; on success its notes become memory. */
export function taskCompleteTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'task_complete',
    title: 'Complete (verify) a task',
    description: toolDescription('task-complete'),
    inputSchema: completeSchema(),
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
    execute: async ({ task, confirmed, summary }) => {
      const handle = await api.task(task);
      const record = await handle.show();
      if (record.verify === undefined && confirmed !== true && record.status === 'open') {
        throw new MnemoError('invalid-input', `Task ${task} has no verification command, so only the user can confirm its outcome.`, {
          hint: `Ask the user whether it worked. If they confirm, call task_complete with confirmed: true; if not, call task_fail. (The user can also run \`mnemo task complete ${task} --confirmed\`.)`,
        });
      }
      const result = await handle.complete({ ...(confirmed ? { confirmed: true } : {}), ...(summary ? { summary } : {}) });
      return {
        text: describeCompletion(result),
        data: {
          task,
          outcome: result.outcome,
          promoted: result.promoted.map((item) => ({ ...item })),
          check: result.attempt?.check ?? null,
          exitCode: result.attempt?.exitCode ?? null,
          outputTail: result.attempt?.outputTail ?? '',
        },
      };
    },
  });
}

const failSchema = lazy(() =>
  z
    .object({
      task: taskIdSchema(),
      reason: z.string().min(1).max(1000).describe('Why the task failed or was given up.'),
    })
    .strict(),
);

/** `task_fail`: close a task as failed; nothing it staged becomes memory. */
export function taskFailTool(api: MemoryToolApi): ToolDefinition {
  return defineTool({
    name: 'task_fail',
    title: 'Fail a task',
    description: toolDescription('task-fail'),
    inputSchema: failSchema(),
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
    execute: async ({ task, reason }) => {
      const record = await (await api.task(task)).fail(reason);
      return {
        text: `Task ${task} closed as failed. Its ${record.notes.length} note(s) were not promoted; the attempt stays in the transcript.`,
        data: { task, status: record.status, notes: record.notes.length },
      };
    },
  });
}
