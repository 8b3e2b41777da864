import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemory, type Memory } from '../../src/index.js';
import { memoryTools } from '../../src/tools/index.js';
import { startEmbeddingsStub, type EmbeddingsStub } from '../helpers/embeddings-stub.js';
import { demoConversation, writeConversations } from '../helpers/locomo-conversation.js';
import { cli } from '../helpers/run-cli.js';
import { runTsChild } from '../helpers/spawn-child.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * Optional semantic recall against a local stub of the OpenAI embeddings API: a topic that shares
 * no word with the query is found by hybrid recall; an embedder outage loses nothing; without an
 * embedder nothing changes.
 */

const NOW = '2026-06-01T12:00:00Z';
let stub: EmbeddingsStub;
const opened: Memory[] = [];

beforeEach(async () => {
  stub = await startEmbeddingsStub();
});
afterEach(async () => {
  for (const memory of opened.splice(0)) memory.close();
  await stub.close();
});

function embeddings(extra: Record<string, unknown> = {}) {
  return {
    provider: 'openai-compatible' as const,
    model: 'stub-embed',
    baseURL: stub.baseURL,
    batchSize: 2,
    mode: 'hybrid' as const,
    timeoutMs: 30_000,
    ...extra,
  };
}

async function memoryIn(withEmbeddings: boolean, dir?: string) {
  const cwd = dir ?? (await tempDir());
  const memory = await openMemory({
    dir: join(cwd, 'm'),
    cwd,
    create: true,
    env: { MNEMO_NOW: NOW },
    config: { logLevel: 'silent', ...(withEmbeddings ? { embeddings: embeddings() } : {}) },
  });
  opened.push(memory);
  return { cwd, dir: join(cwd, 'm'), memory };
}

async function rememberHobbies(memory: Memory) {
  await memory.remember({
    name: 'Weekend hobby',
    description: 'what Ana does on Saturdays',
    type: 'user',
    body: 'Ana goes to kickboxing class.',
  });
  await memory.remember({ name: 'Deploy day', description: 'when we deploy', type: 'project', body: 'We deploy on Fridays.' });
  await memory.remember({ name: 'Editor', description: 'which editor Ana uses', type: 'user', body: 'Ana writes code in Helix.' });
}

