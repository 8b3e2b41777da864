import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Dimensions of the stub's vectors. */
export const STUB_DIMENSIONS = 256;

/**
 * Words (or two-word phrases) the stub embeds as one concept, so that texts sharing no word
 * still land close: a stand-in for what a real embedding model knows about the world.
 */
const CONCEPTS: Record<string, string> = {
  'martial arts': 'concept-martial',
  'martial art': 'concept-martial',
  kickboxing: 'concept-martial',
  karate: 'concept-martial',
  judo: 'concept-martial',
  taekwondo: 'concept-martial',
  deploy: 'concept-release',
  deployment: 'concept-release',
  release: 'concept-release',
  ship: 'concept-release',
  rollout: 'concept-release',
  database: 'concept-storage',
  postgres: 'concept-storage',
  postgresql: 'concept-storage',
  sqlite: 'concept-storage',
};

const STOPWORDS = new Set(
  'a an and are as at be by do does did for from has have how i in is it its of on or that the this to was what when where which who why with you your'.split(
    ' ',
  ),
);

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index += 1) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return (value >>> 0) % STUB_DIMENSIONS;
}

/**
 * The stub's deterministic embedding: concepts from the table above (weight 3), other content
 * words (weight 1, a trailing `s` dropped) and their character trigrams (weight 0.25), hashed into
 * 256 dimensions and normalized.
 */
export function stubEmbedding(text: string): number[] {
  const vector = new Array<number>(STUB_DIMENSIONS).fill(0);
  const words = (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => !STOPWORDS.has(word));
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    const pair = `${word} ${words[index + 1] ?? ''}`;
    const concept = CONCEPTS[pair] ?? CONCEPTS[word];
    if (concept) {
      vector[hash(concept)] = (vector[hash(concept)] ?? 0) + 3;
      if (CONCEPTS[pair]) index += 1;
      continue;
    }
    const stem = word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word;
    vector[hash(stem)] = (vector[hash(stem)] ?? 0) + 1;
    for (let at = 0; at + 3 <= stem.length; at += 1)
      vector[hash(`#${stem.slice(at, at + 3)}`)] = (vector[hash(`#${stem.slice(at, at + 3)}`)] ?? 0) + 0.25;
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

export interface EmbeddingsStub {
  /** `http://127.0.0.1:<port>/v1`: the baseURL of an openai-compatible `embeddings` section. */
  baseURL: string;
  /** Texts embedded so far, per request (the query of a recall is a request of its own). */
  requests: string[][];
  /** While true, every request gets 503: the embedder is down. */
  down: boolean;
  /** When set, the embedder goes down (503) after answering this many requests. */
  downAfter?: number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local server on 127.0.0.1 speaking the OpenAI embeddings API (`POST /v1/embeddings` with
 * `{ model, input }`), answering with `stubEmbedding`. Set `down` to make it answer 503.
 */
export async function startEmbeddingsStub(): Promise<EmbeddingsStub> {
  const stub: EmbeddingsStub = { baseURL: '', requests: [], down: false, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = JSON.parse(await readBody(request)) as { model: string; input: string | string[] };
      if (stub.downAfter !== undefined && stub.requests.length >= stub.downAfter) stub.down = true;
      if (request.url !== '/v1/embeddings' || stub.down) {
        response.writeHead(stub.down ? 503 : 404, { 'content-type': 'application/json', 'retry-after': '0' });
        response.end(JSON.stringify({ error: { message: stub.down ? 'the stub embedder is down' : 'not found', type: 'server_error' } }));
        return;
      }
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      stub.requests.push(inputs);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: stubEmbedding(input) })),
          usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
        }),
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  stub.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}
