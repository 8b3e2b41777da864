import { bashTool } from './bash-tool.js';
import type { ToolDefinition } from './define-tool.js';
import { editTool, readTool, writeTool } from './file-tools.js';
import { globTool, grepTool } from './search-tools.js';
import type { WorkspaceToolsOptions } from './workspace-tool-options.js';

/** The names of the workspace tools, in the order they are offered. */
export const WORKSPACE_TOOL_NAMES = ['read', 'write', 'edit', 'bash', 'grep', 'glob'] as const;
export type WorkspaceToolName = (typeof WORKSPACE_TOOL_NAMES)[number];

/** The tools an agent works on a project with; every path is confined to the workspace. */
export function workspaceTools(options: WorkspaceToolsOptions): ToolDefinition[] {
  return [readTool(options), writeTool(options), editTool(options), bashTool(options), grepTool(options), globTool(options)];
}