describe('hybrid recall', () => {
  it('finds a topic that shares no word with the query, which lexical recall cannot', async () => {
    const { memory } = await memoryIn(true);
    await rememberHobbies(memory);
    const lexical = await memory.recall('martial arts', { mode: 'lexical' });
    expect(lexical.topics.map((topic) => topic.slug)).not.toContain('weekend-hobby');
    expect(lexical.mode).toBe('lexical');
    const hybrid = await memory.recall('martial arts');
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid.degraded).toBeUndefined();
    expect(hybrid.topics[0]?.slug).toBe('weekend-hobby');
    expect(hybrid.text).toContain('Ana goes to kickboxing class.');
    // Each topic the vectors found carries its cosine similarity to the query; lexical results carry none.
    expect(hybrid.topics[0]?.similarity).toBeGreaterThan(0.5);
    expect(lexical.topics.every((topic) => topic.similarity === undefined)).toBe(true);
  });

  it('also fuses transcript turns with --deep', async () => {
    const { memory } = await memoryIn(true);
    await memory.log('s1', [
      { kind: 'message', speaker: 'Ana', text: 'I started karate lessons last month.' },
      { kind: 'message', speaker: 'Ben', text: 'The build is green again.' },
    ]);
    const result = await memory.recall('martial arts', { deep: true });
    expect(result.mode).toBe('hybrid');
    expect(result.turns.map((turn) => turn.text)).toContain('I started karate lessons last month.');
  });

  it('runs lexical and says so when the embedder is down; what was written meanwhile is embedded later', async () => {
    const { memory } = await memoryIn(true);
    await rememberHobbies(memory);
    await memory.embeddings?.catchUp();
    stub.down = true;
    // The write succeeds while the embedder is down.
    const written = await memory.remember({
      name: 'Gym',
      description: 'where Ana trains',
      type: 'user',
      body: 'Ana trains judo at the Northside gym.',
    });
    expect(written.status).toBe('written');
    const during = await memory.recall('martial arts');
    expect(during.mode).toBe('lexical');
    expect(during.degraded).toMatch(/embedder is unavailable.*lexical only/);
    expect((await memory.embeddings?.counts())?.queued).toBeGreaterThan(0);
    stub.down = false;
    const after = await memory.recall('martial arts');
    expect(after.mode).toBe('hybrid');
    expect(after.topics.map((topic) => topic.slug)).toEqual(expect.arrayContaining(['weekend-hobby', 'gym']));
    expect((await memory.embeddings?.counts())?.queued).toBe(0);
  });

  it('mnemo reindex --embeddings backfills a memory written without an embedder, with progress on stderr', async () => {
    const { cwd, dir, memory } = await memoryIn(false);
    await rememberHobbies(memory);
    memory.close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify({ embeddings: embeddings() }));
    const reindex = await cli(['reindex', '--embeddings', '--json', '--dir', dir], { cwd });
    expect(reindex.code).toBe(0);
    const report = JSON.parse(reindex.stdout) as { embeddings: { embedded: number; queued: number } };
    expect(report.embeddings).toMatchObject({ embedded: 3, queued: 0 });
    expect(reindex.stderr).toContain('embedded 3/3');
    const recall = await cli(['recall', 'martial arts', '--json', '--dir', dir], { cwd });
    expect((JSON.parse(recall.stdout) as { topics: { slug: string }[]; mode: string }).topics[0]?.slug).toBe('weekend-hobby');
    const status = await cli(['status', '--json', '--dir', dir], { cwd });
    expect(JSON.parse(status.stdout)).toMatchObject({
      embeddings: { embedder: 'openai-compatible:stub-embed', mode: 'hybrid', embedded: 3, queued: 0 },
    });
    const lexical = await cli(['recall', 'martial arts', '--mode', 'lexical', '--json', '--dir', dir], { cwd });
    expect((JSON.parse(lexical.stdout) as { topics: unknown[] }).topics).toEqual([]);
  });

  it('reindex --embeddings exits non-zero and keeps the items queued when the embedder is down', async () => {
    const { cwd, dir, memory } = await memoryIn(false);
    await rememberHobbies(memory);
    memory.close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify({ embeddings: embeddings() }));
    stub.down = true;
    const failed = await cli(['reindex', '--embeddings', '--dir', dir], { cwd });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/the embedder failed.*stays queued/);
    stub.down = false;
    const again = await cli(['reindex', '--embeddings', '--json', '--dir', dir], { cwd });
    expect(JSON.parse(again.stdout)).toMatchObject({ embeddings: { embedded: 3, queued: 0 } });
  });

  it('the recall tool (MCP, AI SDK) uses the configured mode, and says when it ran lexical only', async () => {
    const { memory } = await memoryIn(true);
    await rememberHobbies(memory);
    const recall = memoryTools(memory, { origin: 'mcp' }).find((tool) => tool.name === 'recall');
    const hybrid = await recall?.run({ query: 'martial arts' });
    expect(hybrid).toMatchObject({ ok: true, data: { mode: 'hybrid' } });
    expect(hybrid?.text).toContain('Ana goes to kickboxing class.');
    stub.down = true;
    const degraded = await recall?.run({ query: 'deploy' });
    expect(degraded).toMatchObject({ ok: true, data: { mode: 'lexical' } });
    expect(degraded?.text).toContain('We deploy on Fridays.');
    expect(degraded?.text).toMatch(/\(the embedder is unavailable .*recall ran lexical only\)$/);
  });

  it('an outage in the middle of a backfill keeps what was embedded and the rest queued, and the next write catches up', async () => {
    const { memory } = await memoryIn(true);
    await rememberHobbies(memory);
    await memory.embeddings?.catchUp();
    stub.requests.length = 0;
    stub.downAfter = 1;
    const report = await memory.reindex({ embeddings: true });
    // batches of 2: the first went through, the second found the embedder down
    expect(report.embeddings).toMatchObject({ embedded: 2, queued: 1 });
    expect(report.embeddings?.failed).toMatch(/stub-embed/);
    expect(report.topicsAdded).toBe(3);
    stub.down = false;
    stub.downAfter = undefined;
    await memory.remember({ name: 'Tea', description: 'what Ana drinks', type: 'user', body: 'Ana drinks green tea.' });
    expect(await memory.embeddings?.catchUp()).toMatchObject({ queued: 0 });
    expect(await memory.embeddings?.counts()).toMatchObject({ embedded: 4, queued: 0, failing: 0 });
  });

  it('recall --mode hybrid without an embedder runs lexical and says why', async () => {
    const { cwd, dir, memory } = await memoryIn(false);
    await rememberHobbies(memory);
    const run = await cli(['recall', 'deploy', '--mode', 'hybrid', '--dir', dir], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('We deploy on Fridays.');
    expect(run.stderr).toMatch(/no embedder is configured/);
  });
});

