/*
 * One writer of bench/postgres-bench.ts: writes <count> topics through a store's port, one per
 * write, and prints {"start":…,"end":…} (epoch ms around the writes, after opening the store).
 *   npx tsx bench/store-writer-child.ts file <root> <prefix> <count>
 *   npx tsx bench/store-writer-child.ts postgres <url> <prefix> <count>
 */
import { openFileStore, openPostgresStore, type MemoryStore } from '../src/store/index.js';

const [kind, where, prefix, countText] = process.argv.slice(2);
if (!kind || !where || !prefix || !countText) throw new Error('usage: store-writer-child file|postgres <root|url> <prefix> <count>');
const store: MemoryStore = kind === 'postgres' ? await openPostgresStore({ url: where, poolSize: 1 }) : openFileStore({ root: where });
const start = Date.now();
for (let index = 0; index < Number(countText); index += 1) {
  await store.topics.write(
    `${prefix}-${index}`,
    `---\nname: ${prefix} ${index}\ndescription: written by writer ${prefix}\ntype: project\n---\nfact number ${index} of ${prefix}\n`,
  );
}
const end = Date.now();
await store.close();
process.stdout.write(`${JSON.stringify({ start, end })}\n`);
