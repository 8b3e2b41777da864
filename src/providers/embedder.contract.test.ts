import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddingsStub, stubEmbedding, type EmbeddingsStub } from '../../test/helpers/embeddings-stub.js';
import { createEmbedder } from './create-embedder.js';

/* The embedder adapters against loopback servers speaking each provider's API. */

const base = { model: 'stub-embed', batchSize: 64, mode: 'hybrid' as const, timeoutMs: 5000 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function openAiStub(): Promise<EmbeddingsStub> {
  const stub = await startEmbeddingsStub();
  closers.push(() => stub.close());
  return stub;
}

/** Ollama's /api/embed, answering with the stub's embedding. */
async function ollamaStub(): Promise<{ baseURL: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text) as { model: string; input: string[] };
      bodies.push(body);
      if (request.url !== '/api/embed') {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ model: body.model, embeddings: body.input.map(stubEmbedding) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe.each([
  ['openai-compatible', async () => createEmbedder({ ...base, provider: 'openai-compatible', baseURL: (await openAiStub()).baseURL })],
  ['openai', async () => createEmbedder({ ...base, provider: 'openai', baseURL: (await openAiStub()).baseURL }, { apiKey: 'sk-test' })],
  ['ollama', async () => createEmbedder({ ...base, provider: 'ollama', baseURL: (await ollamaStub()).baseURL })],
])('the %s embedder', (_name, make) => {
  it('returns one vector per text, in order, and texts about the same thing land closer', async () => {
    const embedder = await make();
    const [martial, kickboxing, deploy] = await embedder.embed(['martial arts', 'Ana goes to kickboxing class', 'we deploy on Fridays']);
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
    expect(martial).toHaveLength(256);
    expect(cosine(martial as Float32Array, kickboxing as Float32Array)).toBeGreaterThan(
      cosine(martial as Float32Array, deploy as Float32Array),
    );
    expect(await embedder.embed([])).toEqual([]);
  });
});

describe('createEmbedder', () => {
  it('rejects a section that cannot work before anything is loaded, saying what to add', () => {
    expect(() => createEmbedder({ ...base, provider: 'openai-compatible' })).toThrow(/needs "baseURL"/);
    expect(() => createEmbedder({ ...base, provider: 'openai' })).toThrow(/OPENAI_API_KEY is not set/);
    expect(() => createEmbedder({ ...base, provider: 'local' })).toThrow(/needs "path"/);
  });

  it('rejects when the server is down, so that callers keep the items queued', async () => {
    const stub = await openAiStub();
    stub.down = true;
    const embedder = createEmbedder({ ...base, provider: 'openai-compatible', baseURL: stub.baseURL });
    await expect(embedder.embed(['x'])).rejects.toThrow();
  });
});
