import type { LanguageModel } from 'ai';
import type { ModelConfig } from '../config/index.js';
import { MnemoError } from '../shared/index.js';
import { aiSdkModel } from './ai-sdk-model.js';
import type { LanguageModelPort } from './language-model.js';

export interface CreateModelOptions {
  /** The API key, resolved by config/ from the variable `apiKeyEnv` names. */
  apiKey?: string | undefined;
  /** How HTTP requests are made (tests pass a stub); the global fetch by default. */
  fetch?: typeof fetch;
}

function missingKey(config: ModelConfig): MnemoError {
  const variable = config.apiKeyEnv ?? (config.provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY');
  return new MnemoError('invalid-input', `The ${config.provider} model needs an API key, and ${variable} is not set.`, {
    hint: `Set ${variable} in the environment, or name another variable with "model": { "apiKeyEnv": "..." } in mnemo.config.json; remove the "model" section to dream without a model.`,
  });
}

/** What a section cannot work without, checked before anything is loaded. */
function assertUsable(config: ModelConfig, options: CreateModelOptions): void {
  if ((config.provider === 'anthropic' || config.provider === 'openai') && !options.apiKey) throw missingKey(config);
  if (config.provider === 'openai-compatible' && !config.baseURL) {
    throw new MnemoError('invalid-input', 'An openai-compatible model needs "baseURL" (e.g. http://127.0.0.1:8000/v1).', {
      hint: 'Add "baseURL" to the "model" section of mnemo.config.json.',
    });
  }
}

/**
 * The AI SDK language model the `model` section names (what the agent runtime streams from); the
 * same adapters `createModel` wraps for dream. Nothing is contacted until it is called; the
 * provider's SDK is loaded here, on first use. Rejects with `invalid-input` when the section cannot work.
 */
export async function createLanguageModel(config: ModelConfig, options: CreateModelOptions = {}): Promise<LanguageModel> {
  assertUsable(config, options);
  return sdkModel(config, options);
}

/** The provider's SDK model; its package is loaded here, on first use. */
async function sdkModel(config: ModelConfig, options: CreateModelOptions): Promise<LanguageModel> {
  const common = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(config.baseURL ? { baseURL: config.baseURL } : {}) };
  switch (config.provider) {
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ ...common, apiKey: options.apiKey ?? '' })(config.model);
    }
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return createOpenAI({ ...common, apiKey: options.apiKey ?? '' })(config.model);
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({
        ...common,
        baseURL: config.baseURL ?? '',
        name: 'openai-compatible',
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      }).chatModel(config.model);
    }
    case 'ollama': {
      // /api/chat; the completion endpoint of this adapter is not what Ollama's chat models expect.
      const { createOllama } = await import('ollama-ai-provider-v2');
      return createOllama(common).chat(config.model);
    }
  }
}

/**
 * The model the `model` section of the configuration names, behind the port. Nothing is
 * downloaded and nothing is contacted until `generate` is called. Throws `invalid-input` when
 * the section cannot work (a hosted provider without its key, openai-compatible without a URL).
 */
export function createModel(config: ModelConfig, options: CreateModelOptions = {}): LanguageModelPort {
  assertUsable(config, options);
  const id = `${config.provider}:${config.model}`;
  let port: Promise<LanguageModelPort> | undefined;
  const adapted = () =>
    (port ??= sdkModel(config, options).then((model) =>
      aiSdkModel(model, id, { maxOutputTokens: config.maxOutputTokens, temperature: config.temperature, timeoutMs: config.timeoutMs }),
    ));
  return { id, generate: async (request) => (await adapted()).generate(request) };
}
