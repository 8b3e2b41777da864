/*
 * A separate process whose run has a sub-agent in a worktree that never finishes, for the
 * SIGKILL test:   sub-agent-child <memory dir> <workspace>
 * The sub-agent writes partial.txt in its worktree, then prints "sub-agent waiting" on stdout
 * and waits until the process is killed.
 */
import { createScriptedAgentModel } from '../../src/agent/index.js';
import { openMemory } from '../../src/index.js';

const [dir, workspace] = process.argv.slice(2);
if (!dir || !workspace) throw new Error('usage: sub-agent-child <memory dir> <workspace>');
const memory = await openMemory({ dir, workspace, config: { logLevel: 'silent' } });
const child = createScriptedAgentModel([
  { toolCalls: [{ toolName: 'write', input: { path: 'partial.txt', content: 'half of the work\n' } }] },
  () =>
    new Promise(() => {
      process.stdout.write('sub-agent waiting\n');
      // keep the process alive until it is killed
      setInterval(() => undefined, 60_000);
    }),
]);
const parent = createScriptedAgentModel([
  {
    toolCalls: [
      {
        toolName: 'agent',
        input: { description: 'slow', prompt: 'Write partial.txt, then wait.', tools: ['write'], isolation: 'worktree' },
      },
    ],
  },
]);
await memory.agent({ model: parent.model, subAgentModel: () => child.model, permissions: { yes: true } }).run('Start a slow sub-agent.');
