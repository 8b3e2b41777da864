import { McpServer } from '@modelcontextprotocol/server';
import { registerMemoryPrompts } from './memory-prompts.js';
import { registerMemoryResources } from './memory-resources.js';
import type { McpServerParts } from './server-parts.js';
import { SERVER_INSTRUCTIONS, SERVER_NAME } from './server-info.js';

export { SERVER_INSTRUCTIONS };

/**
 * A fresh MCP server instance over a shared memory: the memory tools (as tool results, never
 * protocol errors), the index and topics as resources, and the prompts. Cheap: the HTTP entry
 * builds one per request.
 */
export function buildMcpServer(parts: McpServerParts): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: parts.version },
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
