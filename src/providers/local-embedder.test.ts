import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { writeTinyBertModel } from '../../test/helpers/tiny-bert-model.js';
import { createEmbedder } from './create-embedder.js';

/*
 * The local model folder path through transformers.js, on a tiny BERT-shaped model the test
 * writes (WordPiece tokenizer, one Gather as the encoder). @huggingface/transformers is optional
 * for users (with onnxruntime-node, about 475 MB) and a devDependency here, so both the folder
 * suite and the adapter's "install it" error run everywhere. onnxruntime-node's postinstall
 * (a download from nuget.org, for GPU builds) is switched off in package.json's allowScripts:
 * its CPU binaries come in the npm package.
 */

const base = { batchSize: 8, mode: 'hybrid' as const, timeoutMs: 30_000 };

describe('the local embedder (transformers.js over a model folder)', () => {
  it('loads the folder without any download, mean-pools the tokens and normalizes', async () => {
    const parent = await tempDir();
    await writeTinyBertModel(parent, 'tiny-bert', {
      kickboxing: [1, 0, 0, 0],
      martial: [0.9, 0.1, 0, 0],
      arts: [0.8, 0, 0.2, 0],
      deploy: [0, 0, 0, 1],
      friday: [0, 0, 1, 0.2],
    });
    const embedder = createEmbedder({ ...base, provider: 'local', model: 'tiny-bert', path: parent });
    const [martialArts, kickboxing, deploy] = await embedder.embed(['Martial arts', 'kickboxing', 'deploy friday']);
    // [CLS] martial arts [SEP], specials at zero: the mean is (1.7, 0.1, 0.2, 0) / 4, then length 1
    const norm = Math.hypot(1.7, 0.1, 0.2);
    expect([...(martialArts ?? [])].map((value) => Number(value.toFixed(5)))).toEqual(
      [1.7 / norm, 0.1 / norm, 0.2 / norm, 0].map((value) => Number(value.toFixed(5))),
    );
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
    expect(cosine(martialArts as Float32Array, kickboxing as Float32Array)).toBeGreaterThan(0.9);
    expect(cosine(martialArts as Float32Array, deploy as Float32Array)).toBeLessThan(0.2);
  });

  it('rejects a model that is not in the folder instead of downloading it', async () => {
    const embedder = createEmbedder({ ...base, provider: 'local', model: 'Xenova/all-MiniLM-L6-v2', path: await tempDir() });
    await expect(embedder.embed(['x'])).rejects.toThrow();
  });
});

describe('the local embedder without @huggingface/transformers', () => {
  it('says how to install it, instead of failing obscurely', async () => {
    // The package is a devDependency here: name one that is surely missing to see what a user without it gets.
    const embedder = createEmbedder(
      { ...base, provider: 'local', model: 'tiny-bert', path: await tempDir() },
      { transformersPackage: '@huggingface/transformers-not-installed' },
    );
    await expect(embedder.embed(['x'])).rejects.toThrow(/needs the optional package @huggingface\/transformers/);
  });
});
