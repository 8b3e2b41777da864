import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScriptedAgentModel, type ScriptedAgentStep } from '../../src/agent/index.js';
import { openMemory, type Memory } from '../../src/app/index.js';
import { git } from '../helpers/git-repo.js';
import { CHECK_ERROR, FIX, failingCheckRepo, taskIdIn } from '../helpers/failing-check-repo.js';
import { tempDir } from '../helpers/temp-root.js';

async function project(): Promise<{ workspace: string; memory: Memory }> {
  const workspace = await tempDir();
  await failingCheckRepo(workspace);
  const memory = await openMemory({ dir: join(workspace, '.mnemo'), workspace, create: true, env: { MNEMO_LOG_LEVEL: 'silent' } });
  return { workspace, memory };
}

const fixingScript: ScriptedAgentStep[] = [
  { text: 'Running the check first.', toolCalls: [{ toolName: 'bash', input: { command: 'node check.js' } }] },
  { toolCalls: [{ toolName: 'read', input: { path: 'greet.js' } }] },
  { toolCalls: [{ toolName: 'edit', input: FIX }] },
  { toolCalls: [{ toolName: 'bash', input: { command: 'node check.js' } }] },
  (request) => ({
    toolCalls: [
      {
        toolName: 'task_note',
        input: {
          task: taskIdIn(request.text),
          name: 'Greeting format',
          description: 'greet() must return "Hello, NAME!" (check.js verifies it)',
          type: 'project',
          body: 'greet() in `greet.js` returns `Hello, ${name}!`. **Why:** check.js asserts it. **How to apply:** run `node check.js` after changing greet.js.',
        },
      },
    ],
  }),
  { text: 'Fixed greet.js to return "Hello, NAME!"; node check.js passes.' },
];

describe('memory.agent().run', () => {
  it('fixes a failing check in a real repo, and promotes the note and a lesson only after --verify passes', async () => {
    const { workspace, memory } = await project();
    try {
      const scripted = createScriptedAgentModel(fixingScript);
      const result = await memory.agent({ model: scripted.model, permissions: { yes: true } }).run('Make `node check.js` pass.', { verify: 'node check.js' });
      expect(result.outcome).toBe('completed');
      expect(result.verification?.passed).toBe(true);
      expect(await readFile(join(workspace, 'greet.js'), 'utf8')).toContain('Hello, ${name}!');
      expect(result.promoted.map((item) => item.slug)).toContain('greeting-format');
      expect(result.filesTouched).toEqual(['greet.js']);
      // the failing command's output reached the model, and MEMORY.md was in the system prompt
      expect(scripted.requests[1]?.text).toContain(JSON.stringify(CHECK_ERROR).slice(1, -1));
      expect(scripted.requests[0]?.text).toContain('source=\\"MEMORY.md\\"');
      // the lesson: the error signature now recalls the fix
      const recalled = await memory.recall(CHECK_ERROR);
      expect(recalled.topics[0]?.type).toBe('lesson');
      // calls and results are in the transcript, with the full output
      const status = await memory.status();
      expect(status.openTasks).toEqual([]);
      const turns = await memory.recall('check passed', { deep: true });
      expect(turns.turns.length).toBeGreaterThan(0);
    } finally {
      memory.close();
    }
  });

  it('puts the lesson for a failure into the context right after the failing tool result', async () => {
    const { workspace, memory } = await project();
    try {
      await memory.agent({ model: createScriptedAgentModel(fixingScript).model, permissions: { yes: true } }).run('Make `node check.js` pass.', { verify: 'node check.js' });
      git(workspace, 'checkout', '--', 'greet.js');
      const second = createScriptedAgentModel([
        { toolCalls: [{ toolName: 'bash', input: { command: 'node check.js' } }] },
        { text: 'I saw the lesson.' },
      ]);
      const events: string[] = [];
      await memory.agent({ model: second.model, permissions: { yes: true } }).run('Tell me whether the build is healthy.', { onEvent: (event) => events.push(event.type) });
      const afterFailure = second.requests[1]!.text;
      expect(afterFailure).toContain('source=\\"mnemo recall\\" reason=\\"the failure above\\"');
      expect(afterFailure).toMatch(/\[lesson\]/);
      expect(events).toContain('memory');
    } finally {
      memory.close();
    }
  });

  it('leaves the notes staged and the task open when the verification fails', async () => {
    const { memory } = await project();
    try {
      const scripted = createScriptedAgentModel([fixingScript[4]!, { text: 'I think it is fine.' }]);
      const result = await memory.agent({ model: scripted.model }).run('Make `node check.js` pass.', { verify: 'node check.js' });
      expect(result.outcome).toBe('verification-failed');
      expect(result.verification?.passed).toBe(false);
      expect(result.verification?.outputTail).toContain(CHECK_ERROR);
      expect(result.promoted).toEqual([]);
      expect(await memory.list()).toEqual([]);
      const task = await (await memory.task(result.task)).show();
      expect(task.status).toBe('open');
      expect(task.notes.map((note) => note.name)).toEqual(['Greeting format']);
    } finally {
      memory.close();
    }
  });
});

describe('context: a long tool result', () => {
  it('ages into an excerpt and a pointer that recall brings back from the transcript', async () => {
    const { memory } = await project();
    try {
      const script: ScriptedAgentStep[] = [
        { toolCalls: [{ toolName: 'bash', input: { command: 'seq 1 3000 | sed "s/^/row /"; echo zebra-marker-line' } }] },
        ...Array.from({ length: 7 }, () => ({ toolCalls: [{ toolName: 'glob', input: { pattern: '*.js' } }] })),
        { text: 'done' },
      ];
      const scripted = createScriptedAgentModel(script);
      const result = await memory.agent({ model: scripted.model, permissions: { yes: true }, limits: { keepTurns: 3 } }).run('List rows.');
      expect(result.outcome).toBe('completed');
      expect(scripted.requests[1]!.text.includes('row 2500')).toBe(true);
      const last = scripted.requests.at(-1)!.text;
      expect(last.includes('row 2500')).toBe(false);
      expect(/\[excerpt of bash result call1: \d+ bytes in all, kept in the transcript; recall/.test(last)).toBe(true);
      const back = await memory.recall('call1 zebra-marker-line', { deep: true });
      expect(back.turns.map((turn) => turn.text).join('\n').includes('row 1500')).toBe(true);
    } finally {
      memory.close();
    }
  });
});
