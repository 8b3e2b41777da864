import type { Command } from 'commander';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { reportIndex } from './remember-command.js';

export function registerForget(program: Command, context: CommandContext): void {
  rootOptions(program.command('forget'))
    .description('move a topic to .state/trash/ (recoverable), remove its index line, write an audit line')
    .argument('<topic>', 'slug of the topic')
    .option('--reason <text>', 'why, for the audit line')
    .option('--json', 'print the result as JSON')
    .action(async (slug: string, options: RootOptions & { reason?: string; json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const result = await memory.forget(slug, options.reason === undefined ? {} : { reason: options.reason });
        if (options.json) return context.out.json(result);
        context.out.line(`Forgot ${result.slug}; a copy is kept at ${result.trashPath}`);
        if (result.tombstone)
          context.out.note(`${result.tombstone}: committed with the memory, it retires the topic on every clone after a pull.`);
        reportIndex(context.out, result.index);
      });
    });
}
