/**
 * tools: the tool contract (`defineTool`: name, model-facing description from a sibling `.md`,
 * zod input schema, execute) and the memory tools built over the `MemoryToolApi` port. Every
 * surface (MCP, the AI SDK, the agent runtime) registers these same definitions. A tool never
 * throws: failures come back as results the model can act on.
 */
export { defineTool } from './define-tool.js';
export type { ToolDefinition, ToolSpec, ToolOutcome, ToolHints, ToolCallContext } from './define-tool.js';
export { memoryTools, MEMORY_TOOL_NAMES } from './memory-tools.js';
export type { MemoryToolName } from './memory-tools.js';
export type { MemoryToolsOptions } from './tool-options.js';
export type {
  MemoryToolApi,
  ToolTaskHandle,
  ToolTopicSummary,
  ToolShowResult,
  ToolRememberResult,
  VerifyToolInput,
  DreamToolInput,
} from './memory-tool-api.js';
export { workspaceTools, WORKSPACE_TOOL_NAMES } from './workspace-tools.js';
export type { WorkspaceToolName } from './workspace-tools.js';
export type { WorkspaceToolsOptions } from './workspace-tool-options.js';
export { excerpt } from './workspace-tool-options.js';
export { runShellCommand } from './bash-tool.js';
export type { CommandRun } from './bash-tool.js';
