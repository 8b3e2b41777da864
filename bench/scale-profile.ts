/*
 * Where the time of a warm recall and of a `remember` goes at one size: the seeded topics of
 * bench/scale-text.ts (as bench/scale.ts builds them), kept in a folder between runs so that the
 * load is paid once; then warm recalls and remembers, optionally under the CPU profiler.
 *   PROFILE_DIR=/tmp/m10k PROFILE_SIZE=10000 PROFILE_LOAD=remember npx tsx bench/scale-profile.ts
 *   PROFILE_CPU=out.cpuprofile ...   write a CPU profile of the measured part (open in Chrome DevTools)
 *   PROFILE_REMEMBERS=0 ...          recalls only (the folder stays as loaded)
 *   PROFILE_DUMP=answers.jsonl ...   also write each recall's topics and the hash of its text (to compare two builds)
 *   PROFILE_RENDERS=20 ...           MEMORY.md renders timed after the writes: the bounded one a write does, against
 *                                    one full render (every topic ranked), and whether their bytes are the same (0: none)
 * The folder is a real memory: `PROFILE_LOAD=files` writes the topics as files and reindexes
 * (every topic then counts as changed outside mnemo), `recorded` also records their hashes in the
 * manifest (as mnemo's writes do), `remember` (default) writes them through mnemo.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initMemory, openMemory } from '../src/index.js';
import { computeBoundedIndex, computeFullIndex, recordInManifest } from '../src/discipline/index.js';
import { SearchIndex } from '../src/retrieval/index.js';
import { formatMs, percentile, seededRandom } from './bench-utils.js';
import { ScaleText, type BenchTopic } from './scale-text.js';

const FIXED_NOW = '2026-06-01T12:00:00Z';
const size = Number(process.env.PROFILE_SIZE ?? '10000');
const dir = process.env.PROFILE_DIR ?? `/tmp/mnemo-profile-${size}`;
const load = process.env.PROFILE_LOAD === 'files' || process.env.PROFILE_LOAD === 'recorded' ? process.env.PROFILE_LOAD : 'remember';
const recalls = Number(process.env.PROFILE_RECALLS ?? '300');
const remembers = Number(process.env.PROFILE_REMEMBERS ?? '100');
const cwd = join(dir, '..');

const random = seededRandom(size + 13);
const text = new ScaleText(random);
const topics: BenchTopic[] = Array.from({ length: size }, (_, index) => text.topic(index));
const fresh = !existsSync(join(dir, '.state'));
if (fresh) await initMemory({ dir, cwd });
const memory = await openMemory({ dir, cwd, config: { logLevel: 'silent' }, env: { MNEMO_NOW: FIXED_NOW } });
if (fresh) {
  const started = performance.now();
  for (const [index, topic] of topics.entries()) {
    if (load === 'remember') await memory.remember({ ...topic, slug: `t-${index}` });
    else {
      const frontmatter = `---\nname: ${JSON.stringify(topic.name)}\ndescription: ${JSON.stringify(topic.description)}\ntype: ${topic.type}\ntags: [${topic.tags.join(', ')}]\nstatus: active\n---\n`;
      await writeFile(join(dir, `t-${index}.md`), `${frontmatter}${topic.body}\n`);
    }
    if (index % 1000 === 999) process.stderr.write(`loaded ${index + 1} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  if (load !== 'remember') await memory.reindex();
  if (load === 'recorded')
    await recordInManifest(
      dir,
      topics.map((_, index) => `t-${index}`),
    );
  process.stderr.write(`load (${load}): ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const queries = Array.from({ length: recalls + 30 }, () => text.query(topics));
for (const query of queries.slice(0, 30)) await memory.recall(query);

const session = process.env.PROFILE_CPU ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
const recallMs: number[] = [];
const answers: string[] = [];
for (const query of queries.slice(30)) {
  const started = performance.now();
  const answer = await memory.recall(query);
  recallMs.push(performance.now() - started);
  if (process.env.PROFILE_DUMP)
    answers.push(
      JSON.stringify({
        query,
        topics: answer.topics.map((topic) => topic.slug),
        text: createHash('sha256').update(answer.text).digest('hex').slice(0, 16),
      }),
    );
}
if (process.env.PROFILE_DUMP) await writeFile(process.env.PROFILE_DUMP, `${answers.join('\n')}\n`);
const writeMs: number[] = [];
const extra = new ScaleText(seededRandom(Date.now() % 1000));
for (let index = 0; index < remembers; index += 1) {
  const started = performance.now();
  await memory.remember({ ...extra.topic(index), slug: `p-${Date.now().toString(36)}-${index}` });
  writeMs.push(performance.now() - started);
}
if (session && process.env.PROFILE_CPU) {
  const { profile } = await session.post('Profiler.stop');
  await writeFile(process.env.PROFILE_CPU, JSON.stringify(profile));
}
const renders = Number(process.env.PROFILE_RENDERS ?? '20');
const renderMs: number[] = [];
let renderNote = '';
if (renders > 0) {
  const search = SearchIndex.open({ root: dir, dbPath: join(dir, '.state', 'search.db') });
  const context = { root: dir, search, config: memory.config, now: new Date(FIXED_NOW), usage: undefined };
  let bounded = '';
  for (let index = 0; index < renders; index += 1) {
    const started = performance.now();
    bounded = computeBoundedIndex(context).text;
    renderMs.push(performance.now() - started);
  }
  const started = performance.now();
  const full = computeFullIndex(context).text;
  renderNote = `full render (every topic ranked): ${formatMs(performance.now() - started)}; same bytes: ${full === bounded ? 'yes' : 'NO'}\n`;
  search.close();
}
memory.close();
const line = (label: string, values: number[]) =>
  values.length === 0
    ? ''
    : `${label}: p50 ${formatMs(percentile(values, 50))} / p95 ${formatMs(percentile(values, 95))} / p99 ${formatMs(percentile(values, 99))} (n=${values.length})\n`;
process.stdout.write(
  `${size} topics (${load}) in ${dir}\n${line('recall', recallMs)}${line('remember', writeMs)}${line('render MEMORY.md after a write (bounded)', renderMs)}${renderNote}`,
);
