import type { Command } from 'commander';
import { readAllStdin } from '../cli-io.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { describeRedactions } from '../output.js';

interface LogFlags extends RootOptions {
  session: string;
  kind: string;
  role?: string;
  speaker?: string;
  task?: string;
  json?: boolean;
}

export function registerLog(program: Command, context: CommandContext): void {
  rootOptions(program.command('log'))
    .description('append an event to a session transcript (layer 3); "-" reads the text from stdin')
    .argument('<text>', 'what happened')
    .requiredOption('--session <id>', 'session id, e.g. 2026-11-22-a1b2')
    .requiredOption('--kind <kind>', 'user, assistant, tool-call, tool-result, error, note, ...')
    .option('--role <role>', 'who produced it (user, assistant, tool)')
    .option('--speaker <name>', 'a speaker name')
    .option('--task <id>', 'the task it belongs to')
    .option('--json', 'print the written event as JSON')
    .action(async (text: string, options: LogFlags) => {
      const body = text === '-' ? await readAllStdin(context.io) : text;
      await withMemory(context, options, async (memory) => {
        const result = await memory.log(options.session, {
          kind: options.kind,
          text: body,
          ...(options.role === undefined ? {} : { role: options.role }),
          ...(options.speaker === undefined ? {} : { speaker: options.speaker }),
          ...(options.task === undefined ? {} : { task: options.task }),
        });
        if (options.json) return context.out.json(result);
        context.out.line(`Logged ${options.kind} to ${result.path}`);
        const redacted = describeRedactions(result.redacted);
        if (redacted !== undefined) context.out.warn(`guard: ${redacted}`);
        for (const cut of result.cut)
          context.out.warn(
            `the text was ${cut.bytes.toLocaleString('en-US')} bytes; a transcript keeps ${cut.kept.toLocaleString('en-US')}: its first and last ${cut.kept / 2048} KB were kept, the middle is marked as cut`,
          );
      });
    });
}
