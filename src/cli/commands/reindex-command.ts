import type { Command } from 'commander';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';

export function registerReindex(program: Command, context: CommandContext): void {
  rootOptions(program.command('reindex'))
    .description('rebuild .state/search.db from the files (deleting .state/ loses no memory)')
    .option('--json', 'print the report as JSON')
    .action(async (options: RootOptions & { json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const started = Date.now();
        if (!options.json) context.out.note('Rebuilding the search index from the files…');
        const report = await memory.reindex();
        if (options.json) return context.out.json(report);
        context.out.line(
          `Indexed ${report.topicsAdded} topic(s) and ${report.turnsAdded} transcript turn(s) in ${Date.now() - started} ms.`,
        );
        for (const problem of report.problems) context.out.warn(`${problem.file}: ${problem.message}`);
      });
    });
}
