import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemory } from '../../src/index.js';
import { cli } from '../helpers/run-cli.js';
import { runTsChild } from '../helpers/spawn-child.js';
import { tempDir } from '../helpers/temp-root.js';

async function freshRoot(): Promise<{ cwd: string; dir: string }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'm');
  await cli(['init', '--dir', dir], { cwd });
  return { cwd, dir };
}

describe('concurrent writers (real processes)', () => {
  it('lose nothing and leave the index consistent', async () => {
    const { cwd, dir } = await freshRoot();
    const results = await Promise.all(
      ['alpha', 'beta', 'gamma'].map((prefix) => runTsChild('test/helpers/child-writer.ts', ['remember-many', dir, prefix, '8'])),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const topics = (await readdir(dir)).filter((name) => name.endsWith('.md') && name !== 'MEMORY.md');
    expect(topics).toHaveLength(24);
    const index = await readFile(join(dir, 'MEMORY.md'), 'utf8');
    for (const topic of topics) expect(index).toContain(`](${topic})`);
    expect((await cli(['index', '--check', '--dir', dir], { cwd })).code).toBe(0);
    const audit = (await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8')).trim().split('\n');
    expect(audit).toHaveLength(24);
  });
});

describe('a crash in the middle of a write', () => {
  const phases = ['journal-written', 'backups-written', 'topic-written', 'audit-written', 'journal-removed'] as const;
  for (const phase of phases) {
    it(`at ${phase} leaves the old or the new state, never a half-written one`, async () => {
      const { cwd, dir } = await freshRoot();
      await cli(['remember', 'the old version of Port', '--name', 'Port', '--description', 'api port', '--type', 'project', '--dir', dir], {
        cwd,
      });
      const crashed = await runTsChild('test/helpers/child-writer.ts', ['crash', dir, phase, 'Port']);
      expect(crashed.signal).toBe('SIGKILL');
      // The next command that writes (or `mnemo index`) finishes the interrupted change.
      expect((await cli(['index', '--dir', dir], { cwd })).code).toBe(0);
      const topic = await readFile(join(dir, 'port.md'), 'utf8');
      expect(topic).toContain('the new version of Port');
      expect((await cli(['index', '--check', '--dir', dir], { cwd })).code).toBe(0);
      // The old version is recoverable, and there is exactly one audit line for the change.
      const trash = await readdir(join(dir, '.state', 'trash'));
      const copies = await Promise.all(trash.map((name) => readFile(join(dir, '.state', 'trash', name), 'utf8')));
      expect(copies.some((copy) => copy.includes('the old version of Port'))).toBe(true);
      const audit = (await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(audit.filter((entry) => entry.action === 'topic-updated')).toHaveLength(1);
      expect(await readdir(join(dir, '.state', 'journal'))).toEqual([]);
    });
  }

  it('before the journal is written leaves the old state untouched', async () => {
    const { cwd, dir } = await freshRoot();
    await cli(['remember', 'the old version of Port', '--name', 'Port', '--description', 'api port', '--type', 'project', '--dir', dir], {
      cwd,
    });
    const before = await readFile(join(dir, 'port.md'), 'utf8');
    // A journal half-written by a crash is never renamed into place: only its temp file remains.
    await mkdir(join(dir, '.state', 'journal'), { recursive: true });
    await writeFile(join(dir, '.state', 'journal', '20260101T000000Z-abc.json.12345'), '{"id":"20260101T0');
    expect((await cli(['index', '--dir', dir], { cwd })).code).toBe(0);
    expect(await readFile(join(dir, 'port.md'), 'utf8')).toBe(before);
  });

  it('a lock left by a dead process is taken over at once', async () => {
    const { dir } = await freshRoot();
    const dead = await runTsChild('test/helpers/child-writer.ts', ['crash', dir, 'journal-written', 'Lock holder']);
    expect(dead.signal).toBe('SIGKILL');
    // The killed writer held the memory lock; the next writer does not wait for its 60 s staleness.
    expect(existsSync(join(dir, '.state', 'locks', 'memory.lock'))).toBe(true);
    const memory = await openMemory({ dir, config: { logLevel: 'silent' } });
    try {
      const started = Date.now();
      await memory.remember({ name: 'After', description: 'd', type: 'project', body: 'written after the crash' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await memory.list()).map((topic) => topic.slug).sort()).toEqual(['after', 'lock-holder']);
    } finally {
      memory.close();
    }
  });
});
