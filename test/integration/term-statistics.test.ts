import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openMemory, type Memory } from '../../src/index.js';
import { promptContext } from '../../src/claude-code/index.js';
import { SearchIndex, stemmedText, termStems } from '../../src/retrieval/index.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * The per-prompt hook weighs a prompt's words by how rare they are among the topics. It used to
 * list the whole memory on every prompt for that (a full folder scan and every row); the counts
 * now live beside the search rows and follow every change. They must be what counting over the
 * topics themselves gives, whatever mix of writes, hand edits, broken files and deletions led there.
 */

const WORDS = ['cache', 'caches', 'deploy', 'deploying', 'token', 'retry', 'retries', 'schema', 'queue', 'billing', 'search', 'login'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function phrase(random: () => number, max: number): string {
  return Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(random, WORDS)).join(' ');
}

function topicFile(random: () => number): string {
  const tags = Array.from({ length: Math.floor(random() * 3) }, () => pick(random, WORDS));
  const status = pick(random, ['active', 'active', 'suspect', 'superseded']);
  return `---\nname: ${JSON.stringify(phrase(random, 3))}\ndescription: ${JSON.stringify(phrase(random, 6))}\ntype: project\nstatus: ${status}\ntags: ${JSON.stringify(tags)}\n---\n${phrase(random, 20)}\n`;
}

/** The document frequency of each stem, counted over the topics' names, descriptions and tags. */
function documentFrequencies(topics: readonly { name: string; description: string; tags: readonly string[] }[]): (stem: string) => number {
  const counts = new Map<string, number>();
  for (const topic of topics) for (const stem of termStems(stemmedText(topic))) counts.set(stem, (counts.get(stem) ?? 0) + 1);
  return (stem) => counts.get(stem) ?? 0;
}

/** The counts as the hook used to make them: from every readable topic `mnemo list` gives. */
async function countedFromTopics(memory: Memory): Promise<{ topics: number; frequency: (stem: string) => number }> {
  const readable = (await memory.list()).flatMap((topic) => (topic.readable ? [topic] : []));
  return { topics: readable.length, frequency: documentFrequencies(readable) };
}

const STEMS = [...termStems(WORDS.join(' '))];

/** The rows as the search index holds them, read without the code that would fill them again. */
function rawCounts(dir: string): { topics: number; counted: number; counts: number[] } {
  const db = new Database(join(dir, '.state', 'search.db'), { readonly: true });
  try {
    const one = (sql: string, ...values: string[]) => (db.prepare(sql).get(...values) as { n: number } | undefined)?.n ?? 0;
    return {
      topics: one('SELECT n FROM readable_count'),
      counted: one('SELECT n FROM stem_topic_count'),
      counts: STEMS.map((stem) => one('SELECT n FROM stem_counts WHERE stem = ?', stem)),
    };
  } finally {
    db.close();
  }
}

describe('term statistics kept beside the search rows', () => {
  it('equal the counts over the topics themselves after each of 120 random writes, hand edits, broken files and deletions', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    const memory = await openMemory({ dir, cwd, create: true, config: { logLevel: 'silent' } });
    const random = seededRandom(20261204);
    const slugs = Array.from({ length: 15 }, (_, index) => `topic-${index}`);
    try {
      for (let step = 0; step < 120; step += 1) {
        const roll = random();
        const slug = pick(random, slugs);
        const path = join(dir, `${slug}.md`);
        // A file rewritten in place leaves the folder's stamp alone: it is seen by the next full scan
        // (every 10 minutes, `list`, `doctor`) or when recall is about to use it, not at once.
        const inPlace = roll >= 0.3 && roll < 0.8 && existsSync(path);
        if (roll < 0.3) {
          await memory.remember({
            name: `${phrase(random, 3)} ${step}`,
            description: phrase(random, 6),
            type: 'project',
            body: phrase(random, 10),
            tags: [pick(random, WORDS)],
          });
        } else if (roll < 0.7) {
          writeFileSync(path, topicFile(random)); // by hand
        } else if (roll < 0.8) {
          writeFileSync(path, '---\nname: [broken\n---\nnot yaml\n');
        } else {
          rmSync(path, { force: true });
        }
        const before = await memory.termStatistics([]);
        const counted = await countedFromTopics(memory); // a full scan
        const expected = { topics: counted.topics, counts: STEMS.map((stem) => counted.frequency(stem)) };
        // Kept by each change itself, not filled again from all rows (which would hide a miss).
        expect({ step, ...rawCounts(dir) }).toEqual({ step, ...expected, counted: expected.topics });
        const after = await memory.termStatistics([]);
        expect({ step, topics: after.topics, counts: STEMS.map((stem) => after.frequency(stem)) }).toEqual({ step, ...expected });
        if (!inPlace) {
          expect({ step, topics: before.topics, counts: STEMS.map((stem) => before.frequency(stem)) }).toEqual({ step, ...expected });
        }
      }
    } finally {
      memory.close();
    }
  });

  it('are filled again when a writer that does not keep them (an older mnemo) changed the topic rows', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    const memory = await openMemory({ dir, cwd, create: true, config: { logLevel: 'silent' } });
    try {
      await memory.remember({
        name: 'Deploy staging',
        description: 'how to deploy',
        type: 'project',
        body: 'make deploy',
        tags: ['deploy'],
      });
      await memory.remember({ name: 'Retry queue', description: 'the retry queue drains hourly', type: 'project', body: 'x', tags: [] });
      expect((await memory.termStatistics([])).frequency('deploy')).toBe(1);
      // An older writer changes a row without touching the stem rows (the triggers drop them).
      const db = new Database(join(dir, '.state', 'search.db'));
      const meta = JSON.parse(
        (db.prepare("SELECT meta_json FROM topics WHERE slug = 'retry-queue'").get() as { meta_json: string }).meta_json,
      );
      db.prepare("UPDATE topics SET meta_json = ? WHERE slug = 'retry-queue'").run(
        JSON.stringify({ ...meta, description: 'deploy the retry queue' }),
      );
      db.close();
      const search = SearchIndex.open({ root: dir, dbPath: join(dir, '.state', 'search.db') });
      try {
        expect(search.termStatistics()).toMatchObject({ topics: 2 });
        expect(search.termStatistics().frequency('deploy')).toBe(2);
      } finally {
        search.close();
      }
    } finally {
      memory.close();
    }
  });

  it('let the per-prompt hook answer without listing the memory', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    const memory = await openMemory({ dir, cwd, create: true, config: { logLevel: 'silent' } });
    try {
      await memory.remember({
        name: 'Staging deploys are blue-green',
        description: 'deploy to the idle colour, then flip',
        type: 'project',
        body: 'make flip',
        tags: ['deploy'],
      });
      for (let index = 0; index < 30; index += 1) {
        await memory.remember({
          name: `Note ${index} on billing`,
          description: `billing detail ${index}`,
          type: 'project',
          body: 'x',
          tags: [],
        });
      }
      let listed = 0;
      const counting: Memory = { ...memory, list: (filter) => ((listed += 1), memory.list(filter)) };
      const context = await promptContext(counting, 'Deploy the new build to staging and flip the colours');
      expect(context.topics.map((topic) => topic.slug)).toEqual(['staging-deploys-are-blue-green']);
      expect(listed).toBe(0);
    } finally {
      memory.close();
    }
  });
});
