/**
 * mcp: every agent's way in. The MCP server over a memory (the memory tools, the index and
 * topics as resources, prompts) on stdio and streamable HTTP (the Claude Code integration is in
 * claude-code/, so that its hooks never load the MCP SDK).
 * Thin entry points over app/ and tools/; stdout belongs to the stdio transport.
 */
export { buildMcpServer, SERVER_INSTRUCTIONS } from './mcp-server.js';
export { mcpServerParts } from './server-parts.js';
export type { McpServerParts } from './server-parts.js';
export { InFlight } from './in-flight.js';
export { INDEX_URI, TOPIC_URI_TEMPLATE, topicUri } from './memory-resources.js';
export { serveMcpStdio } from './serve-stdio.js';
export type { StdioServeOptions, StdioServing } from './serve-stdio.js';
export { serveMcpHttp, assertSafeBinding, MCP_PATH } from './serve-http.js';
export type { HttpServeOptions, HttpServing } from './serve-http.js';
