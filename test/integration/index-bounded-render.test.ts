import { readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemory, type Memory } from '../../src/index.js';
import { computeBoundedIndex, computeFullIndex } from '../../src/discipline/index.js';
import { SearchIndex } from '../../src/retrieval/index.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * After a write, MEMORY.md is rendered from the top of the rank table (what the budget can hold),
 * not from every topic: it must be byte for byte what a full render from scratch gives for the same
 * topics, clock and usage counts ("same topics → same bytes on every machine"), whatever mix of
 * mnemo's writes, hand edits, broken files, deletions, forgets and usage counts led there.
 */

const TYPES = ['user', 'feedback', 'project', 'lesson', 'reference'] as const;
const WORDS = ['cache', 'deploy', 'token', 'retry', 'schema', 'queue', 'billing', 'search', 'login', 'export', 'render', 'backup'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function phrase(random: () => number, max: number): string {
  return Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(random, WORDS)).join(' ');
}

/** A time the ranking reads: recent, old (past the 365 days a missing time counts as), ahead of the clock, equal to another, or none or garbage. */
function timeField(random: () => number, now: number): string | undefined {
  const roll = random();
  if (roll < 0.1) return undefined;
  if (roll < 0.15) return 'not a date';
  if (roll < 0.25) return '2025-01-01T00:00:00Z';
  if (roll < 0.3) return new Date(now + 86_400_000).toISOString();
  const days = roll < 0.5 ? random() * 5000 : random() * 60;
  return new Date(now - Math.floor(days * 86_400_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function fullRenderFromScratch(dir: string, memory: Memory, now: Date): Promise<string> {
  const search = SearchIndex.open({ root: dir, dbPath: join(await tempDir(), 'scratch.db') });
  try {
    await search.sync({ full: true, transcripts: false });
    const usage = readUsage(dir);
    return computeFullIndex({ root: dir, search, config: memory.config, now, usage }).text;
  } finally {
    search.close();
  }
}

function readUsage(dir: string): Map<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, '.state', 'usage-rank.json'), 'utf8')) as { hits: Record<string, number> };
    return new Map(Object.entries(parsed.hits));
  } catch {
    return new Map();
  }
}

