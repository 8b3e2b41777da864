import type { LanguageModel } from 'ai';
import { MnemoError, describeError } from '../shared/index.js';
import type { LanguageModelPort, ModelRequest, ModelResponse } from './language-model.js';

/** Defaults applied to every request of one adapted model. */
export interface AiSdkModelOptions {
  maxOutputTokens?: number;
  temperature?: number;
  /** Limit of one request; it is aborted after this. */
  timeoutMs?: number;
}

/**
 * The port over any AI SDK language model (`generateText`, no retries: a dream that cannot reach
 * its model goes on without it). Failures become a MnemoError `io` naming the model.
 */
export function aiSdkModel(model: LanguageModel, id: string, options: AiSdkModelOptions = {}): LanguageModelPort {
  return {
    id,
    generate: async (request: ModelRequest): Promise<ModelResponse> => {
      const signals = [request.signal, options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter(
        (signal): signal is AbortSignal => signal !== undefined,
      );
      try {
        // The AI SDK is loaded by the first request, never by a process that only reads memory.
        const { generateText } = await import('ai');
        const result = await generateText({
          model,
          ...(request.system === undefined ? {} : { system: request.system }),
          prompt: request.prompt,
          maxRetries: 0,
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
          ...((request.maxOutputTokens ?? options.maxOutputTokens) === undefined
            ? {}
            : { maxOutputTokens: request.maxOutputTokens ?? options.maxOutputTokens }),
          ...(signals.length > 0 ? { abortSignal: AbortSignal.any(signals) } : {}),
        });
        return { text: result.text, usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens } };
      } catch (error) {
        throw new MnemoError('io', `The model ${id} did not answer: ${describeError(error)}`, {
          hint: 'Check the "model" section of mnemo.config.json (provider, model, baseURL, apiKeyEnv) and that the server is reachable.',
          cause: error,
        });
      }
    },
  };
}
