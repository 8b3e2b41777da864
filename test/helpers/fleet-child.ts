/*
 * A separate process writing to a PostgreSQL memory through the engine (its own working copy),
 * for the fleet tests. The database and the cache come from MNEMO_DATABASE_URL and XDG_CACHE_HOME.
 *   hang-at <cwd> <phase> <name>   remember <name>; when the change reaches <phase>, print "at <phase>" and wait to be killed
 */
import { openMemory } from '../../src/index.js';

const [command, cwd, phase, name] = process.argv.slice(2);
if (command !== 'hang-at' || !cwd || !phase || !name) throw new Error('usage: fleet-child hang-at <cwd> <phase> <name>');

const memory = await openMemory({
  cwd,
  config: { logLevel: 'silent' },
  onPhase: async (reached) => {
    if (reached !== phase) return;
    process.stdout.write(`at ${phase}\n`);
    await new Promise(() => undefined);
  },
});
await memory.remember({
  name,
  description: 'written by a writer that is killed',
  type: 'project',
  body: `${name}: left unfinished by a killed writer`,
});
memory.close();
