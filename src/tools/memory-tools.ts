import type { ToolDefinition } from './define-tool.js';
import { dreamTool } from './dream-tool.js';
import { forgetTool } from './forget-tool.js';
import { listTool } from './list-tool.js';
import type { MemoryToolApi } from './memory-tool-api.js';
import { recallTool } from './recall-tool.js';
import { rememberTool } from './remember-tool.js';
import { showTool } from './show-tool.js';
import { statusTool } from './status-tool.js';
import { taskFailTool, taskCompleteTool } from './task-outcome-tools.js';
import { taskBeginTool, taskNoteTool, taskObserveTool } from './task-tools.js';
import type { MemoryToolsOptions } from './tool-options.js';
import { verifyTool } from './verify-tool.js';

/** The names of the memory tools, in the order they are offered. */
export const MEMORY_TOOL_NAMES = [
  'recall',
  'show',
  'list',
  'task_begin',
  'task_note',
  'task_observe',
  'task_complete',
  'task_fail',
  'remember',
  'verify',
  'forget',
  'status',
  'dream',
] as const;
export type MemoryToolName = (typeof MEMORY_TOOL_NAMES)[number];

/**
 * The memory tools over one memory, defined once for every surface (MCP server, AI SDK,
 * agent runtime): same names, schemas and model-facing descriptions everywhere.
 */
export function memoryTools(api: MemoryToolApi, options: MemoryToolsOptions): ToolDefinition[] {
  return [
    recallTool(api),
    showTool(api),
    listTool(api),
    taskBeginTool(api, options),
    taskNoteTool(api, options),
    taskObserveTool(api),
    taskCompleteTool(api),
    taskFailTool(api),
    rememberTool(api, options),
    verifyTool(api),
    forgetTool(api, options),
    statusTool(api),
    dreamTool(api),
  ];
}
