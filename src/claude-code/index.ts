/**
 * claude-code: mnemo inside Claude Code. The settings and `.mcp.json` merging of `mnemo setup
 * claude-code`, and the work of its hooks: the session-start context (index, caveats, and after
 * a compaction the open tasks and lessons), the per-prompt context (the few topics that match),
 * and the incremental, faithful import of transcripts (subagents in child sessions). Entry
 * points over app/; it loads neither the MCP SDK nor a model SDK, so hooks start fast.
 */
export {
  planClaudeCodeSetup,
  applyClaudeCodeSetup,
  mergeHooks,
  mergeMcpServer,
  hookCommand,
  isMnemoHook,
  commandArgv,
  CLAUDE_CODE_HOOKS,
} from './claude-code-settings.js';
export type { ClaudeCodeSetupOptions, ClaudeCodeSetupPlan, PlannedFile } from './claude-code-settings.js';
export { parseHookPayload } from './hook-payload.js';
export type { HookPayload } from './hook-payload.js';
export { sessionStartContext, SESSION_CONTEXT_MAX_CHARS } from './session-context.js';
export type { SessionContextOptions } from './session-context.js';
export { promptContext } from './prompt-context.js';
export type { PromptContext, PromptContextOptions } from './prompt-context.js';
export { renderRecalledTopics, provenanceMark } from './recalled-topics.js';
export { importClaudeCodeIncrementally } from './incremental-import.js';
export type { IncrementalImport, IncrementalImportOptions } from './incremental-import.js';
export { readSessionHookState } from './hook-state.js';
export type { SessionHookState } from './hook-state.js';
export { runClaudeCodeHook, HOOK_EVENTS, BACKGROUND_HOOK_EVENTS, isHookEvent } from './run-hook.js';
export type { HookEvent, HookRun, HookRunOptions } from './run-hook.js';
