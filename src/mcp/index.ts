/**
 * mcp: every agent's way in. The MCP server over a memory (the memory tools, the index and
 * topics as resources, prompts) on stdio and streamable HTTP (the Claude Code integration is in
 * claude-code/, so that its hooks never load the MCP SDK).
 * Thin entry points over app/ and tools/; stdout belongs to the stdio transport.
 */
// Only modules that load nothing heavy are exported here: `mnemo mcp` answers `initialize`
// before the MCP SDK and the tools are loaded (serve-stdio and serve-http import them when they run).
export { SERVER_INSTRUCTIONS } from './server-info.js';
export type { McpServerParts } from './server-parts.js';
export { InFlight } from './in-flight.js';
export { serveMcpStdio } from './serve-stdio.js';
export type { StdioServeOptions, StdioServing } from './serve-stdio.js';
export { serveMcpHttp, assertSafeBinding, MCP_PATH } from './serve-http.js';
export type { HttpServeOptions, HttpServing } from './serve-http.js';
