import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
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

/**
 * The AI SDK language model the `model` section names (what the agent runtime streams from); the
 * same adapters `createModel` wraps for dream. Nothing is contacted until it is called. Throws
 * `invalid-input` when the section cannot work.
 */
export function createLanguageModel(config: ModelConfig, options: CreateModelOptions = {}): LanguageModel {
  const common = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(config.baseURL ? { baseURL: config.baseURL } : {}) };
  switch (config.provider) {
    case 'anthropic':
      if (!options.apiKey) throw missingKey(config);
      return createAnthropic({ ...common, apiKey: options.apiKey })(config.model);
    case 'openai':
      if (!options.apiKey) throw missingKey(config);
      return createOpenAI({ ...common, apiKey: options.apiKey })(config.model);
    case 'openai-compatible':
      if (!config.baseURL) {
        throw new MnemoError('invalid-input', 'An openai-compatible model needs "baseURL" (e.g. http://127.0.0.1:8000/v1).', {
          hint: 'Add "baseURL" to the "model" section of mnemo.config.json.',
        });
      }
      return createOpenAICompatible({
        ...common,
        baseURL: config.baseURL,
        name: 'openai-compatible',
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      }).chatModel(config.model);
    case 'ollama':
      // /api/chat; the completion endpoint of this adapter is not what Ollama's chat models expect.
      return createOllama(common).chat(config.model);
  }
}

/**
 * The model the `model` section of the configuration names, behind the port. Nothing is
 * downloaded and nothing is contacted until `generate` is called. Throws `invalid-input` when
 * the section cannot work (a hosted provider without its key, openai-compatible without a URL).
 */
export function createModel(config: ModelConfig, options: CreateModelOptions = {}): LanguageModelPort {
  return aiSdkModel(createLanguageModel(config, options), `${config.provider}:${config.model}`, {
    maxOutputTokens: config.maxOutputTokens,
    temperature: config.temperature,
    timeoutMs: config.timeoutMs,
  });
}
