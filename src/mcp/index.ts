/**
 * mcp: every agent's way in. The MCP server over a memory (the memory tools, the index and
 * topics as resources, prompts) on stdio and streamable HTTP, and the Claude Code integration:
 * settings and `.mcp.json` merging for `mnemo setup claude-code`, and the work of its hooks.
 * Thin entry points over app/ and tools/; stdout belongs to the stdio transport.
 */
export { buildMcpServer, SERVER_INSTRUCTIONS } from './mcp-server.js';
export { mcpServerParts } from './server-parts.js';
export type { McpServerParts } from './server-parts.js';
export { InFlight } from './in-flight.js';
export { INDEX_URI, TOPIC_URI_TEMPLATE, topicUri } from './memory-resources.js';
export { serveMcpStdio } from './serve-stdio.js';
export type { StdioServeOptions, StdioServing } from './serve-stdio.js';
export { serveMcpHttp, assertSafeBinding, isLoopbackHost, MCP_PATH } from './serve-http.js';
export type { HttpServeOptions, HttpServing } from './serve-http.js';
export {
  planClaudeCodeSetup,
  applyClaudeCodeSetup,
  mergeHooks,
  mergeMcpServer,
  hookCommand,
  commandArgv,
  CLAUDE_CODE_HOOKS,
} from './claude-code-settings.js';
export type { ClaudeCodeSetupOptions, ClaudeCodeSetupPlan, PlannedFile } from './claude-code-settings.js';
export {
  parseHookPayload,
  hookPayloadProblem,
  sessionStartContext,
  importClaudeCodeIncrementally,
  SESSION_CONTEXT_MAX_CHARS,
} from './claude-code-hooks.js';
export type { HookPayload, IncrementalImport } from './claude-code-hooks.js';
