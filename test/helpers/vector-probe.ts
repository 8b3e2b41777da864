/*
 * A child process for the semantic-recall tests: open a memory (args: dir, and an embeddings
 * baseURL or "none"), remember a topic and recall it, then exit 0 when the sqlite-vec library
 * was never mapped into this process, 3 when it was.
 */
import { readFileSync } from 'node:fs';
import { openMemory } from '../../src/index.js';

const [dir, baseURL] = process.argv.slice(2);
const memory = await openMemory({
  dir,
  cwd: dir,
  create: true,
  env: { MNEMO_NOW: '2026-06-01T12:00:00Z' },
  config: {
    logLevel: 'silent',
    ...(baseURL && baseURL !== 'none'
      ? {
          embeddings: {
            provider: 'openai-compatible' as const,
            model: 'stub',
            baseURL,
            batchSize: 64,
            mode: 'hybrid' as const,
            timeoutMs: 30_000,
          },
        }
      : {}),
  },
});
await memory.remember({ name: 'Deploy day', description: 'when we deploy', type: 'project', body: 'We deploy on Fridays.' });
const result = await memory.recall('deploy day');
// Looked up before close: closing the connection unloads the extension.
const mapped = readFileSync('/proc/self/maps', 'utf8').includes('vec0');
memory.close();
process.stderr.write(`topics=${result.topics.length} mode=${result.mode ?? 'none'} vec0=${mapped}\n`);
process.exitCode = mapped ? 3 : 0;
