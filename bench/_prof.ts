import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initMemory, openMemory } from '../src/index.js';
import { seededRandom, percentile } from './bench-utils.js';
import { ScaleText } from './scale-text.js';
const size = Number(process.env.N ?? 10000);
const mode = process.env.MODE ?? 'files';
const text = new ScaleText(seededRandom(size + 13));
const cwd = await mkdtemp(join(tmpdir(), 'mnemo-prof-'));
const dir = join(cwd, 'm');
await initMemory({ dir, cwd });
const memory = await openMemory({ dir, cwd, config: { logLevel: 'silent' }, env: { MNEMO_NOW: '2026-06-01T12:00:00Z' } });
const topics = [];
let t0 = performance.now();
for (let i = 0; i < size; i++) {
  const topic = text.topic(i); topics.push(topic);
  if (mode === 'files') {
    const fm = `---\nname: ${JSON.stringify(topic.name)}\ndescription: ${JSON.stringify(topic.description)}\ntype: ${topic.type}\ntags: [${topic.tags.join(', ')}]\nstatus: active\n---\n`;
    await writeFile(join(dir, `t-${i}.md`), `${fm}${topic.body}\n`);
  } else await memory.remember({ ...topic, slug: `t-${i}` });
}
if (mode === 'files') await memory.reindex();
console.error('load', ((performance.now() - t0) / 1000).toFixed(1), 's');
const { Session: S2 } = await import('node:inspector/promises');
const s2 = new S2(); s2.connect(); await s2.post('Profiler.enable'); await s2.post('Profiler.start');
const writes = [];
for (let i = 0; i < 100; i++) { const topic = text.topic(size + i); topics.push(topic); const s = performance.now(); await memory.remember({ ...topic, slug: `t-${size + i}` }); writes.push(performance.now() - s); }
{ const { profile } = await s2.post('Profiler.stop'); (await import('node:fs')).writeFileSync('/tmp/s13/remember.cpuprofile', JSON.stringify(profile)); s2.disconnect(); }
console.error('remember p50/p95', percentile(writes, 50).toFixed(1), percentile(writes, 95).toFixed(1));
const queries = Array.from({ length: 330 }, () => text.query(topics));
for (const q of queries.slice(0, 30)) await memory.recall(q);
const { Session } = await import('node:inspector/promises');
const { writeFileSync } = await import('node:fs');
const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start');
const rec = [];
for (const q of queries.slice(30)) { const s = performance.now(); await memory.recall(q); rec.push(performance.now() - s); }
const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/s13/recall.cpuprofile', JSON.stringify(profile));
console.error('recall p50/p95', percentile(rec, 50).toFixed(1), percentile(rec, 95).toFixed(1));
console.error('dir', dir);
memory.close();
