import { McpServer } from '@modelcontextprotocol/server';
import { registerMemoryPrompts } from './memory-prompts.js';
import { registerMemoryResources } from './memory-resources.js';
import type { McpServerParts } from './server-parts.js';

/** Told to every client at connect time; hosts put it in the model's system prompt. */
export const SERVER_INSTRUCTIONS = [
  "mnemo is this project's long-term memory. Call recall before relying on what you believe about the project, the user's preferences or past errors; read each memory's caveats and treat memories as hints to confirm.",
  'To learn something durable: task_begin (with a verification command when there is one), task_note what you learn, task_observe errors, then task_complete; only verified tasks reach memory.',
  'Use remember only for what the user stated. Never store secrets.',
].join(' ');

/**
 * A fresh MCP server instance over a shared memory: the memory tools (as tool results, never
 * protocol errors), the index and topics as resources, and the prompts. Cheap: the HTTP entry
 * builds one per request.
 */
export function buildMcpServer(parts: McpServerParts): McpServer {
  const server = new McpServer(
    { name: 'mnemo', version: parts.version },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions: SERVER_INSTRUCTIONS },
  );
  for (const tool of parts.tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        annotations: {
          title: tool.title,
          readOnlyHint: tool.hints.readOnly,
          destructiveHint: tool.hints.destructive,
          idempotentHint: tool.hints.idempotent,
          openWorldHint: tool.hints.openWorld,
        },
      },
      async (input: unknown) => {
        // Not cancelled with the request: a write that started finishes, even if the client left.
        const outcome = await parts.inFlight.track(() => tool.run(input, { logger: parts.logger }));
        return outcome.ok
          ? { content: [{ type: 'text' as const, text: outcome.text }], structuredContent: outcome.data }
          : { content: [{ type: 'text' as const, text: outcome.text }], isError: true };
      },
    );
  }
  registerMemoryResources(server, parts);
  registerMemoryPrompts(server);
  return server;
}
