import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, initMemory, openMemory } from '../../src/index.js';
import { writeTopic } from '../helpers/dream-fixtures.js';
import { tempDir } from '../helpers/temp-root.js';

/* MEMORY.md committed to git: the same topics render to the same bytes on every machine. */

describe('a deterministic MEMORY.md', () => {
  it('is byte-identical for the same topics, whatever the clock (which moves every rank), recalls or the order of writes', async () => {
    const cwd = await tempDir();
    const first = join(cwd, 'first');
    const second = join(cwd, 'second');
    await initMemory({ dir: first, cwd });
    const topics: [string, Record<string, unknown>][] = [
      ['zebra-crossing', { name: 'Zebra', description: 'last by name, newest', type: 'project', updated: '2026-11-24T00:00:00Z' }],
      ['alpha-deploys', { name: 'Alpha', description: 'first by name, oldest', type: 'project', updated: '2025-01-01T00:00:00Z' }],
      ['middle-suspect', { name: 'Middle', description: 'suspect', type: 'project', status: 'suspect' }],
      ['tea', { name: 'User likes tea', description: 'a preference', type: 'user' }],
      ['lesson-timeouts', { name: 'Timeouts', description: 'raise the timeout', type: 'lesson' }],
    ];
    await initMemory({ dir: second, cwd });
    for (const [slug, fields] of topics) await writeTopic(first, slug, fields, `${slug} body`);
    for (const [slug, fields] of [...topics].reverse()) await writeTopic(second, slug, fields, `${slug} body`);

    const one = await openMemory({
      dir: first,
      cwd,
      workspace: cwd,
      clock: createManualClock('2026-11-25T10:00:00Z'),
      config: { logLevel: 'silent' },
    });
    const two = await openMemory({
      dir: second,
      cwd,
      workspace: cwd,
      clock: createManualClock('2027-06-01T08:30:00Z'),
      config: { logLevel: 'silent' },
    });
    for (let index = 0; index < 4; index += 1) await two.recall('alpha deploys');
    await one.renderIndex();
    await two.renderIndex();
    const text = await readFile(join(first, 'MEMORY.md'), 'utf8');
    expect(await readFile(join(second, 'MEMORY.md'), 'utf8')).toBe(text);
    // within a type, lines go by slug; types in a fixed order
    expect(text).toBe(
      [
        '# Memory',
        '',
        '## User',
        '- [User likes tea](tea.md) — a preference',
        '',
        '## Project',
        '- [Alpha](alpha-deploys.md) — first by name, oldest',
        '- [Middle](middle-suspect.md) — suspect: suspect',
        '- [Zebra](zebra-crossing.md) — last by name, newest',
        '',
        '## Lessons',
        '- [Timeouts](lesson-timeouts.md) — raise the timeout',
        '',
      ].join('\n'),
    );
    one.close();
    two.close();
  });
});
