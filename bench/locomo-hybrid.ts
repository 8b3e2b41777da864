/*
 * LoCoMo evidence recall with hybrid recall beside lexical mnemo and plain BM25, in one run.
 * With no embedder given it starts the loopback stub embedder of the tests (hashed words and
 * trigrams, a tiny synonym table): a plumbing check only, not a figure for a real model.
 *   npx tsx bench/locomo-hybrid.ts
 *   LOCOMO_EMBEDDINGS='{"provider":"ollama","model":"nomic-embed-text"}' npx tsx bench/locomo-hybrid.ts
 *   LOCOMO_CONVERSATIONS=conv-26,conv-30 npx tsx bench/locomo-hybrid.ts
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/index.js';
import {
  HYBRID_RETRIEVER_NAME,
  hybridRetriever,
  loadLocomoDirectory,
  runLocomoBenchmark,
  summarizeLocomoRun,
} from '../src/evaluation/index.js';
import { startEmbeddingsStub } from '../test/helpers/embeddings-stub.js';
import { machineLine } from './bench-utils.js';
import { locomoRecallTable, locomoTimingTable } from './locomo.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const write = (text: string) => process.stdout.write(`${text}\n`);

const data = process.env.LOCOMO_DIR ?? join(REPO_ROOT, '..', '..', 'shared', 'bench', 'locomo');
const found = await stat(data).catch(() => undefined);
if (!found?.isDirectory()) {
  write(`LoCoMo data not found at ${data} (set LOCOMO_DIR); skipped.`);
} else {
  const stub = process.env.LOCOMO_EMBEDDINGS ? undefined : await startEmbeddingsStub();
  const embeddings = configSchema().shape.embeddings.parse(
    process.env.LOCOMO_EMBEDDINGS
      ? JSON.parse(process.env.LOCOMO_EMBEDDINGS)
      : { provider: 'openai-compatible', model: 'stub', baseURL: stub?.baseURL },
  );
  if (!embeddings) throw new Error('no embeddings section');
  let conversations = await loadLocomoDirectory(data);
  const only = process.env.LOCOMO_CONVERSATIONS?.split(',');
  if (only) conversations = conversations.filter((conversation) => only.includes(conversation.id));
  try {
    const run = await runLocomoBenchmark({
      conversations,
      budgets: [500, 1000, 2000],
      retrievers: ['mnemo', 'bm25-baseline', { name: HYBRID_RETRIEVER_NAME, factory: hybridRetriever(embeddings) }],
      onProgress: (message) => process.stderr.write(`${message}\n`),
    });
    const report = summarizeLocomoRun(run);
    write(
      `## LoCoMo evidence recall: hybrid beside lexical and BM25 (${stub ? 'STUB embedder: plumbing check only' : embeddings.model})\n`,
    );
    write(`${machineLine()}; conversations ${conversations.map((conversation) => conversation.id).join(', ')}\n`);
    write(locomoRecallTable(report));
    write('');
    write(locomoTimingTable(report));
  } finally {
    await stub?.close();
  }
}
