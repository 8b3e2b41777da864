import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the stub: streamed text and tool calls, or an HTTP failure. */
export interface StubStep {
  text?: string;
  toolCalls?: { name: string; arguments: unknown }[];
  status?: number;
}

export type StubAnswer = StubStep | ((body: ChatRequest) => StubStep);

/** The part of a chat-completions request the tests look at. */
export interface ChatRequest {
  model: string;
  stream?: boolean;
  messages: { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
}

export interface ChatCompletionsStub {
  baseURL: string;
  requests: ChatRequest[];
  /** Resolves when the stub has received `count` requests. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local server on 127.0.0.1 speaking the OpenAI chat-completions API with streaming (SSE)
 * and tool calls, answering from a script; past its end it answers 500 with a message. Failures
 * carry `retry-after: 0`, so the client's backoff does not wait.
 */
export async function startChatCompletionsStub(script: readonly StubAnswer[]): Promise<ChatCompletionsStub> {
  const requests: ChatRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let calls = 0;
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = JSON.parse(await readBody(request)) as ChatRequest;
      requests.push(body);
      for (const waiter of waiters.filter((item) => requests.length >= item.count)) waiter.resolve();
      const entry = script[requests.length - 1];
      const step = typeof entry === 'function' ? entry(body) : entry;
      if (request.url !== '/v1/chat/completions' || step === undefined || step.status !== undefined) {
        response.writeHead(step?.status ?? 500, { 'content-type': 'application/json', 'retry-after': '0' });
        response.end(JSON.stringify({ error: { message: step ? `stub status ${step.status}` : 'the stub has no more answers', type: 'server_error' } }));
        return;
      }
      const base = { id: `chatcmpl-${requests.length}`, object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model };
      const chunk = (delta: object, finish: string | null = null, usage?: object) =>
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: step.text ?? '' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write(chunk({ role: 'assistant', content: '' }));
      if (step.text) for (const piece of step.text.match(/.{1,12}/gs) ?? []) response.write(chunk({ content: piece }));
      (step.toolCalls ?? []).forEach((call, index) => {
        calls += 1;
        const args = JSON.stringify(call.arguments);
        response.write(chunk({ tool_calls: [{ index, id: `call_${calls}`, type: 'function', function: { name: call.name, arguments: '' } }] }));
        response.write(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, 10) } }] }));
        response.write(chunk({ tool_calls: [{ index, function: { arguments: args.slice(10) } }] }));
      });
      const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
      response.write(chunk({}, step.toolCalls?.length ? 'tool_calls' : 'stop', { prompt_tokens: promptTokens, completion_tokens: 20, total_tokens: promptTokens + 20 }));
      response.end('data: [DONE]\n\n');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    received: (count) =>
      requests.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The text of every message of a request, joined (to look for the goal, errors, memory). */
export function requestText(request: ChatRequest): string {
  return request.messages
    .map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '')))
    .join('\n');
}
