import type { Memory } from '../app/index.js';
import type { Logger } from '../shared/index.js';
import { memoryTools, type ToolDefinition } from '../tools/index.js';
import type { InFlight } from './in-flight.js';

/** What every MCP server instance of one process shares: the memory, its tools, the call counter. */
export interface McpServerParts {
  memory: Memory;
  tools: ToolDefinition[];
  inFlight: InFlight;
  logger: Logger;
  version: string;
}

/** The parts for a memory: its tools, defined once (descriptions read once) for every connection. */
export function mcpServerParts(memory: Memory, options: { inFlight: InFlight; logger: Logger; version: string }): McpServerParts {
  return { memory, tools: memoryTools(memory, { origin: 'mcp' }), ...options };
}
