import type { Command } from 'commander';
import type { QuarantineItem } from '../../discipline/index.js';
import { MnemoError } from '../../shared/index.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { formatTable, type Output } from '../output.js';
import { reportIndex } from './remember-command.js';

interface JsonFlag extends RootOptions {
  json?: boolean;
}

function printItem(out: Output, item: QuarantineItem): void {
  const { candidate } = item;
  out.line(`id        ${item.id} (${item.status})`);
  out.line(`held      ${item.time}${item.task ? ` from task ${item.task}` : ''}${item.dream ? ` by dream ${item.dream}` : ''}`);
  out.line(
    `source    ${candidate.source.kind}${candidate.source.origin ? ` (${candidate.source.origin})` : ''}, ${candidate.source.trust}`,
  );
  out.line(`why       ${item.reasons.join('; ')}`);
  for (const finding of item.findings) out.line(`  - ${finding.field}: ${finding.rule} (${finding.severity}): ${finding.excerpt}`);
  out.line(`topic     ${candidate.name} [${candidate.type}]: ${candidate.description}`);
  out.line('---');
  // Shown as text for review only; it is never loaded into an agent's context from here.
  out.line(candidate.body.trimEnd());
  if (item.decided)
    out.line(`--- ${item.status} by ${item.decided.by} at ${item.decided.time}${item.decided.note ? `: ${item.decided.note}` : ''}`);
}

export function registerQuarantine(program: Command, context: CommandContext): void {
  const quarantine = program
    .command('quarantine')
    .description('writes the guard held (untrusted content that tripped its scan, feedback from untrusted sources): review them');

  rootOptions(quarantine.command('list'))
    .description('held writes (with --all, approved and rejected ones too), then transcript turns the guard flagged')
    .option('--all', 'include decided items')
    .option('--transcripts', 'only the flagged transcript turns (with --json: as JSON)')
    .option('--json', 'print the items as JSON')
    .action(async (options: JsonFlag & { all?: boolean; transcripts?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        if (options.transcripts && options.json) return context.out.json(await memory.quarantine.transcripts());
        const items = options.transcripts ? [] : await memory.quarantine.list({ all: options.all === true });
        if (options.json) return context.out.json(items);
        const turns = await memory.quarantine.transcripts();
        if (turns.length > 0) {
          // ids, kinds and rules only: never the payload
          const rows = turns.map((turn) => [
            turn.id,
            turn.review ? `${turn.withheld ? 'withheld' : 'fenced'} (${turn.review.decision})` : turn.withheld ? 'withheld' : 'flagged',
            turn.kind,
            turn.time.slice(0, 16),
            `${turn.severity}: ${turn.rules.join(', ')}`,
          ]);
          for (const line of formatTable([['TURN', 'RECALL', 'KIND', 'LOGGED', 'GUARD'], ...rows])) context.out.line(line);
          if (items.length > 0) context.out.line('');
        }
        if (items.length === 0) {
          if (turns.length === 0) context.out.note(options.all ? 'Quarantine is empty.' : 'Nothing is held.');
          return;
        }
        const rows = items.map((item) => [
          item.id,
          item.status,
          item.candidate.source.kind,
          item.time.slice(0, 16),
          item.candidate.name,
          item.reasons.join('; '),
        ]);
        for (const line of formatTable([['ID', 'STATUS', 'SOURCE', 'HELD', 'TOPIC', 'WHY'], ...rows])) context.out.line(line);
      });
    });

  rootOptions(quarantine.command('show'))
    .description('one held write: why it was held, what the scan found, and its content (for review)')
    .argument('<id>', 'quarantine id, or a flagged transcript turn as <session>#<line>')
    .option('--json', 'print the item as JSON')
    .action(async (id: string, options: JsonFlag) => {
      await withMemory(context, options, async (memory) => {
        if (id.includes('#')) {
          const turn = await memory.quarantine.showTurn(id);
          if (!turn) throw new MnemoError('not-found', `No transcript turn ${id}.`, { hint: 'See `mnemo quarantine list --transcripts`.' });
          if (options.json) return context.out.json(turn);
          const { out } = context;
          out.line(`turn      ${turn.id} (sessions/${turn.file}, line ${turn.line})`);
          out.line(`logged    ${turn.time}, kind ${turn.kind}`);
          out.line(`guard     ${turn.severity}${turn.withheld ? ': withheld from recall' : ': fenced and flagged in recall'}`);
          if (turn.review)
            out.line(
              `review    ${turn.review.decision} by ${turn.review.by} at ${turn.review.time}${turn.review.note ? `: ${turn.review.note}` : ''}`,
            );
          for (const finding of turn.findings) out.line(`  - ${finding.rule} (${finding.family}, ${finding.severity})`);
          out.line('---');
          // Shown as text for review only; it is never loaded into an agent's context from here.
          out.line(turn.text.trimEnd());
          return;
        }
        const item = await memory.quarantine.show(id);
        if (options.json) return context.out.json(item);
        printItem(context.out, item);
      });
    });

  rootOptions(quarantine.command('approve'))
    .description(
      'vouch for a held write: the guard runs again, then it is written to memory with you as voucher; or for a flagged transcript turn (<session>#<line>): recall returns it fenced and flagged instead of withheld',
    )
    .argument('<id>', 'quarantine id, or a flagged transcript turn as <session>#<line>')
    .option('--note <text>', 'why (transcript turns), kept in the review and the audit trail')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: JsonFlag & { note?: string }) => {
      await withMemory(context, options, async (memory) => {
        if (id.includes('#')) {
          const turn = await memory.quarantine.approveTurn(id, options.note);
          if (options.json) return context.out.json(turn);
          context.out.line(`Approved ${id}: recall returns it fenced as data and flagged (${turn.rules.join(', ')}), no longer withheld.`);
          return;
        }
        const result = await memory.quarantine.approve(id);
        if (options.json) return context.out.json(result);
        for (const warning of result.warnings) context.out.warn(`guard: ${warning}`);
        context.out.line(`Approved ${id}: written as ${result.written.slug} (${result.written.path}).`);
        reportIndex(context.out, result.written.index);
      });
    });

  rootOptions(quarantine.command('reject'))
    .description(
      'refuse a held write: it never reaches memory (kept under .state/quarantine/rejected/); or a flagged transcript turn (<session>#<line>): recall withholds it',
    )
    .argument('<id>', 'quarantine id, or a flagged transcript turn as <session>#<line>')
    .option('--note <text>', 'why, kept with the item (for a turn: in the review and the audit trail)')
    .option('--json', 'print the item as JSON')
    .action(async (id: string, options: JsonFlag & { note?: string }) => {
      await withMemory(context, options, async (memory) => {
        if (id.includes('#')) {
          const turn = await memory.quarantine.rejectTurn(id, options.note);
          if (options.json) return context.out.json(turn);
          context.out.line(`Rejected ${id}: recall withholds it; the transcript keeps it for the record.`);
          return;
        }
        const item = await memory.quarantine.reject(id, options.note);
        if (options.json) return context.out.json(item);
        context.out.line(`Rejected ${id}; it stays out of memory.`);
      });
    });
}
