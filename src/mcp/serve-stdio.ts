import { Transform, type Readable, type Writable } from 'node:stream';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Memory } from '../app/index.js';
import { describeError, type Logger } from '../shared/index.js';
import { InFlight } from './in-flight.js';
import { buildMcpServer } from './mcp-server.js';
import { mcpServerParts } from './server-parts.js';

export interface StdioServeOptions {
  logger: Logger;
  version: string;
  /** Default: the process's stdin and stdout (the protocol channel: nothing else may write there). */
  stdin?: Readable;
  stdout?: Writable;
}

export interface StdioServing {
  /** Resolves when the client went away (stdin ended) or `stop()` was called, and every call in flight finished. */
  readonly done: Promise<void>;
  /** Stop serving: close the connection, then wait for the calls in flight. */
  stop(): Promise<void>;
}

/** The reply to a line that is not a JSON-RPC message (as the HTTP transport answers): -32700 for bad JSON, -32600 otherwise. */
function protocolErrorFor(line: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${reason}` } });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const message = value as { jsonrpc?: unknown; method?: unknown };
    // a request or notification (method), or a response (result or error); the SDK checks the rest
    if (message.jsonrpc === '2.0' && (typeof message.method === 'string' || 'result' in value || 'error' in value)) return undefined;
  }
  const id = typeof value === 'object' && value !== null && 'id' in value ? (value).id : null;
  return JSON.stringify({
    jsonrpc: '2.0',
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
    error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' },
  });
}

/**
 * Lines of stdin that are JSON-RPC messages go on to the SDK's transport; any other line is
 * answered on stdout with a JSON-RPC error (the SDK would skip it without a word) and dropped.
 */
function answerMalformedLines(write: (line: string) => void): Transform {
  let pending = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
      let newline = pending.indexOf(10);
      while (newline >= 0) {
        const raw = pending.subarray(0, newline + 1);
        pending = pending.subarray(newline + 1);
        const line = raw.toString('utf8').replace(/\r?\n$/, '');
        if (line.trim() !== '') {
          const reply = protocolErrorFor(line);
          if (reply === undefined) this.push(raw);
          else write(`${reply}\n`);
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

/**
 * Serve a memory over MCP on stdio. A malformed message is answered as a protocol error
 * (-32700 for a line that is not JSON, -32600 for JSON that is not JSON-RPC) and the server goes on; a client that leaves mid-call does not cut a write short: `done` waits for it.
 */
export function serveMcpStdio(memory: Memory, options: StdioServeOptions): StdioServing {
  const inFlight = new InFlight();
  const parts = mcpServerParts(memory, { inFlight, logger: options.logger, version: options.version });
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const messages = answerMalformedLines((line) => stdout.write(line));
  stdin.pipe(messages);
  const transport = new StdioServerTransport(messages, stdout);
  const handle = serveStdio(() => buildMcpServer(parts), {
    transport,
    onerror: (error) => options.logger.warn('MCP stdio error', { error: describeError(error) }),
  });
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await handle
        .close()
        .catch((error: unknown) => options.logger.debug('closing the stdio transport failed', { error: describeError(error) }));
      await inFlight.idle();
      stdin.unpipe(messages);
      finished();
    })();
    return stopping;
  };
  stdin.once('end', () => void stop());
  stdin.once('close', () => void stop());
  return { done, stop };
}
