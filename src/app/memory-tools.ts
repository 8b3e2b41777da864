import type { Tool, ToolSet } from 'ai';
import { memoryTools, type MemoryToolApi, type MemoryToolName, type ToolOutcome } from '../tools/index.js';

/** Which memory tools `memory.tools()` hands out, and how. */
export interface AiToolsOptions {
  /** Only these tools (default: all of them). */
  only?: readonly MemoryToolName[];
  /** Put before every name, e.g. `memory_`, when the names would clash with your own tools. */
  prefix?: string;
  /** The session that tasks begun through these tools belong to (default: one per task). */
  session?: string;
}

/**
 * The memory tools in the Vercel AI SDK format (`generateText({ tools: memory.tools() })`):
 * the same names, schemas and descriptions as the MCP server. `execute` never throws: a failure
 * is a `{ ok: false }` result whose text (sent to the model as an error text) says what to do.
 * No runtime import of `ai`: an AI SDK tool is a plain object.
 */
export function aiSdkTools(api: MemoryToolApi, options: AiToolsOptions = {}): ToolSet {
  const tools: ToolSet = {};
  for (const definition of memoryTools(api, { origin: 'ai-sdk', session: options.session })) {
    if (options.only && !options.only.includes(definition.name as MemoryToolName)) continue;
    const entry: Tool<unknown, ToolOutcome> = {
      title: definition.title,
      description: definition.description,
      inputSchema: definition.inputSchema,
      execute: (input, { abortSignal }) => definition.run(input, abortSignal ? { signal: abortSignal } : {}),
      toModelOutput: ({ output }) => (output.ok ? { type: 'text', value: output.text } : { type: 'error-text', value: output.text }),
    };
    tools[`${options.prefix ?? ''}${definition.name}`] = entry;
  }
  return tools;
}
