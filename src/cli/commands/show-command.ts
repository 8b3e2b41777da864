import type { Command } from 'commander';
import { MnemoError } from '../../shared/index.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';

export function registerShow(program: Command, context: CommandContext): void {
  rootOptions(program.command('show'))
    .description('print one topic file (by slug or id) and any problems found in it')
    .argument('<topic>', 'slug (file name without .md) or id')
    .option('--json', 'print the topic as JSON')
    .action(async (reference: string, options: RootOptions & { json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const result = await memory.show(reference);
        if (!result.found) throw new MnemoError('not-found', result.message);
        if (options.json) {
          const { ...data } = result;
          return context.out.json(data);
        }
        if ('unreadable' in result) {
          throw new MnemoError('invalid-input', `${result.path} cannot be read: ${result.unreadable}.`, {
            hint: 'Fix the file by hand; mnemo did not change it.',
          });
        }
        context.out.line(result.text.trimEnd());
        if (result.verified !== undefined) {
          context.out.line('');
          context.out.line(`Last verified: ${result.verified}`);
        }
        if (result.checks.length > 0) {
          context.out.line('');
          context.out.line('Last checks:');
          for (const check of [...result.checks].reverse()) context.out.line(`  ${check.time}  ${check.status}: ${check.summary}`);
        }
        for (const problem of result.problems) context.out.warn(`${result.slug}.md: ${problem}`);
      });
    });
}
