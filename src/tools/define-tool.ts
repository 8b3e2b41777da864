import type { z } from 'zod';
import { MnemoError, describeError, type Logger } from '../shared/index.js';

/** Hints to a client about what a tool does (MCP tool annotations); they never change how it runs. */
export interface ToolHints {
  readOnly: boolean;
  /** It may remove or replace what is there (forget). */
  destructive: boolean;
  /** Calling it twice with the same input has no further effect. */
  idempotent: boolean;
  /** It reaches beyond the memory: runs a command, reads the workspace. */
  openWorld: boolean;
}

/** What a tool call came to: a text the model reads and the same result as data; or an error it can act on. */
export type ToolOutcome =
  | { ok: true; text: string; data: Record<string, unknown> }
  | { ok: false; text: string; error: { code: string; message: string; hint?: string } };

/** Per call: cancellation from the client, and a logger for failures nobody expected. */
export interface ToolCallContext {
  signal?: AbortSignal;
  logger?: Logger;
}

/** What a tool author writes: `execute` returns the result or throws a MnemoError with a hint. */
export interface ToolSpec<Schema extends z.ZodObject> {
  /** Stable, model-facing: letters, digits and `_` (valid for MCP, OpenAI and Anthropic alike). */
  name: string;
  title: string;
  /** Model-facing text, kept in the sibling `<name>.md` file. */
  description: string;
  inputSchema: Schema;
  hints: ToolHints;
  execute(input: z.output<Schema>, context: ToolCallContext): Promise<{ text: string; data: Record<string, unknown> }>;
}

/** A tool as every surface (MCP, the AI SDK, the agent runtime) registers it. */
export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: z.ZodObject;
  readonly hints: ToolHints;
  /**
   * Validate the input and run the tool. Never throws: bad input, a refused write or an
   * unexpected failure all come back as `{ ok: false }` with a message the model can act on.
   */
  run(input: unknown, context?: ToolCallContext): Promise<ToolOutcome>;
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
}

/** An error as a tool result: what was wrong, then what to do. */
export function errorOutcome(error: unknown, logger?: Logger): ToolOutcome {
  if (error instanceof MnemoError) {
    return {
      ok: false,
      text: `Error: ${error.message}${error.hint ? `\nWhat to do: ${error.hint}` : ''}`,
      error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    };
  }
  logger?.error('tool failed unexpectedly', { error: describeError(error) });
  const message = `mnemo failed unexpectedly: ${describeError(error)}`;
  const hint = 'Nothing is known to have changed. Try again once; if it fails again, tell the user (details are in the mnemo log).';
  return { ok: false, text: `Error: ${message}\nWhat to do: ${hint}`, error: { code: 'internal', message, hint } };
}

/** Build a tool from its spec: input validated by the schema, every failure turned into a result. */
export function defineTool<Schema extends z.ZodObject>(spec: ToolSpec<Schema>): ToolDefinition {
  if (!TOOL_NAME.test(spec.name)) throw new Error(`Tool name ${JSON.stringify(spec.name)} is not valid for every client.`);
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: spec.inputSchema,
    hints: spec.hints,
    run: async (input, context = {}) => {
      const parsed = spec.inputSchema.safeParse(input ?? {});
      if (!parsed.success) {
        return errorOutcome(
          new MnemoError('invalid-input', `Invalid arguments for ${spec.name}: ${describeIssues(parsed.error.issues)}.`, {
            hint: 'Fix the named arguments (see the tool schema) and call it again; nothing was changed.',
          }),
        );
      }
      try {
        const result = await spec.execute(parsed.data, context);
        return { ok: true, text: result.text, data: result.data };
      } catch (error) {
        return errorOutcome(error, context.logger);
      }
    },
  };
}

/**
 * A value made on first use. The tools' zod schemas are built this way: when a tool is defined, not
 * when its module loads, so loading `app/` (every CLI command and hook does) builds none of them.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
