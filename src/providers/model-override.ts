import type { ModelConfig } from '../config/index.js';
import { MnemoError } from '../shared/index.js';

const PROVIDERS = ['anthropic', 'openai', 'openai-compatible', 'ollama'] as const;

/**
 * Apply a `--model provider:id` override to the configured `model` section: the provider and the
 * model id change, the rest (baseURL, key variable, limits) is kept when the provider stays the
 * same. Throws `usage` for a value that names no known provider.
 */
export function applyModelOverride(configured: ModelConfig | undefined, override: string): ModelConfig {
  const colon = override.indexOf(':');
  const provider = colon > 0 ? override.slice(0, colon) : '';
  const model = colon > 0 ? override.slice(colon + 1).trim() : '';
  if (!(PROVIDERS as readonly string[]).includes(provider) || model === '') {
    throw new MnemoError('usage', `--model takes provider:id (providers: ${PROVIDERS.join(', ')}), not ${JSON.stringify(override)}.`, {
      hint: 'For example --model anthropic:claude-sonnet-4-5 or --model ollama:llama3.1.',
    });
  }
  const base = configured?.provider === provider ? configured : undefined;
  return {
    maxOutputTokens: configured?.maxOutputTokens ?? 4096,
    temperature: configured?.temperature ?? 0,
    timeoutMs: configured?.timeoutMs ?? 120_000,
    ...(base?.baseURL ? { baseURL: base.baseURL } : {}),
    ...(base?.apiKeyEnv ? { apiKeyEnv: base.apiKeyEnv } : {}),
    provider: provider as ModelConfig['provider'],
    model,
  };
}