describe('mnemo bench locomo --retriever hybrid', () => {
  it('reports mnemo-hybrid beside lexical mnemo and BM25 in the same run', async () => {
    const cwd = await tempDir();
    const data = await writeConversations(join(cwd, 'locomo'), { 'conv-demo': demoConversation() });
    const section = JSON.stringify(embeddings());
    const result = await cli(
      ['bench', 'locomo', '--data', data, '--budgets', '1000', '--retriever', 'hybrid', '--embeddings', section, '--json'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      retrievers: Record<string, { budgets: Record<string, { all: number; errors?: number }> }>;
    };
    expect(Object.keys(report.retrievers)).toEqual(['mnemo', 'bm25-baseline', 'mnemo-hybrid']);
    expect(report.retrievers['mnemo-hybrid']?.budgets['1000']?.all).toBeGreaterThan(0);
    expect(stub.requests.length).toBeGreaterThan(1);
  });

  it('says what to pass when no embedder is configured', async () => {
    const cwd = await tempDir();
    const data = await writeConversations(join(cwd, 'locomo'), { 'conv-demo': demoConversation() });
    const result = await cli(['bench', 'locomo', '--data', data, '--retriever', 'hybrid'], { cwd, env: { MNEMO_DIR: join(cwd, 'none') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--retriever hybrid needs an embedder: pass --embeddings/);
  });
});

describe('without an embedder', () => {
  it('recall returns what it did before, and search.db gets no vector table', async () => {
    const plain = await memoryIn(false);
    const semantic = await memoryIn(true);
    await rememberHobbies(plain.memory);
    await rememberHobbies(semantic.memory);
    const before = await plain.memory.recall('deploy Ana');
    const lexical = await semantic.memory.recall('deploy Ana', { mode: 'lexical' });
    expect(before.mode).toBeUndefined();
    expect(before.text).toBe(lexical.text);
    expect(before.topics.map((topic) => topic.slug)).toEqual(lexical.topics.map((topic) => topic.slug));
    plain.memory.close();
    const database = join(plain.dir, '.state', 'search.db');
    expect(existsSync(database)).toBe(true);
    const db = new Database(database, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'vec%'").all() as { name: string }[]).map((row) => row.name);
    db.close();
    expect(tables).toEqual([]);
  });

  it('never loads the sqlite-vec library into the process (and does with an embedder)', async () => {
    const without = await runTsChild('test/helpers/vector-probe.ts', [await tempDir(), 'none']);
    expect(without.stderr).toContain('topics=1 mode=none vec0=false');
    expect(without.code).toBe(0);
    const withIt = await runTsChild('test/helpers/vector-probe.ts', [await tempDir(), stub.baseURL]);
    expect(withIt.stderr).toContain('mode=hybrid vec0=true');
  });
});
