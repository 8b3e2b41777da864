import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { AgentSession, Memory } from '../../app/index.js';
import { withMemory, type CommandContext } from '../command-context.js';
import { EXIT } from '../output.js';
import { abortOnSigint, agentFor, agentOptions, type AgentFlags } from './run-command.js';
import { progressPrinter, reportRun } from './agent-progress.js';

const HELP = 'Type a message (end a line with \\ to continue it on the next). Commands: /memory, /compact, /tasks, /exit.';

async function showTasks(context: CommandContext, memory: Memory): Promise<void> {
  const tasks = await memory.tasks.list();
  if (tasks.length === 0) return context.out.line('No open tasks.');
  for (const task of tasks) context.out.line(`${task.id} ${task.status}, ${task.notes.length} note(s): ${task.goal}`);
}

export function registerChat(program: Command, context: CommandContext): void {
  agentOptions(program.command('chat'))
    .description('talk to the agent in the terminal (same engine as run); /memory, /compact, /tasks, /exit')
    .option('--verify <command>', 'run at /exit: its passing promotes what the session staged')
    .action(async (options: AgentFlags & { verify?: string }) => {
      const { io, out } = context;
      if (!io.stdin) return out.warn('mnemo chat needs an input stream.');
      await withMemory(context, options, async (memory) => {
        const interrupt = abortOnSigint();
        const agent = agentFor(memory, context, options);
        const onEvent = progressPrinter(io, out, { textTo: io.stdout });
        let session: AgentSession | undefined;
        let last: Awaited<ReturnType<AgentSession['send']>> | undefined;
        const lines = createInterface({ input: io.stdin!, terminal: false });
        const prompt = () => {
          if (io.isTty) io.stderr.write('> ');
        };
        out.note(HELP);
        prompt();
        let pending: string[] = [];
        try {
          for await (const raw of lines) {
            if (raw.endsWith('\\')) {
              pending.push(raw.slice(0, -1));
              continue;
            }
            const text = [...pending, raw].join('\n').trim();
            pending = [];
            if (text === '') {
              prompt();
              continue;
            }
            if (text === '/exit' || text === '/quit') break;
            if (text === '/memory') out.line((await memory.indexText()).trimEnd() || '(the memory is empty)');
            else if (text === '/tasks') await showTasks(context, memory);
            else if (text === '/compact') {
              if (!session) out.line('Nothing to compact yet.');
              else {
                const before = await session.contextTokens();
                const ok = await session.compact();
                out.line(ok ? `Compacted: ${before} → ${await session.contextTokens()} tokens.` : 'Nothing was compacted (too little history).');
              }
            } else if (text.startsWith('/')) out.line(`Unknown command ${text.split(/\s/)[0]}. ${HELP}`);
            else {
              session ??= await agent.open(text, { ...(options.verify ? { verify: options.verify } : {}), signal: interrupt.signal, onEvent });
              last = await session.send(text);
              if (last.outcome !== 'completed') out.warn(`${last.error?.message ?? last.outcome}`);
              if (last.outcome === 'stopped') break;
            }
            prompt();
          }
        } finally {
          lines.close();
          interrupt.release();
        }
        if (session && last) {
          const result = await session.finish(last);
          if (result.outcome === 'verification-failed') context.exitCode = EXIT.checkFailed;
          reportRun(out, result);
        }
      });
    });
}
