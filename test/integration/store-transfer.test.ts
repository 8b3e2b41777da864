import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemory } from '../../src/index.js';
import { openPostgresStore } from '../../src/store/index.js';
import { describeWithPostgres } from '../helpers/postgres-describe.js';
import { cli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-root.js';

/** Every file that is the memory (topics, MEMORY.md, transcripts), by path relative to the root, with its bytes. */
async function memoryFiles(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(root)).sort()) if (name.endsWith('.md')) files.set(name, await readFile(join(root, name)));
  if (existsSync(join(root, 'sessions')))
    for (const name of (await readdir(join(root, 'sessions'))).sort())
      files.set(`sessions/${name}`, await readFile(join(root, 'sessions', name)));
  return files;
}

/** A memory written by mnemo itself, plus the odd files a real memory may hold. */
async function sampleMemory(): Promise<{ cwd: string; dir: string }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'source');
  expect((await cli(['init', '--dir', dir], { cwd })).code).toBe(0);
  const memory = await openMemory({ dir, config: { logLevel: 'silent' } });
  try {
    await memory.remember({
      name: 'Deploy',
      description: 'how to deploy',
      type: 'project',
      body: 'Run ./deploy.sh from the repo root — ünïcode too.',
    });
    await memory.remember({ name: 'Port', description: 'api port', type: 'project', body: 'The API listens on 8080.' });
    await memory.remember({ name: 'Retired', description: 'to be forgotten', type: 'project', body: 'old' });
    await memory.log('2026-11-22-a1b2', { kind: 'user', text: 'how do I deploy?' });
    await memory.log('2026-11-22-a1b2', { kind: 'assistant', text: 'run ./deploy.sh' });
  } finally {
    memory.close();
  }
  // A hand-written topic without frontmatter, one that is not UTF-8, and a transcript cut mid-line.
  await writeFile(join(dir, 'scratch.md'), 'just some notes\n');
  await writeFile(join(dir, 'latin1.md'), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xe9, 0x74, 0xe9, 0x0a]));
  await writeFile(
    join(dir, 'sessions', '2026-11-23-cut.jsonl'),
    '{"v":1,"kind":"user","text":"a","session":"cut","time":"2026-11-23T00:00:00Z"}\n{"v":1,"kind":"us',
  );
  return { cwd, dir };
}

describe('export to and import from an archive file', () => {
  it('round-trips a memory byte for byte', async () => {
    const { cwd, dir } = await sampleMemory();
    const archive = join(cwd, 'memory.mnemo.jsonl');
    const out = await cli(['export', '--to', archive, '--dir', dir, '--json'], { cwd });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ topics: 5, transcripts: 2, index: true });
    expect(out.stderr).toContain('Copying the memory at');
    const target = join(cwd, 'copy');
    const back = await cli(['import', '--from', archive, '--dir', target], { cwd });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('Copied 5 topic(s)');
    expect(await memoryFiles(target)).toEqual(await memoryFiles(dir));
    // Again: nothing to do.
    const again = await cli(['import', '--from', archive, '--dir', target, '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toMatchObject({ topics: 0, unchanged: 5, transcripts: 0, transcriptsUnchanged: 2, index: false });
  });

  it('refuses a truncated archive whole (exit 2) and writes nothing', async () => {
    const { cwd, dir } = await sampleMemory();
    const archive = join(cwd, 'memory.mnemo.jsonl');
    await cli(['export', '--to', archive, '--dir', dir], { cwd });
    const text = await readFile(archive, 'utf8');
    await writeFile(archive, text.slice(0, Math.floor(text.length / 2)));
    const target = join(cwd, 'copy');
    const run = await cli(['import', '--from', archive, '--dir', target], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a complete mnemo archive');
    expect(run.stderr).toContain('Nothing was imported');
    expect(existsSync(join(target, 'deploy.md'))).toBe(false);
  });

  it('says which file is missing', async () => {
    const cwd = await tempDir();
    const run = await cli(['import', '--from', join(cwd, 'nope.jsonl'), '--dir', join(cwd, 'm')], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No archive at');
  });
});

describeWithPostgres('export to and import from PostgreSQL', (cluster) => {
  it('file → PostgreSQL → file is byte-identical for topics, transcripts and the index', async () => {
    const { cwd, dir } = await sampleMemory();
    const url = await cluster().createDatabase('roundtrip');
    const out = await cli(['export', '--to', url, '--dir', dir, '--json'], { cwd });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ topics: 5, transcripts: 2, index: true });
    const target = join(cwd, 'copy');
    const back = await cli(['import', '--from', url, '--dir', target], { cwd });
    expect(back.code, back.stderr).toBe(0);
    expect(await memoryFiles(target)).toEqual(await memoryFiles(dir));
    // The imported memory works as a memory.
    const recall = await cli(['recall', 'deploy', '--dir', target, '--json'], { cwd });
    expect(recall.code, recall.stderr).toBe(0);
    expect(recall.stdout).toContain('deploy.sh');
  });

  it('a forget on one side retires the topic on the other after the next export', async () => {
    const { cwd, dir } = await sampleMemory();
    const url = await cluster().createDatabase('tombstones');
    expect((await cli(['export', '--to', url, '--dir', dir], { cwd })).code).toBe(0);
    const target = join(cwd, 'copy');
    expect((await cli(['import', '--from', url, '--dir', target], { cwd })).code).toBe(0);
    expect((await cli(['forget', 'retired', '--dir', dir], { cwd })).code).toBe(0);
    const again = await cli(['export', '--to', url, '--dir', dir, '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toMatchObject({ retired: 1 });
    const store = await openPostgresStore({ url });
    try {
      expect((await store.topics.read('retired'))?.deleted).toBe(true);
    } finally {
      await store.close();
    }
    const down = await cli(['import', '--from', url, '--dir', target, '--json'], { cwd });
    expect(JSON.parse(down.stdout)).toMatchObject({ retired: 1 });
    expect(existsSync(join(target, 'retired.md'))).toBe(false);
    // The retired copy is recoverable from the trash.
    expect((await readdir(join(target, '.state', 'trash'))).some((name) => name.endsWith('-retired.md'))).toBe(true);
  });

  it('refuses to copy a database onto itself', async () => {
    const cwd = await tempDir();
    const url = await cluster().createDatabase('itself');
    const run = await cli(['export', '--to', url, '--from', url, '--dir', join(cwd, 'm')], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the same');
  });
});
