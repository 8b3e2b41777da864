import { describe, expect, it } from 'vitest';
import { applyModelOverride } from './index.js';

const configured = {
  provider: 'openai-compatible' as const,
  model: 'local-coder',
  baseURL: 'http://127.0.0.1:8000/v1',
  apiKeyEnv: 'LOCAL_KEY',
  maxOutputTokens: 1024,
  temperature: 0.2,
  timeoutMs: 5000,
};

describe('--model provider:id', () => {
  it('changes the model and keeps the server settings when the provider stays the same', () => {
    expect(applyModelOverride(configured, 'openai-compatible:bigger-coder')).toEqual({ ...configured, model: 'bigger-coder' });
  });

  it('drops the server settings of another provider, keeping the limits', () => {
    expect(applyModelOverride(configured, 'ollama:qwen2.5-coder:7b')).toEqual({
      provider: 'ollama',
      model: 'qwen2.5-coder:7b',
      maxOutputTokens: 1024,
      temperature: 0.2,
      timeoutMs: 5000,
    });
    expect(applyModelOverride(undefined, 'anthropic:claude-sonnet-4-5').provider).toBe('anthropic');
  });

  it('refuses a value without a known provider, saying the form', () => {
    expect(() => applyModelOverride(configured, 'gpt-4.1')).toThrow(/--model takes provider:id/);
    expect(() => applyModelOverride(configured, 'mistral:large')).toThrow(/providers: anthropic, openai, openai-compatible, ollama/);
  });
});
