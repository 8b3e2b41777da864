/*
 * A separate process that dreams, for crash tests:
 *   dream-child <dir> <killAt> <now> <workspace>
 * Every phase of the dream and of its change set is a step; at step <killAt> the process
 * SIGKILLs itself (0: never). On a normal end it prints `steps=<n>` on stderr.
 */
import { createManualClock, openMemory } from '../../src/index.js';

const [dir, killAtText, now, workspace] = process.argv.slice(2);
if (!dir || killAtText === undefined || !now || !workspace) throw new Error('usage: dream-child <dir> <killAt> <now> <workspace>');
const killAt = Number(killAtText);
let steps = 0;
const step = (): void => {
  steps += 1;
  if (steps === killAt) process.kill(process.pid, 'SIGKILL');
};
const memory = await openMemory({
  dir,
  workspace,
  clock: createManualClock(now),
  config: { logLevel: 'silent' },
  onPhase: step,
  onDreamPhase: step,
});
await memory.dream();
memory.close();
process.stderr.write(`steps=${steps}\n`);
