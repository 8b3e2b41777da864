/*
 * A separate process writing through the PostgreSQL store, for concurrency and crash tests.
 *   write-many <url> <prefix> <count>   one topic per transaction, and one event per topic appended to session "shared"
 *   hang-mid-batch <url> <prefix> <count>   write <count> topics in one transaction; after half (the first statement past it; give more than 2,000), print "halfway" and wait to be killed
 */
import { createManualClock } from '../../src/shared/index.js';
import { openPostgresStore } from '../../src/store/index.js';

const [command, url, prefix, countText] = process.argv.slice(2);
if (!url || !prefix || !countText) throw new Error('usage: postgres-child <command> <url> <prefix> <count>');
const count = Number(countText);
const store = await openPostgresStore({ url, poolSize: 2 });
const topic = (index: number): string =>
  `---\nname: ${prefix} ${index}\ndescription: written by ${prefix}\ntype: project\n---\n${prefix} fact number ${index}\n`;

if (command === 'write-many') {
  const clock = createManualClock('2026-11-22T10:00:00.000Z');
  for (let index = 0; index < count; index += 1) {
    await store.topics.write(`${prefix}-${index}`, topic(index));
    await store.transcripts.append('shared', [{ kind: 'user', text: `${prefix} event ${index}` }], clock);
  }
  await store.close();
} else if (command === 'hang-mid-batch') {
  const entries = Array.from({ length: count }, (_, index) => ({ slug: `${prefix}-${index}`, content: topic(index) }));
  await store.topics.writeMany(entries, {
    onProgress: async (done) => {
      // progress comes per statement (1,000 rows each in bulk): the first report past half
      if (done >= Math.floor(count / 2) && done < count) {
        process.stdout.write('halfway\n');
        await new Promise(() => undefined);
      }
    },
  });
} else throw new Error(`unknown command ${command}`);
