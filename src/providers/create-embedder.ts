import { isAbsolute, resolve } from 'node:path';
import type { EmbeddingModel } from 'ai';
import type { EmbeddingsConfig } from '../config/index.js';
import { MnemoError } from '../shared/index.js';
import { normalizeVector, type Embedder } from './embedder.js';

export interface CreateEmbedderOptions {
  /** The API key, resolved by config/ from the variable `apiKeyEnv` names. */
  apiKey?: string | undefined;
  /** How HTTP requests are made (tests pass a stub); the global fetch by default. */
  fetch?: typeof fetch;
  /** Where a relative `path` of a local model is resolved from (the memory root). */
  baseDir?: string;
  /** The package the local embedder loads (`@huggingface/transformers`; tests name a missing one). */
  transformersPackage?: string;
}

/** What a section cannot work without, checked before anything is loaded. */
function assertUsable(config: EmbeddingsConfig, options: CreateEmbedderOptions): void {
  if (config.provider === 'openai' && !options.apiKey && !config.baseURL) {
    const variable = config.apiKeyEnv ?? 'OPENAI_API_KEY';
    throw new MnemoError('invalid-input', `The openai embedder needs an API key, and ${variable} is not set.`, {
      hint: `Set ${variable}, or name another variable with "embeddings": { "apiKeyEnv": "..." } in mnemo.config.json; remove the "embeddings" section for lexical recall only.`,
    });
  }
  if (config.provider === 'openai-compatible' && !config.baseURL) {
    throw new MnemoError('invalid-input', 'An openai-compatible embedder needs "baseURL" (e.g. http://127.0.0.1:8000/v1).', {
      hint: 'Add "baseURL" to the "embeddings" section of mnemo.config.json.',
    });
  }
  if (config.provider === 'local' && !config.path) {
    throw new MnemoError('invalid-input', 'A local embedder needs "path": the folder that holds the model folder named by "model".', {
      hint: 'Add "path" to the "embeddings" section of mnemo.config.json (nothing is ever downloaded).',
    });
  }
}

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** OpenAI and OpenAI-compatible servers (`POST {baseURL}/embeddings`) through the AI SDK's `embedMany`. */
function aiSdkEmbedder(config: EmbeddingsConfig, options: CreateEmbedderOptions): Embedder {
  let model: Promise<EmbeddingModel> | undefined;
  const load = async () => {
    const common = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(config.baseURL ? { baseURL: config.baseURL } : {}) };
    if (config.provider === 'openai') {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return createOpenAI({ ...common, apiKey: options.apiKey ?? 'unused' }).embedding(config.model);
    }
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    return createOpenAICompatible({
      ...common,
      baseURL: config.baseURL ?? '',
      name: 'openai-compatible',
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    }).embeddingModel(config.model);
  };
  return {
    id: `${config.provider}:${config.model}`,
    embed: async (texts, signal) => {
      if (texts.length === 0) return [];
      const { embedMany } = await import('ai');
      const result = await embedMany({
        model: await (model ??= load()),
        values: texts,
        maxRetries: 0,
        abortSignal: withTimeout(signal, config.timeoutMs),
      });
      return result.embeddings.map((vector) => Float32Array.from(vector));
    },
  };
}

/** Ollama's `POST /api/embed` (`{ model, input: [...] }` → `{ embeddings: [[...]] }`). */
function ollamaEmbedder(config: EmbeddingsConfig, options: CreateEmbedderOptions): Embedder {
  const base = (config.baseURL ?? 'http://127.0.0.1:11434').replace(/\/+$/, '').replace(/\/api$/, '');
  const request = options.fetch ?? fetch;
  return {
    id: `ollama:${config.model}`,
    embed: async (texts, signal) => {
      if (texts.length === 0) return [];
      const response = await request(`${base}/api/embed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: config.model, input: texts }),
        signal: withTimeout(signal, config.timeoutMs),
      });
      if (!response.ok) throw new Error(`Ollama ${base}/api/embed answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      const body = (await response.json()) as { embeddings?: number[][] };
      if (!Array.isArray(body.embeddings) || body.embeddings.length !== texts.length)
        throw new Error(`Ollama ${base}/api/embed returned ${body.embeddings?.length ?? 'no'} embeddings for ${texts.length} texts`);
      return body.embeddings.map((vector) => Float32Array.from(vector));
    },
  };
}

/** The part of `@huggingface/transformers` this adapter uses. */
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(
    task: 'feature-extraction',
    model: string,
    options?: Record<string, unknown>,
  ): Promise<(texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{ tolist(): number[][] }>>;
}

/**
 * A model folder on disk through transformers.js (an optional package: `npm install
 * @huggingface/transformers`). Remote models are switched off: only `path/<model>` is read.
 * Vectors are mean-pooled over tokens and normalized.
 */
function localEmbedder(config: EmbeddingsConfig, options: CreateEmbedderOptions): Embedder {
  const folder = isAbsolute(config.path ?? '') ? (config.path ?? '') : resolve(options.baseDir ?? process.cwd(), config.path ?? '');
  let extractor: ReturnType<TransformersModule['pipeline']> | undefined;
  const load = async () => {
    const name = options.transformersPackage ?? '@huggingface/transformers';
    let transformers: TransformersModule;
    try {
      transformers = (await import(name)) as TransformersModule;
    } catch (error) {
      throw new MnemoError(
        'invalid-input',
        'The local embedder needs the optional package @huggingface/transformers, which is not installed.',
        {
          hint: 'Run `npm install @huggingface/transformers` beside mnemo, or use the ollama or openai-compatible provider.',
          cause: error,
        },
      );
    }
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = folder;
    return transformers.pipeline('feature-extraction', config.model, { local_files_only: true });
  };
  return {
    id: `local:${config.model}`,
    embed: async (texts) => {
      if (texts.length === 0) return [];
      const run = await (extractor ??= load());
      const output = await run(texts, { pooling: 'mean', normalize: true });
      return output.tolist().map((vector) => normalizeVector(vector));
    },
  };
}

/**
 * The embedder the `embeddings` section names. Nothing is loaded or contacted until `embed` is
 * called. Throws `invalid-input` when the section cannot work (openai without a key,
 * openai-compatible without a URL, local without a path).
 */
export function createEmbedder(config: EmbeddingsConfig, options: CreateEmbedderOptions = {}): Embedder {
  assertUsable(config, options);
  switch (config.provider) {
    case 'openai':
    case 'openai-compatible':
      return aiSdkEmbedder(config, options);
    case 'ollama':
      return ollamaEmbedder(config, options);
    case 'local':
      return localEmbedder(config, options);
  }
}
