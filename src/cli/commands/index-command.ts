import type { Command } from 'commander';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT } from '../output.js';
import { reportIndex } from './remember-command.js';

export function registerIndex(program: Command, context: CommandContext): void {
  rootOptions(program.command('index'))
    .description('re-render MEMORY.md from the topics within its budget; --check only compares (exit 1 when they disagree)')
    .option('--check', 'do not write; exit 1 when MEMORY.md and the topics disagree')
    .option('--json', 'print the report as JSON')
    .action(async (options: RootOptions & { check?: boolean; json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        if (options.check) {
          const check = await memory.checkIndex();
          if (!check.ok) context.exitCode = EXIT.checkFailed;
          if (options.json) return context.out.json(check);
          if (check.ok)
            context.out.line(
              `MEMORY.md agrees with the topics (${check.report.entries} entries, ${check.report.lines}/${check.report.maxLines} lines, ${check.report.bytes}/${check.report.maxBytes} bytes).`,
            );
          for (const problem of check.problems) context.out.line(`${problem.kind}: ${problem.message}`);
          if (!check.ok) context.out.note('Run `mnemo index` to re-render MEMORY.md from the topics.');
          reportIndex(context.out, check.report);
          return;
        }
        const report = await memory.renderIndex();
        if (options.json) return context.out.json(report);
        context.out.line(
          `Wrote MEMORY.md: ${report.entries} entries, ${report.lines}/${report.maxLines} lines, ${report.bytes}/${report.maxBytes} bytes.`,
        );
        reportIndex(context.out, report);
      });
    });
}
