import { spawn } from 'node:child_process';
import { z } from 'zod';
import { defineTool, type ToolCallContext, type ToolDefinition, lazy } from './define-tool.js';
import { toolDescription } from './tool-description.js';
import { excerpt, type WorkspaceToolsOptions } from './workspace-tool-options.js';

const MAX_TIMEOUT_MS = 600_000;
/** Output kept in memory for the transcript; beyond it only the tail is kept. */
const KEPT_BYTES = 4 * 1024 * 1024;

/** What one command came to. */
export interface CommandRun {
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  aborted: boolean;
  output: string;
}

/**
 * Run a command through /bin/sh in its own process group; the whole group is killed on timeout
 * or when the signal aborts (a shell's children too). Never rejects.
 */
export function runShellCommand(command: string, cwd: string, timeoutMs: number, signal?: AbortSignal): Promise<CommandRun> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let aborted = false;
    const child = spawn('/bin/sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > KEPT_BYTES) output = `[… earlier output left out …]\n${output.slice(-KEPT_BYTES)}`;
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const killGroup = (name: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, name);
      } catch {
        // already gone
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      const force = setTimeout(() => killGroup('SIGKILL'), 1000);
      force.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      output += `could not start: ${error.message}`;
    });
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? undefined, signal: killedBy ?? undefined, timedOut, aborted, output });
    });
  });
}

const bashSchema = lazy(() =>
  z
    .object({
      command: z.string().min(1).max(10_000).describe('A shell command, run with /bin/sh in the workspace root.'),
      timeout: z
        .number()
        .int()
        .min(1)
        .max(MAX_TIMEOUT_MS)
        .optional()
        .describe('Milliseconds before the command is killed (default 120000).'),
    })
    .strict(),
);

/**
 * `bash`: run a command in the workspace. The model sees the head and tail of its output within
 * the cap; the whole text goes to the transcript (`data.transcriptText`). A command that fails
 * is a result (`data.failed`), not a tool error.
 */
export function bashTool(options: WorkspaceToolsOptions): ToolDefinition {
  const cap = options.outputCapBytes ?? 16_384;
  return defineTool({
    name: 'bash',
    title: 'Run a shell command',
    description: toolDescription('bash'),
    inputSchema: bashSchema(),
    hints: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
    execute: async ({ command, timeout }, context: ToolCallContext) => {
      const limit = timeout ?? options.bashTimeoutMs ?? 120_000;
      const run = await runShellCommand(command, options.workspace, limit, context.signal);
      const shown = excerpt(run.output, cap);
      const status = run.aborted
        ? 'stopped: the run was interrupted'
        : run.timedOut
          ? `killed after ${limit} ms (timeout)`
          : run.exitCode === undefined
            ? `killed by ${run.signal ?? 'a signal'}`
            : `exit code ${run.exitCode}`;
      const failed = run.exitCode !== 0;
      return {
        text: `${shown.text.trimEnd() || '(no output)'}\n[${status}${shown.cut > 0 ? `; ${shown.cut} bytes of output left out here, kept in the transcript` : ''}]`,
        data: {
          command,
          exitCode: run.exitCode ?? null,
          timedOut: run.timedOut,
          aborted: run.aborted,
          failed,
          transcriptText: run.output,
        },
      };
    },
  });
}
