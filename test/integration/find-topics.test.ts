import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemory, type Memory, type TopicSummary } from '../../src/index.js';
import { sessionStartContext } from '../../src/claude-code/index.js';
import { tempDir } from '../helpers/temp-root.js';
import { promoteWebTopic } from '../helpers/untrusted-topic.js';

/*
 * `memory.find` answers from the search rows through their indexes (status, type, and an index on
 * the provenance's trust), so a session start no longer lists the memory (a full folder scan, every
 * row, every check history) to name the suspect and untrusted topics. Its answers must be what
 * filtering `list` gives.
 */

async function memoryWithEveryKind(): Promise<{ memory: Memory; dir: string }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'm');
  const memory = await openMemory({ dir, cwd, create: true, config: { logLevel: 'silent' } });
  await memory.remember({ name: 'Deploy staging', description: 'blue-green deploys', type: 'project', body: 'make flip' });
  await memory.remember({ name: 'Port in use', description: 'EADDRINUSE on 3000', type: 'lesson', body: 'kill the old server' });
  await promoteWebTopic(memory, {
    name: 'Vendor rate limits',
    description: 'the API allows 100 requests a minute',
    body: 'Back off on 429.',
    origin: 'https://vendor.example/docs',
  });
  // Edited by hand: a suspect topic, and a broken file.
  await writeFile(
    join(dir, 'old-cache.md'),
    '---\nname: "Old cache"\ndescription: "the cache TTL"\ntype: project\nstatus: suspect\n---\nTTL 60 s\n',
  );
  await writeFile(join(dir, 'broken.md'), '---\nname: [broken\n---\n');
  await memory.list(); // a full scan, as a session would have had by now
  return { memory, dir };
}

function filtered(all: TopicSummary[], keep: (topic: TopicSummary & { readable: true }) => boolean): TopicSummary[] {
  return all.filter((topic): topic is TopicSummary & { readable: true } => topic.readable && keep(topic));
}

describe('memory.find', () => {
  it('gives what filtering list gives, for a status, a type and an untrusted provenance', async () => {
    const { memory } = await memoryWithEveryKind();
    try {
      const all = await memory.list();
      expect(await memory.find({ status: 'suspect' })).toEqual(filtered(all, (topic) => topic.status === 'suspect'));
      expect(await memory.find({ type: 'lesson' })).toEqual(filtered(all, (topic) => topic.type === 'lesson'));
      expect(await memory.find({ trust: 'untrusted' })).toEqual(filtered(all, (topic) => topic.trust === 'untrusted'));
      expect(await memory.find({ type: 'project', trust: 'untrusted' })).toEqual([]);
      expect((await memory.find({ status: 'suspect' })).map((topic) => topic.slug)).toEqual(['old-cache']);
      expect((await memory.find({ trust: 'untrusted' })).map((topic) => topic.slug)).toEqual(['vendor-rate-limits']);
    } finally {
      memory.close();
    }
  });

  it('lets a session start name its caveats without listing the memory', async () => {
    const { memory } = await memoryWithEveryKind();
    try {
      let listed = 0;
      const counting: Memory = { ...memory, list: (filter) => ((listed += 1), memory.list(filter)) };
      const text = await sessionStartContext(counting, { source: 'compact', session: 's1' });
      expect(text).toContain('- old-cache is suspect');
      expect(text).toContain('- vendor-rate-limits comes from an untrusted source');
      expect(listed).toBe(0);
    } finally {
      memory.close();
    }
  });

  it('names the topics left out of the index from the rank table, not from a full render', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    const memory = await openMemory({
      dir,
      cwd,
      create: true,
      config: { logLevel: 'silent', index: { maxLines: 12, maxBytes: 25_000, warnRatio: 0.8 } },
    });
    try {
      for (let index = 0; index < 30; index += 1) {
        await memory.remember({
          name: `Billing rule ${index}`,
          description: `how billing case ${index} works`,
          type: 'project',
          body: 'x',
        });
      }
      const omitted = (await memory.checkIndex()).report.omitted.map((entry) => entry.slug);
      expect(omitted.length).toBeGreaterThan(20);
      let checked = 0;
      const counting: Memory = { ...memory, checkIndex: () => ((checked += 1), memory.checkIndex()) };
      const text = await sessionStartContext(counting, { maxChars: 100_000 });
      const named = [...text.matchAll(/^- (\S+) is left out of the index/gm)].map((match) => match[1]);
      expect(named).toHaveLength(20);
      expect(named).toEqual([...omitted].sort().slice(0, 20));
      expect(text).toContain(`- ${omitted.length - 20} more topics are left out of the index (over its budget); recall finds them.`);
      expect(checked).toBe(0);
    } finally {
      memory.close();
    }
  });
});
