import type { Command } from 'commander';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';

export function registerStatus(program: Command, context: CommandContext): void {
  rootOptions(program.command('status'))
    .description('counts per type and status, index size against its budget, transcripts, last dream, open tasks')
    .option('--json', 'print the status as JSON')
    .action(async (options: RootOptions & { json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const status = await memory.status();
        if (options.json) return context.out.json(status);
        const { out } = context;
        const counts = (record: Record<string, number>) =>
          Object.entries(record)
            .filter(([, count]) => count > 0)
            .map(([key, count]) => `${key} ${count}`)
            .join(', ') || 'none';
        if (status.store) {
          out.line(`memory     ${status.store.database} (PostgreSQL)`);
          out.line(`copy       ${status.store.workingCopy} (this process's working copy, in the cache)`);
        } else out.line(`memory     ${status.root}`);
        out.line(`workspace  ${status.workspace}`);
        out.line(`writes     ${status.writes}`);
        out.line(
          `topics     ${status.topics.total} (${counts(status.topics.byType)}; ${counts(status.topics.byStatus)}${status.topics.unreadable ? `; ${status.topics.unreadable} unreadable` : ''})`,
        );
        out.line(
          `index      ${status.index.lines}/${status.index.maxLines} lines, ${status.index.bytes}/${status.index.maxBytes} bytes, ${status.index.entries} entries${status.index.omitted.length ? `, ${status.index.omitted.length} left out` : ''}${status.index.inSync ? '' : ` — out of date (${status.index.problems} problem(s)): run mnemo index`}`,
        );
        out.line(`sessions   ${status.transcripts.sessions} (${status.transcripts.turns} turns)`);
        if (status.embeddings)
          out.line(
            `embeddings ${status.embeddings.embedder}, ${status.embeddings.mode}: ${status.embeddings.embedded} embedded, ${status.embeddings.queued} queued${status.embeddings.lastError ? ` (last failure: ${status.embeddings.lastError})` : ''}`,
          );
        out.line(
          `guard      ${status.guard.redactions} secret(s) redacted, ${status.guard.quarantined} write(s) quarantined (${status.guard.held} held for review)${status.guard.withheld ? `, ${status.guard.withheld} hand-edited body(ies) withheld` : ''}${status.guard.transcriptFlagged ? `, ${status.guard.transcriptFlagged} transcript turn(s) flagged (mnemo quarantine list)` : ''}${status.guard.transcriptReviewed.approved + status.guard.transcriptReviewed.rejected > 0 ? `, ${status.guard.transcriptReviewed.approved} turn(s) approved and ${status.guard.transcriptReviewed.rejected} rejected in review` : ''}`,
        );
        out.line(`last dream ${status.lastDream ?? 'never'}`);
        out.line(`open tasks ${status.openTasks.length === 0 ? 'none' : ''}`);
        for (const task of status.openTasks)
          out.line(`  ${task.id} ${task.status}, ${task.notes} note(s), updated ${task.updated.slice(0, 16)}: ${task.goal}`);
        for (const problem of status.problems) out.warn(`${problem.file}: ${problem.message}`);
      });
    });
}
