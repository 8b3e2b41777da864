/*
 * A separate process that writes to a memory, for concurrency and crash tests.
 *   remember-many <dir> <prefix> <count>
 *   crash <dir> <phase> <name>   remember <name>, SIGKILL itself when the change reaches <phase>
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
} else {
  throw new Error(`unknown command ${command}`);
}
