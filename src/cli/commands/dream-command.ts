import type { Command } from 'commander';
import type { DreamOutcome, DreamStatus } from '../../dream/index.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT, type Output } from '../output.js';
import { reportIndex } from './remember-command.js';

interface DreamFlags extends RootOptions {
  propose?: boolean;
  ifDue?: boolean;
  json?: boolean;
}

function printApplied(out: Output, outcome: Extract<DreamOutcome, { status: 'applied' }>): void {
  const changes = Object.entries(outcome.counts)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  out.line(`Dream ${outcome.id} applied: ${changes || 'nothing to change'}.`);
  for (const action of outcome.actions.filter((item) => item.kind !== 'verify'))
    out.line(`  ${action.kind} ${action.slug}: ${action.reason}`);
  for (const held of outcome.heldRetirements) out.line(`  held for a person: ${held.slug}: ${held.reason}`);
  if (outcome.skipped.length > 0) out.line(`  left alone (changed while dreaming): ${outcome.skipped.join(', ')}`);
  out.line(
    `Index: ${outcome.index.entries} entries, ${outcome.index.lines}/${outcome.index.maxLines} lines, ${outcome.index.bytes}/${outcome.index.maxBytes} bytes${outcome.index.omitted.length ? `; left out: ${outcome.index.omitted.map((entry) => entry.slug).join(', ')}` : ''}.`,
  );
  if (outcome.tombstonesPruned.length > 0)
    out.line(`Pruned ${outcome.tombstonesPruned.length} old tombstone(s) (copies in .state/trash/tombstones/).`);
  out.line(`Report: ${outcome.reportPath}`);
  if (outcome.snapshot) out.line(`Undo with: mnemo dream rollback ${outcome.id}`);
  reportIndex(out, outcome.index);
}

function printStatus(out: Output, status: DreamStatus): void {
  out.line(status.text);
  if (status.history.length > 1) {
    out.line('recent dreams:');
    for (const dream of status.history) {
      const counts = Object.entries(dream.counts)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ');
      out.line(`  ${dream.id}  ${dream.status}  ${counts || 'no changes'}`);
    }
  }
}

/** `mnemo dream`, `mnemo dream status`, `mnemo dream rollback [id]`, and the due hint after other commands. */
export function registerDream(program: Command, context: CommandContext): void {
  const dream = rootOptions(program.command('dream'))
    .description('consolidate the memory now: merge, settle conflicts, lessons, re-check, retire, re-index (--propose changes nothing)')
    .option('--propose', 'compute everything and print the plan as a diff; change nothing')
    .option('--if-due', 'dream only when due (idle or enough sessions) and no other dream runs; otherwise exit 0 quietly')
    .option('--json', 'print the outcome as JSON (no progress)')
    .action(async (options: DreamFlags) => {
      await withMemory(context, options, async (memory) => {
        const progress = context.io.isTty && !options.json ? (message: string) => context.out.note(message) : undefined;
        const outcome = await memory.dream({
          ...(options.propose ? { propose: true } : {}),
          ...(options.ifDue ? { ifDue: true } : {}),
          ...(progress ? { onProgress: progress } : {}),
        });
        if (options.json) return context.out.json(outcome);
        if (outcome.status === 'not-due' || outcome.status === 'busy') {
          if (context.io.isTty) context.out.note(outcome.text);
          return;
        }
        if (outcome.status === 'proposed') return context.out.line(outcome.text.trimEnd());
        printApplied(context.out, outcome);
      });
    });
  rootOptions(dream.command('status'))
    .description('when the last dream ran, what it did, whether one is due and why')
    .option('--json', 'print the status as JSON')
    .action(async (_options: unknown, command: Command) => {
      // `--dir` may be given before or after `status`; the parent command parses it then.
      const options = command.optsWithGlobals<RootOptions & { json?: boolean }>();
      await withMemory(context, options, async (memory) => {
        const status = await memory.dreamStatus();
        if (options.json) return context.out.json(status);
        printStatus(context.out, status);
      });
    });
  rootOptions(dream.command('rollback'))
    .description('restore the memory exactly as it was before a dream (default: the last one); refused if its topics changed since')
    .argument('[id]', 'the dream to roll back (see mnemo dream status)')
    .option('--force', 'restore even over topics changed since the dream (their current versions go to the trash)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string | undefined, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<RootOptions & { force?: boolean; json?: boolean }>();
      await withMemory(context, options, async (memory) => {
        const result = await memory.rollbackDream(id, options.force ? { force: true } : {});
        if (options.json) return context.out.json(result);
        context.out.line(result.text);
        reportIndex(context.out, result.index);
      });
    });
  // Every other command checks the trigger cheaply and hints on a terminal; running it is for hooks and the daemon.
  program.hook('postAction', async (_program, action) => {
    const flags = action.opts<RootOptions & { json?: boolean }>();
    if (!context.io.isTty || flags.json || context.exitCode !== EXIT.ok) return;
    if (action.name() === 'dream' || action.parent?.name() === 'dream' || action.name() === 'init') return;
    const { checkDreamDueFor } = await import('../../app/index.js');
    const due = await checkDreamDueFor({
      ...(flags.dir === undefined ? {} : { dir: flags.dir }),
      cwd: context.io.cwd,
      ...(context.io.env ? { env: context.io.env } : {}),
    });
    if (due?.due)
      context.out.note(
        context.out.dim(`hint: a dream is due (${due.reasons.join('; ')}); run \`mnemo dream\` or \`mnemo dream --propose\``),
      );
  });
}