describe('MEMORY.md rendered after a write from the rank table', () => {
  it('is byte for byte a full render from scratch, through random writes, hand edits and forgets', async () => {
    const random = seededRandom(1313);
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    let nowMs = Date.parse('2026-06-01T12:00:00Z');
    let folderTime = Date.parse('2001-01-01T00:00:00Z');
    const open = () =>
      openMemory({
        dir,
        cwd,
        create: true,
        env: { MNEMO_NOW: new Date(nowMs).toISOString() },
        // Small enough that both budgets bite: lines run out, or bytes with room left for short lines.
        config: { logLevel: 'silent', index: { maxLines: 16, maxBytes: 1_200, warnRatio: 0.8 } },
      });
    let memory = await open();
    const mnemoSlugs = new Set<string>();
    const handSlugs = new Set<string>();
    /** A change outside mnemo, seen by its next write: the folder's time moves (an editor's rename does the same). */
    const outside = (change: () => void) => {
      change();
      folderTime += 1000;
      utimesSync(dir, new Date(folderTime), new Date(folderTime));
    };
    let checks = 0;
    let omittedSeen = 0;
    const check = async () => {
      const written = readFileSync(join(dir, 'MEMORY.md'), 'utf8');
      expect(written).toBe(await fullRenderFromScratch(dir, memory, new Date(nowMs)));
      checks += 1;
    };
    for (let step = 0; step < 90; step += 1) {
      const roll = random();
      if (roll < 0.35) {
        const slug = `m-${Math.floor(random() * 30)}`;
        const result = await memory.remember({
          slug,
          name: `${phrase(random, 3)} ${slug}`,
          description: phrase(random, random() < 0.3 ? 1 : 20),
          type: pick(random, TYPES),
          body: `${phrase(random, 8)}.`,
        });
        if ('index' in result) omittedSeen = Math.max(omittedSeen, result.index.omittedCount);
        mnemoSlugs.add(slug);
        await check();
      } else if (roll < 0.6) {
        const slug = `h-${Math.floor(random() * 30)}`;
        outside(() => {
          const path = join(dir, `${slug}.md`);
          if (random() < 0.08) {
            writeFileSync(`${path}.tmp`, '---\nname: [unclosed\n---\nbody\n');
          } else {
            const lines = [`name: ${phrase(random, 3)} ${slug}`, `description: ${phrase(random, random() < 0.3 ? 1 : 20)}`];
            lines.push(`type: ${pick(random, TYPES)}`, `status: ${pick(random, ['active', 'active', 'suspect', 'superseded'])}`);
            const created = timeField(random, nowMs);
            const updated = timeField(random, nowMs);
            if (created !== undefined) lines.push(`created: "${created}"`);
            if (updated !== undefined && random() < 0.7) lines.push(`updated: "${updated}"`);
            writeFileSync(`${path}.tmp`, `---\n${lines.join('\n')}\n---\n${phrase(random, 6)}.\n`);
          }
          renameSync(`${path}.tmp`, path);
        });
        handSlugs.add(slug);
      } else if (roll < 0.68 && handSlugs.size > 0) {
        const slug = pick(random, [...handSlugs]);
        outside(() => rmSync(join(dir, `${slug}.md`), { force: true }));
        handSlugs.delete(slug);
      } else if (roll < 0.8 && mnemoSlugs.size > 0) {
        const slug = pick(random, [...mnemoSlugs]);
        await memory.forget(slug);
        mnemoSlugs.delete(slug);
        await check();
      } else if (roll < 0.88) {
        // Usage counts as dream freezes them, some for topics that are gone or never were.
        const hits: Record<string, number> = {};
        for (const slug of [...mnemoSlugs, ...handSlugs, 'nothing-here']) if (random() < 0.3) hits[slug] = Math.floor(random() * 40);
        writeFileSync(join(dir, '.state', 'usage-rank.json'), JSON.stringify({ hits }));
      } else {
        // Time passes: the ranks of types cross as recency fades.
        memory.close();
        nowMs += Math.floor(random() * 90) * 86_400_000;
        memory = await open();
      }
    }
    memory.close();
    expect(checks).toBeGreaterThan(30);
    // The budget left topics out, so the bounded render had to choose, not list everything.
    expect(omittedSeen).toBeGreaterThan(0);
  });

  it('gives the full render for any clock and usage counts, and fills a rank table an older mnemo left behind', async () => {
    const random = seededRandom(77);
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    const nowMs = Date.parse('2026-06-01T12:00:00Z');
    const memory = await openMemory({
      dir,
      cwd,
      create: true,
      env: { MNEMO_NOW: new Date(nowMs).toISOString() },
      config: { logLevel: 'silent', index: { maxLines: 40, maxBytes: 2_500, warnRatio: 0.8 } },
    });
    for (let index = 0; index < 120; index += 1) {
      const lines = [
        `name: ${phrase(random, 3)}`,
        `description: ${phrase(random, random() < 0.3 ? 1 : 20)}`,
        `type: ${pick(random, TYPES)}`,
      ];
      lines.push(`status: ${random() < 0.15 ? 'suspect' : 'active'}`);
      const updated = timeField(random, nowMs);
      if (updated !== undefined) lines.push(`updated: "${updated}"`);
      writeFileSync(join(dir, `t-${index}.md`), `---\n${lines.join('\n')}\n---\nbody\n`);
    }
    await memory.renderIndex();
    const search = SearchIndex.open({ root: dir, dbPath: join(dir, '.state', 'search.db') });
    try {
      for (let trial = 0; trial < 12; trial += 1) {
        const now = new Date(nowMs + Math.floor((random() - 0.3) * 800) * 86_400_000);
        const usage = new Map<string, number>();
        if (trial % 2 === 1)
          for (let index = 0; index < 120; index += 1) if (random() < 0.2) usage.set(`t-${index}`, Math.floor(random() * 50));
        const context = { root: dir, search, config: memory.config, now, usage: trial % 3 === 0 ? undefined : usage };
        const full = computeFullIndex(context);
        const bounded = computeBoundedIndex(context);
        expect(bounded.text).toBe(full.text);
        expect(bounded.report.omittedCount).toBe(full.report.omittedCount);
        expect(full.report.omittedCount).toBeGreaterThan(0);
      }
      // An older mnemo writes topic rows without rank rows: the triggers drop the row it changed, the
      // count no longer matches, and the next render fills the table again.
      search.database.prepare("UPDATE topics SET meta_json = json_set(meta_json, '$.type', 'user') WHERE slug = 't-5'").run();
      search.database.prepare('DELETE FROM topics WHERE slug = ?').run('t-6');
      const context = { root: dir, search, config: memory.config, now: new Date(nowMs), usage: undefined };
      expect(search.indexRanks().ensureComplete(search.indexableCount())).toBe(true);
      expect(computeBoundedIndex(context).text).toBe(computeFullIndex(context).text);
      expect(search.indexRanks().ensureComplete(search.indexableCount())).toBe(false);
    } finally {
      search.close();
      memory.close();
    }
  });
});
