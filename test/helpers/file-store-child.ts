/* Uses the file store end to end, then prints whether the `pg` package was loaded (it must not be). */
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock } from '../../src/shared/index.js';
import { initRoot, openFileStore } from '../../src/store/index.js';

const root = await mkdtemp(join(tmpdir(), 'mnemo-nopg-'));
await initRoot(root);
const store = openFileStore({ root });
await store.topics.write('a', '---\nname: A\ndescription: a topic\ntype: project\n---\nbody\n');
await store.transcripts.append('s1', [{ kind: 'user', text: 'hi' }], createManualClock());
const hits = await store.search.searchTopics('topic');
await store.close();
await rm(root, { recursive: true, force: true });
const cache = createRequire(import.meta.url).cache;
process.stdout.write(
  `${JSON.stringify({ hits: hits.length, pgLoaded: Object.keys(cache).some((key) => /[\\/]node_modules[\\/]pg[\\/]/.test(key)) })}\n`,
);
