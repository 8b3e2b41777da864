import { APICallError, type LanguageModel } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';

type LanguageModelV3CallOptions = Parameters<MockLanguageModelV3['doStream']>[0];
type StreamOf<T> = T extends ReadableStream<infer Part> ? Part : never;
type LanguageModelV3StreamPart = StreamOf<Awaited<ReturnType<MockLanguageModelV3['doStream']>>['stream']>;

/** One scripted model step: text, tool calls, or a provider failure (HTTP status). */
export interface ScriptedStep {
  text?: string;
  toolCalls?: { toolName: string; input: unknown }[];
  /** Fail this request like a provider answering with this HTTP status. */
  status?: number;
}

/** What a scripted step may look at: the request's messages as text, and the call's index. */
export interface ScriptedRequest {
  /** The request as the model would see it: system prompt and messages, as JSON text. */
  text: string;
  options: LanguageModelV3CallOptions;
  call: number;
}

/** A step, or a function of the request (async ones let a test hold a request: a barrier, a latency). */
export type ScriptedAgentStep = ScriptedStep | ((request: ScriptedRequest) => ScriptedStep | Promise<ScriptedStep>);

/** A scripted AI SDK model for the agent runtime, with every request it was sent. */
export interface ScriptedAgentModel {
  model: LanguageModel;
  requests: ScriptedRequest[];
}

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

/**
 * The fake of the agent's model port (MockLanguageModelV3 from `ai/test`): answers each
 * request with the next step of the script (text streamed, tool calls, or an HTTP failure).
 * Past the end of the script it fails with a 400 (not retried), so a runaway loop ends.
 * Summaries for compaction are answered by `summary` (default: a fixed text).
 */
export function createScriptedAgentModel(script: readonly ScriptedAgentStep[], summary: (prompt: string) => string = () => 'Summary of earlier turns.'): ScriptedAgentModel {
  const requests: ScriptedRequest[] = [];
  let ids = 0;
  const model = new MockLanguageModelV3({
    modelId: 'scripted-agent',
    doGenerate: async (options) => {
      const prompt = JSON.stringify(options.prompt);
      return { content: [{ type: 'text', text: summary(prompt) }], finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(Math.ceil(prompt.length / 4), 20), warnings: [] };
    },
    doStream: async (options) => {
      const call = requests.length;
      const text = JSON.stringify(options.prompt);
      const request: ScriptedRequest = { text, options, call };
      requests.push(request);
      const entry = script[call];
      const step = typeof entry === 'function' ? await entry(request) : entry;
      const status = step === undefined ? 400 : step.status;
      if (status !== undefined) {
        throw new APICallError({
          message: step === undefined ? `the script has ${script.length} step(s) and request ${call + 1} was made` : `scripted HTTP ${status}`,
          url: 'http://scripted.invalid/v1',
          requestBodyValues: {},
          statusCode: status,
          isRetryable: status === 429 || status >= 500,
        });
      }
      const chunks: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      if (step?.text) {
        chunks.push({ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: step.text }, { type: 'text-end', id: 't' });
      }
      for (const toolCall of step?.toolCalls ?? []) {
        ids += 1;
        chunks.push({ type: 'tool-call', toolCallId: `call${ids}`, toolName: toolCall.toolName, input: JSON.stringify(toolCall.input) });
      }
      const calls = step?.toolCalls?.length ?? 0;
      chunks.push({
        type: 'finish',
        finishReason: { unified: calls > 0 ? 'tool-calls' : 'stop', raw: calls > 0 ? 'tool_calls' : 'stop' },
        usage: usage(Math.ceil(text.length / 4), Math.ceil((step?.text?.length ?? 0) / 4) + 10 * calls),
      });
      return { stream: simulateReadableStream({ chunks }) };
    },
  });
  return { model, requests };
}
