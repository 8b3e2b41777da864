import { Option, type Command } from 'commander';
import type { TranscriptFormat } from '../../importers/index.js';
import { TRANSCRIPT_FORMAT_CHOICES as TRANSCRIPT_FORMATS } from '../flag-choices.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT } from '../output.js';

export function registerSession(program: Command, context: CommandContext): void {
  const session = program.command('session').description('work with session transcripts');
  rootOptions(session.command('import'))
    .description(
      'import a JSONL file of events ({"kind","text","time"?,"session"?} per line) into transcripts; --from claude-code reads a Claude Code session transcript',
    )
    .argument('<file>', 'the .jsonl file')
    .option('--session <id>', 'session for lines that name none (default: a new one; for Claude Code: its session id)')
    .addOption(new Option('--from <format>', "the file's format").choices(TRANSCRIPT_FORMATS).default('mnemo'))
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: RootOptions & { session?: string; from: TranscriptFormat; json?: boolean }) => {
      await withMemory(context, options, async (memory) => {
        const result = await memory.importSession(file, {
          ...(options.session === undefined ? {} : { session: options.session }),
          from: options.from,
        });
        // partial success is success; bad input only when no line could be read
        if (result.imported === 0 && result.skipped.length > 0) context.exitCode = EXIT.usage;
        if (options.json) return context.out.json(result);
        context.out.line(
          `Imported ${result.imported} event(s) into ${result.sessions.length} session(s): ${result.sessions.join(', ') || '-'}` +
            (result.skipped.length > 0 ? `; skipped ${result.skipped.length} line(s)` : ''),
        );
        for (const skipped of result.skipped) context.out.warn(`${file}:${skipped.line}: skipped: ${skipped.message}`);
        for (const warning of result.warnings) context.out.warn(`${file}:${warning.line}: ${warning.message}`);
        if (result.partial)
          context.out.note(`${file}:${result.partial.line}: the last line is not complete yet (a session still being written); left out.`);
      });
    });
}
