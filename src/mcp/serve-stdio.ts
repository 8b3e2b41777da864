import { randomBytes } from 'node:crypto';
import { Transform, Writable, type Readable } from 'node:stream';
import type { Memory } from '../app/index.js';
import { describeError, type Logger } from '../shared/index.js';
import { InFlight } from './in-flight.js';
import { EARLY_PROTOCOL_VERSIONS, initializeResult } from './server-info.js';

export interface StdioServeOptions {
  logger: Logger;
  version: string;
  /** Default: the process's stdin and stdout (the protocol channel: nothing else may write there). */
  stdin?: Readable;
  stdout?: Writable;
  /**
   * Answer a first `initialize` at once, from `server-info.ts`, before the MCP SDK, the tools and
   * the memory are loaded (default true); the SDK is handed the same request and its own answer
   * is dropped. False: the SDK answers it.
   */
  answerInitializeEarly?: boolean;
}

export interface StdioServing {
  /** Resolves when the client went away (stdin ended) or `stop()` was called, and every call in flight finished; rejects when the server could not start (the memory could not be opened). */
  readonly done: Promise<void>;
  /** Stop serving: close the connection, then wait for the calls in flight. */
  stop(): Promise<void>;
}

type Message = { jsonrpc?: unknown; method?: unknown; id?: unknown; params?: { protocolVersion?: unknown } };

/** The reply to a line that is not a JSON-RPC message (as the HTTP transport answers): -32700 for bad JSON, -32600 otherwise. */
function protocolErrorFor(line: string): { reply: string } | { message: Message } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { reply: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${reason}` } }) };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const message = value as Message;
    // a request or notification (method), or a response (result or error); the SDK checks the rest
    if (message.jsonrpc === '2.0' && (typeof message.method === 'string' || 'result' in value || 'error' in value)) return { message };
  }
  const id = typeof value === 'object' && value !== null && 'id' in value ? (value as Message).id : null;
  return {
    reply: JSON.stringify({
      jsonrpc: '2.0',
      id: typeof id === 'string' || typeof id === 'number' ? id : null,
      error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' },
    }),
  };
}

/**
 * The lines of stdin on their way to the SDK's transport. Any line that is not a JSON-RPC message
 * is answered on stdout with a JSON-RPC error (the SDK would skip it without a word) and dropped.
 * A first `initialize` for a known protocol version is answered here, at once, and passed on
 * under another id (`earlyId`), whose answer the output side drops. `onMessage` is called after
 * the first message was handled: the caller loads the server then.
 */
function inputFront(options: {
  write: (line: string) => void;
  version: string;
  early: boolean;
  earlyId: string;
  /** The result of the early answer, as sent. */
  onEarlyAnswer: (result: string) => void;
  onMessage: () => void;
}): Transform {
  let pending = Buffer.alloc(0);
  let first = true;
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
      let newline = pending.indexOf(10);
      while (newline >= 0) {
        const raw = pending.subarray(0, newline + 1);
        pending = pending.subarray(newline + 1);
        const line = raw.toString('utf8').replace(/\r?\n$/, '');
        if (line.trim() !== '') {
          const read = protocolErrorFor(line);
          if ('reply' in read) options.write(`${read.reply}\n`);
          else {
            const { message } = read;
            const version = message.params?.protocolVersion;
            if (
              first &&
              options.early &&
              message.method === 'initialize' &&
              (typeof message.id === 'string' || typeof message.id === 'number') &&
              typeof version === 'string' &&
              EARLY_PROTOCOL_VERSIONS.includes(version)
            ) {
              const result = initializeResult(options.version, version);
              options.onEarlyAnswer(JSON.stringify(result));
              options.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n`);
              this.push(`${JSON.stringify({ ...message, id: options.earlyId })}\n`);
            } else this.push(raw);
            if (first) {
              first = false;
              options.onMessage();
            }
          }
        }
        newline = pending.indexOf(10);
      }
      callback();
    },
    flush(callback) {
      if (pending.length > 0) this.push(pending);
      callback();
    },
  });
}

/** What the SDK writes, on to stdout, less its answer to the `initialize` already answered early. */
function outputFront(stdout: Writable, earlyId: string, logger: Logger, expected: () => string | undefined): Writable {
  const marker = JSON.stringify(earlyId);
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (text.includes(marker)) {
        try {
          const message = JSON.parse(text) as { id?: unknown; result?: unknown };
          if (message.id === earlyId) {
            const early = expected();
            if (early !== undefined && JSON.stringify(message.result) !== early)
              logger.warn('the early initialize answer differs from the SDK one', { sdk: JSON.stringify(message.result), early });
            callback();
            return;
          }
        } catch {
          // not one whole message: pass it on as it is
        }
      }
      if (stdout.write(chunk)) callback();
      else stdout.once('drain', () => callback());
    },
  });
}

/**
 * Serve a memory over MCP on stdio. `memory` may be a function that opens it: it is called, and
 * the MCP SDK and the tools loaded, only once a first message came, so that `initialize` is
 * answered in the time the process takes to start. A malformed message is answered as a protocol
 * error (-32700 for a line that is not JSON, -32600 for JSON that is not JSON-RPC) and the server
 * goes on; a client that leaves mid-call does not cut a write short: `done` waits for it.
 */
export function serveMcpStdio(memory: Memory | (() => Promise<Memory>), options: StdioServeOptions): StdioServing {
  const inFlight = new InFlight();
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const earlyId = `mnemo-early-initialize-${randomBytes(6).toString('hex')}`;
  let earlyAnswer: string | undefined;
  let connection: Promise<{ close(): Promise<void> } | undefined> | undefined;
  const output = outputFront(stdout, earlyId, options.logger, () => earlyAnswer);
  const input = inputFront({
    write: (line) => stdout.write(line),
    onEarlyAnswer: (result) => (earlyAnswer = result),
    version: options.version,
    early: options.answerInitializeEarly !== false,
    earlyId,
    onMessage: () => void connect(),
  });
  const connect = () =>
    (connection ??= (async () => {
      // Loaded after the first message was answered or passed on: the SDK and the tools are the heavy part of starting.
      try {
        const [{ connectStdio }, opened] = await Promise.all([
          import('./stdio-connect.js'),
          typeof memory === 'function' ? memory() : Promise.resolve(memory),
        ]);
        return connectStdio(opened, { input, output }, { inFlight, logger: options.logger, version: options.version });
      } catch (error) {
        failure = error;
        void stop();
        return undefined;
      }
    })());
  stdin.pipe(input);
  let failure: unknown;
  let finished: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const handle = await (connection ?? Promise.resolve(undefined));
      await handle
        ?.close()
        .catch((error: unknown) => options.logger.debug('closing the stdio transport failed', { error: describeError(error) }));
      await inFlight.idle();
      stdin.unpipe(input);
      if (failure === undefined) finished();
      else failed(failure);
    })();
    return stopping;
  };
  stdin.once('end', () => void stop());
  stdin.once('close', () => void stop());
  return { done, stop };
}
