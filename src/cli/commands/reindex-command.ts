import type { Command } from 'commander';
import { EXIT } from '../output.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';

export function registerReindex(program: Command, context: CommandContext): void {
  rootOptions(program.command('reindex'))
    .description('rebuild .state/search.db from the files (deleting .state/ loses no memory)')
    .option('--embeddings', 'also embed every topic and transcript turn again with the configured embedder (progress on stderr)')
    .option('--json', 'print the report as JSON')
    .action(async (options: RootOptions & { json?: boolean; embeddings?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const started = Date.now();
        if (!options.json) context.out.note('Rebuilding the search index from the files…');
        let lastShown = -1;
        const report = await memory.reindex({
          ...(options.embeddings
            ? {
                embeddings: true,
                onProgress: (done: number, total: number) => {
                  // One line per tenth (and the last), on stderr, with or without --json.
                  const tenth = Math.floor((done / Math.max(1, total)) * 10);
                  if (tenth === lastShown && done !== total) return;
                  lastShown = tenth;
                  context.out.note(`embedded ${done}/${total}`);
                },
              }
            : {}),
        });
        const failed = report.embeddings?.failed;
        if (failed !== undefined) context.exitCode = EXIT.failed;
        if (options.json) return context.out.json(report);
        context.out.line(
          `Indexed ${report.topicsAdded} topic(s) and ${report.turnsAdded} transcript turn(s) in ${Date.now() - started} ms.`,
        );
        if (report.embeddings) {
          context.out.line(`Embedded ${report.embeddings.embedded} item(s); ${report.embeddings.queued} still queued.`);
          if (failed !== undefined)
            context.out.warn(`the embedder failed: ${failed}; what is left stays queued (run mnemo reindex --embeddings again).`);
        }
        if (report.verifiedMoved !== undefined) {
          context.out.line(
            `Moved the check times of ${report.verifiedMoved.length} topic file(s) into .state/verdicts/ (the files no longer carry them): ${report.verifiedMoved.join(', ')}.`,
          );
        }
        for (const problem of report.problems) context.out.warn(`${problem.file}: ${problem.message}`);
      });
    });
}
