import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Memory } from '../app/index.js';
import { describeError, type Logger } from '../shared/index.js';
import type { InFlight } from './in-flight.js';
import { buildMcpServer } from './mcp-server.js';
import { mcpServerParts } from './server-parts.js';

/** The SDK side of the stdio server (loaded by `serveMcpStdio` once a first message came). */
export function connectStdio(
  memory: Memory,
  streams: { input: Readable; output: Writable },
  options: { inFlight: InFlight; logger: Logger; version: string },
): { close(): Promise<void> } {
  const parts = mcpServerParts(memory, options);
  const transport = new StdioServerTransport(streams.input, streams.output);
  return serveStdio(() => buildMcpServer(parts), {
    transport,
    onerror: (error) => options.logger.warn('MCP stdio error', { error: describeError(error) }),
  });
}
