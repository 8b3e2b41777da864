import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { isMnemoError } from '../shared/index.js';
import { aiSdkModel, createModel, createScriptedModel, type LanguageModelPort } from './index.js';

/*
 * One contract, three implementations of the model port: the real OpenAI-compatible adapter
 * against a local server speaking the chat-completions API, the scripted model, and the AI SDK
 * adapter over the SDK's own mock model.
 */

interface Harness {
  /** A model that answers `answers` in order, then fails. */
  model: LanguageModelPort;
  /** What the model received: system and prompt of each call. */
  received(): { system: string | undefined; prompt: string }[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function stubServerHarness(answers: string[]): Promise<Harness> {
  const received: { system: string | undefined; prompt: string }[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = JSON.parse(await readBody(request)) as { model: string; messages: { role: string; content: unknown }[] };
      const text = (content: unknown) =>
        typeof content === 'string' ? content : (content as { text: string }[]).map((part) => part.text).join('');
      received.push({
        system: body.messages.find((message) => message.role === 'system')?.content as string | undefined,
        prompt: text(body.messages.find((message) => message.role === 'user')?.content ?? ''),
      });
      const answer = answers[received.length - 1];
      if (request.url !== '/v1/chat/completions' || answer === undefined) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'no more answers', type: 'server_error' } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: `chatcmpl-${received.length}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
        }),
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const model = createModel(
    {
      provider: 'openai-compatible',
      model: 'stub-model',
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxOutputTokens: 256,
      temperature: 0,
      timeoutMs: 5000,
    },
    { apiKey: 'test-key' },
  );
  return {
    model,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function scriptedHarness(answers: string[]): Promise<Harness> {
  const model = createScriptedModel(answers);
  return {
    model,
    received: () => model.requests.map((request) => ({ system: request.system, prompt: request.prompt })),
    close: async () => undefined,
  };
}

async function sdkMockHarness(answers: string[]): Promise<Harness> {
  const received: { system: string | undefined; prompt: string }[] = [];
  const mock = new MockLanguageModelV3({
    doGenerate: async (options) => {
      const system = options.prompt.find((message) => message.role === 'system');
      const user = options.prompt.find((message) => message.role === 'user');
      received.push({
        system: system?.role === 'system' ? system.content : undefined,
        prompt: user?.role === 'user' ? user.content.map((part) => (part.type === 'text' ? part.text : '')).join('') : '',
      });
      const answer = answers[received.length - 1];
      if (answer === undefined) throw new Error('no more answers');
      return {
        content: [{ type: 'text', text: answer }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 5, text: 5, reasoning: undefined },
        },
        warnings: [],
      };
    },
  });
  return { model: aiSdkModel(mock, 'mock:v3'), received: () => received, close: async () => undefined };
}

const implementations: [string, (answers: string[]) => Promise<Harness>][] = [
  ['OpenAI-compatible adapter against a local chat-completions server', stubServerHarness],
  ['scripted model', scriptedHarness],
  ['AI SDK adapter over MockLanguageModelV3', sdkMockHarness],
];

for (const [name, make] of implementations) {
  describe(`language model port: ${name}`, () => {
    let harness: Harness | undefined;
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('answers with the text the model produced, in order', async () => {
      harness = await make(['first answer', '{"notes": []}']);
      expect((await harness.model.generate({ prompt: 'one' })).text).toBe('first answer');
      expect((await harness.model.generate({ prompt: 'two' })).text).toBe('{"notes": []}');
    });

    it('sends the instructions and the prompt', async () => {
      harness = await make(['ok']);
      await harness.model.generate({ system: 'You distil notes.', prompt: 'Session text: the port is 8080.' });
      expect(harness.received()).toEqual([{ system: 'You distil notes.', prompt: 'Session text: the port is 8080.' }]);
    });

    it('fails with an io error naming the model when it cannot answer', async () => {
      harness = await make([]);
      const error = await harness.model.generate({ prompt: 'anything' }).catch((caught: unknown) => caught);
      expect(isMnemoError(error, 'io')).toBe(true);
      expect((error as Error).message).toContain(harness.model.id);
    });

    it('has an id naming provider and model', async () => {
      harness = await make(['ok']);
      expect(harness.model.id).toMatch(/^[a-z-]+:[\w.-]+$/);
    });
  });
}

describe('createModel', () => {
  it('refuses a hosted provider without its key, naming the variable', () => {
    expect(() => createModel({ provider: 'anthropic', model: 'claude', maxOutputTokens: 100, temperature: 0, timeoutMs: 1000 })).toThrow(
      /ANTHROPIC_API_KEY/,
    );
  });

  it('refuses an openai-compatible model without a URL', () => {
    expect(() => createModel({ provider: 'openai-compatible', model: 'm', maxOutputTokens: 100, temperature: 0, timeoutMs: 1000 })).toThrow(
      /baseURL/,
    );
  });

  it('builds the other adapters without contacting anything', () => {
    const ollama = createModel({ provider: 'ollama', model: 'llama3.1', maxOutputTokens: 100, temperature: 0, timeoutMs: 1000 });
    const openai = createModel(
      { provider: 'openai', model: 'gpt-4.1-mini', maxOutputTokens: 100, temperature: 0, timeoutMs: 1000 },
      { apiKey: 'k' },
    );
    expect([ollama.id, openai.id]).toEqual(['ollama:llama3.1', 'openai:gpt-4.1-mini']);
  });
});
