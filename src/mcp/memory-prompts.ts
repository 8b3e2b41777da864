import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

function startTaskText(goal: string, verify: string | undefined): string {
  return [
    `Start this task with mnemo's memory. Goal: ${goal}`,
    '',
    `1. Call recall with the goal (and again with any error you hit) and read the caveats: memories are hints to confirm, "suspect" ones doubly so.`,
    verify
      ? `2. Call task_begin with goal ${JSON.stringify(goal)} and verify ${JSON.stringify(verify)}.`
      : `2. Call task_begin with goal ${JSON.stringify(goal)}; add a verify command if there is one that proves the task worked (exit 0), otherwise the user confirms at the end.`,
    '3. While you work: task_observe errors verbatim (kind "error"); task_note each durable fact, rule or fix you learn (fact first, then **Why:** and **How to apply:**, with evidence such as a file that must contain a text).',
    '4. When done, call task_complete with the task id. If the verification fails, fix and complete again, or task_fail with the reason. Only a verified task reaches memory.',
  ].join('\n');
}

const CONSOLIDATE_TEXT = [
  "Review and consolidate mnemo's memory with the user.",
  '',
  '1. Call status, then list with status "suspect": say which memories no longer hold.',
  '2. Call verify to check the memories against the project now.',
  '3. Call dream without apply: it only proposes merges, lessons and retirements. Show the proposal to the user.',
  '4. Only if the user agrees, call dream with apply: true, or forget the memories they want gone (with the reason).',
].join('\n');

/** The prompts a person picks in a client: start a task with memory, consolidate. */
export function registerMemoryPrompts(server: McpServer): void {
  server.registerPrompt(
    'start-task',
    {
      title: 'Start a task with memory',
      description: 'Recall what memory knows about a goal, open a verified task, and keep what is learned.',
      argsSchema: z.object({
        goal: z.string().min(1).max(500).describe('What the task should achieve.'),
        verify: z.string().max(2000).optional().describe('A shell command whose exit code 0 proves the task worked (optional).'),
      }),
    },
    ({ goal, verify }) => ({
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: startTaskText(goal, verify?.trim() || undefined) } }],
    }),
  );
  server.registerPrompt(
    'consolidate',
    { title: 'Consolidate memory', description: 'Check, review and consolidate the memory with the user (dream proposes first).' },
    () => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text: CONSOLIDATE_TEXT } }] }),
  );
}
