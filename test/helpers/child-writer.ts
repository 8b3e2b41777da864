/*
 * A separate process that writes to a memory, for concurrency and crash tests.
 *   remember-many <dir> <prefix> <count>
 *   crash <dir> <phase> <name>   remember <name>, SIGKILL itself when the change reaches <phase>
 *   complete-crash <dir> <task> <phase>   complete <task>, SIGKILL itself at <phase> (first time)
 *   task-cycle <dir> <prefix> <count>   begin, note and complete (confirmed) <count> tasks
 */
import { openMemory } from '../../src/index.js';

const [command, dir, a, b] = process.argv.slice(2);
if (!dir) throw new Error('usage: child-writer <command> <dir> ...');

if (command === 'remember-many') {
  const memory = await openMemory({ dir, config: { logLevel: 'silent' } });
  for (let index = 0; index < Number(b); index += 1) {
    await memory.remember({ name: `${a} ${index}`, description: `written by ${a}`, type: 'project', body: `${a} fact number ${index}` });
  }
  memory.close();
} else if (command === 'crash') {
  const memory = await openMemory({
    dir,
    config: { logLevel: 'silent' },
    onPhase: (phase) => {
      if (phase === a) process.kill(process.pid, 'SIGKILL');
    },
  });
  await memory.remember({ name: b ?? 'crash', description: 'written before a crash', type: 'project', body: `the new version of ${b}` });
  memory.close();
} else if (command === 'complete-crash') {
  const memory = await openMemory({
    dir,
    config: { logLevel: 'silent' },
    onPhase: (phase) => {
      if (phase === b) process.kill(process.pid, 'SIGKILL');
    },
  });
  await (await memory.task(a as string)).complete({ confirmed: true });
  memory.close();
} else if (command === 'task-cycle') {
  const memory = await openMemory({ dir, config: { logLevel: 'silent' } });
  for (let index = 0; index < Number(b); index += 1) {
    const task = await memory.beginTask({ goal: `${a} goal ${index}` });
    await task.note({
      name: `${a} note ${index}`,
      description: `from task ${index} of ${a}`,
      type: 'project',
      body: `${a} learned ${index}`,
    });
    await task.complete({ confirmed: true });
  }
  memory.close();
} else {
  throw new Error(`unknown command ${command}`);
}
