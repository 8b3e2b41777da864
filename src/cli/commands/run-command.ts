import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { AgentRunResult, Memory } from '../../app/index.js';
import type { CliIo } from '../cli-io.js';
import { collect, positiveInt, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { exitCodeForRun, progressPrinter, reportRun } from './agent-progress.js';

export interface AgentFlags extends RootOptions {
  maxSteps?: number;
  maxTokens?: number;
  allow?: string[];
  yes?: boolean;
  model?: string;
}

/** Asks y/N on the terminal; undefined when stdin is not one (then `ask` is denied). */
export function terminalPrompt(io: CliIo): ((question: { toolName: string; subject: string; reason: string }) => Promise<boolean>) | undefined {
  const stdin = io.stdin;
  if (!stdin || !('isTTY' in stdin) || stdin.isTTY !== true || !io.isTty) return undefined;
  return async ({ toolName, subject }) => {
    const readline = createInterface({ input: stdin, output: io.stderr as NodeJS.WritableStream });
    try {
      const answer = await readline.question(`Allow ${toolName}: ${subject}? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      readline.close();
    }
  };
}

/** The agent of one command, from the shared flags. */
export function agentFor(memory: Memory, context: CommandContext, options: AgentFlags) {
  const prompt = terminalPrompt(context.io);
  return memory.agent({
    ...(options.model === undefined ? {} : { model: options.model }),
    permissions: { allow: options.allow ?? [], ...(options.yes ? { yes: true } : {}), ...(prompt ? { prompt } : {}) },
    limits: {
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    },
  });
}

/** The flags `run` and `chat` share. */
export function agentOptions(command: Command): Command {
  return rootOptions(command)
    .option('--max-steps <n>', 'most model requests (default: agent.maxSteps, 200)', positiveInt('--max-steps'))
    .option('--max-tokens <n>', 'stop after this many tokens (input + output, all steps)', positiveInt('--max-tokens'))
    .option('--allow <rule>', "run without asking: a tool, or tool(pattern) like 'bash(npm test*)' or 'write(src/**)' (repeatable)", collect)
    .option('--yes', 'allow what would be asked (destructive commands still need an --allow rule)')
    .option('--model <provider:id>', 'the model, over the config: anthropic:…, openai:…, openai-compatible:…, ollama:…');
}

/**
 * Ctrl-C aborts the run (a second one ends the process). The handler goes after the signal has
 * been handled (see `untilSignal`: signal-exit, during an atomic write, would end the process).
 */
export function abortOnSigint(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const stop = () => {
    setImmediate(() => process.off('SIGINT', stop));
    controller.abort();
  };
  process.on('SIGINT', stop);
  return { signal: controller.signal, release: () => process.off('SIGINT', stop) };
}

function jsonResult(result: AgentRunResult): object {
  return {
    outcome: result.outcome,
    answer: result.answer,
    task: result.task,
    session: result.session,
    steps: result.steps.length,
    usage: result.usage,
    verification: result.verification ?? null,
    promoted: result.promoted,
    filesTouched: result.filesTouched,
    subAgents: result.subAgents,
    error: result.error ?? null,
  };
}

export function registerRun(program: Command, context: CommandContext): void {
  agentOptions(program.command('run'))
    .description('run a task with the agent in the workspace; --verify decides whether what it learned is promoted')
    .argument('<task>', 'what the agent should do')
    .option('--verify <command>', 'shell command run at the end; exit 0 means done (only then are notes promoted)')
    .option('--json', 'print the result as one JSON object')
    .action(async (task: string, options: AgentFlags & { verify?: string; json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const interrupt = abortOnSigint();
        try {
          const result = await agentFor(memory, context, options).run(task, {
            ...(options.verify === undefined ? {} : { verify: options.verify }),
            signal: interrupt.signal,
            onEvent: progressPrinter(context.io, context.out),
          });
          context.exitCode = exitCodeForRun(result);
          if (options.json) context.out.json(jsonResult(result));
          else if (result.answer.trim() !== '') context.out.line(result.answer.trim());
          reportRun(context.out, result);
        } finally {
          interrupt.release();
        }
      });
    });
}
