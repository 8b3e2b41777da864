import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openMemory } from '../../src/index.js';
import { SearchIndex } from '../../src/retrieval/index.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * MEMORY.md after a write says how many topics it left out from a count the search index keeps
 * (triggers on its rows) instead of counting every row: the count must follow every change —
 * mnemo's writes, forgets, files written or broken by hand — and an index from before it gains it.
 */

const NOW = '2026-06-01T12:00:00Z';

function countedByHand(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM topics WHERE coalesce(status, '') IN ('active', 'suspect') OR readable = 0").get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe('the count of indexable topics', () => {
  it('follows writes, forgets and hand edits, and says the same number left out as a full render', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'm');
    const dbPath = join(dir, '.state', 'search.db');
    const memory = await openMemory({
      dir,
      cwd,
      create: true,
      env: { MNEMO_NOW: NOW },
      config: { logLevel: 'silent', index: { maxLines: 10, maxBytes: 25_000, warnRatio: 0.8 } },
    });
    for (let index = 0; index < 14; index += 1) {
      await memory.remember({
        name: `Service ${index}`,
        description: `what service ${index} does`,
        type: 'project',
        body: `Service ${index} runs.`,
      });
    }
    await memory.forget('service-3');
    // Written by hand: one readable, one whose frontmatter is broken (unreadable, still listed as a problem).
    await writeFile(join(dir, 'by-hand.md'), '---\nname: By hand\ndescription: a note\ntype: reference\n---\nKept.\n');
    await writeFile(join(dir, 'broken.md'), '---\nname: [unclosed\n---\nbody\n');
    const written = await memory.remember({ name: 'Service last', description: 'the last one', type: 'project', body: 'Runs last.' });
    const full = await memory.renderIndex();
    if (!('index' in written)) throw new Error('the write was staged, not made');
    expect(written.index.omittedCount).toBe(full.omittedCount);
    expect(full.omittedCount).toBeGreaterThan(0);
    const search = SearchIndex.open({ root: dir, dbPath });
    expect(search.indexableCount()).toBe(countedByHand(dbPath));
    expect(search.indexableCount()).toBe(14 - 1 + 1 + 1 + 1);
    search.close();
    memory.close();

    // An index from before the count: it is added in place, with the right number.
    const db = new Database(dbPath);
    db.exec(
      'DROP TRIGGER topics_count_insert; DROP TRIGGER topics_count_delete; DROP TRIGGER topics_count_update; DROP TABLE topic_counts;',
    );
    db.close();
    const reopened = SearchIndex.open({ root: dir, dbPath });
    expect(reopened.indexableCount()).toBe(countedByHand(dbPath));
    reopened.close();
  });
});
