import type { Command } from 'commander';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT } from '../output.js';

export function registerDoctor(program: Command, context: CommandContext): void {
  rootOptions(program.command('doctor'))
    .description(
      'find files changed outside mnemo (re-scanned by the guard), unreadable topics and index problems; with --fix repair what is safe, without it only say what would change (exit 1 when something needs it)',
    )
    .option('--accept <topics...>', 'vouch for the current content of these hand-edited topics')
    .option('--accept-all', 'vouch for every hand edit listed')
    .option('--fix', 'make the repairs (index, stale locks, stray temp files); without it nothing is changed')
    .option('--json', 'print the report as JSON')
    .action(async (options: RootOptions & { accept?: string[]; acceptAll?: boolean; fix?: boolean; json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const accept = options.acceptAll ? { accept: true as const } : options.accept ? { accept: options.accept } : {};
        const report = await memory.doctor({ ...accept, fix: options.fix === true });
        if (!report.ok) context.exitCode = EXIT.checkFailed;
        if (options.json) return context.out.json(report);
        const { out } = context;
        for (const edit of report.handEdits) {
          const what =
            edit.status === 'changed'
              ? 'changed outside mnemo'
              : edit.status === 'unrecorded'
                ? 'not written by mnemo'
                : 'deleted outside mnemo';
          out.line(`${edit.file}: ${what}${edit.accepted ? ' (accepted)' : ''}${edit.repaired ? ' (rendered again from the topics)' : ''}`);
          if (edit.keptAt) out.line(`  the hand-edited copy is kept at ${edit.keptAt}`);
          for (const finding of edit.findings) out.line(`  guard: ${finding.rule} (${finding.severity}): ${finding.message}`);
        }
        const conflicted = new Set(report.git.conflicts.map((conflict) => conflict.file));
        for (const file of report.unreadable) if (!conflicted.has(file.file)) out.line(`${file.file}: unreadable: ${file.error}`);
        for (const conflict of report.git.conflicts) {
          out.line(
            `${conflict.file}: git merge conflict (line ${conflict.line}, ${conflict.blocks} block(s)); never given to an agent until resolved`,
          );
          out.line(`  ${conflict.ours.label}: ${conflict.ours.summary}`);
          out.line(`  ${conflict.theirs.label}: ${conflict.theirs.summary}`);
          out.line(`  to resolve: ${conflict.resolve}`);
        }
        for (const slug of report.git.tombstones.retired)
          out.line(`retired ${slug}.md: a tombstone from another clone says it was retired`);
        if (report.fixed)
          for (const { file } of report.git.tombstones.old.pruned)
            out.line(`pruned tombstones/${file} (old; a copy is in .state/trash/tombstones/)`);
        for (const { file, reason } of report.git.tombstones.old.kept) out.line(`kept tombstones/${file} though old: ${reason}`);
        for (const problem of report.index.problems) out.line(`MEMORY.md: ${problem.message}`);
        if (report.index.problems.length > 0 && report.fixed)
          out.line(report.index.repaired ? 'MEMORY.md: repaired.' : 'MEMORY.md: still disagrees with the topics.');
        if (report.fixed) {
          for (const lock of report.staleLocksRemoved) out.line(`removed ${lock}: its process is gone`);
          for (const file of report.strayFilesMoved) out.line(`moved ${file} (a temp file left by a crash) to .state/trash/`);
        }
        for (const change of report.wouldChange) out.line(`would ${change}`);
        if (report.wouldChange.length > 0) out.note('Nothing was changed; run `mnemo doctor --fix` to make these repairs.');
        for (const turn of report.transcriptFindings) {
          out.line(
            `sessions/${turn.file} line ${turn.line} (${turn.id}): guard: ${turn.severity} ${turn.rules.join(', ')}${turn.withheld ? '; withheld from recall' : '; fenced and flagged in recall'}${turn.review ? ` (${turn.review.decision} by ${turn.review.by})` : ''}`,
          );
        }
        if (report.transcriptFindings.length > 0)
          out.note(
            'Review flagged transcript turns with `mnemo quarantine show <session>#<line>`, then `mnemo quarantine approve` or `reject` it.',
          );
        if (report.ok) out.line('The memory is healthy.');
        else if (report.handEdits.some((edit) => !edit.accepted && edit.findings.length > 0)) {
          out.note('Review the files the guard flagged; `mnemo doctor --accept <slug>` vouches for one, `mnemo forget <slug>` retires it.');
        }
      });
    });
}
