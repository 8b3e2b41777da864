/**
 * What the server says about itself at `initialize`, in a module that loads nothing: the stdio
 * entry answers `initialize` from it before the MCP SDK, the tools and the memory are loaded.
 */

/** Told to every client at connect time; hosts put it in the model's system prompt. */
export const SERVER_INSTRUCTIONS = [
  "mnemo is this project's long-term memory. Call recall before relying on what you believe about the project, the user's preferences or past errors; read each memory's caveats and treat memories as hints to confirm.",
  'To learn something durable: task_begin (with a verification command when there is one), task_note what you learn, task_observe errors, then task_complete; only verified tasks reach memory.',
  'Use remember only for what the user stated. Never store secrets.',
].join(' ');

export const SERVER_NAME = 'mnemo';

/**
 * The protocol versions the early answer is given for: each is one the SDK accepts and answers
 * with itself (`test/integration/mcp-early-initialize.test.ts` compares the early answer with the
 * SDK's own for each). A client asking for any other version waits for the SDK's answer.
 */
export const EARLY_PROTOCOL_VERSIONS: readonly string[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];

/** The `initialize` result the SDK gives for this server (tools, resources and prompts registered). */
export function initializeResult(version: string, protocolVersion: string): Record<string, unknown> {
  return {
    protocolVersion,
    capabilities: { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true } },
    serverInfo: { name: SERVER_NAME, version },
    instructions: SERVER_INSTRUCTIONS,
  };
}
