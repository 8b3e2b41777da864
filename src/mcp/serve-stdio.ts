import type { Readable, Writable } from 'node:stream';
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

/**
 * Serve a memory over MCP on stdio. A malformed message is answered as a protocol error and the
 * server goes on; a client that leaves mid-call does not cut a write short: `done` waits for it.
 */
export function serveMcpStdio(memory: Memory, options: StdioServeOptions): StdioServing {
  const inFlight = new InFlight();
  const parts = mcpServerParts(memory, { inFlight, logger: options.logger, version: options.version });
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
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
      finished();
    })();
    return stopping;
  };
  stdin.once('end', () => void stop());
  stdin.once('close', () => void stop());
  return { done, stop };
}
