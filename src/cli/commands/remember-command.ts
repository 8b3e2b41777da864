import type { Command } from 'commander';
import { MnemoError } from '../../shared/index.js';
import { readAllStdin } from '../cli-io.js';
import { collect, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { parseEvidenceFlags } from '../evidence-flags.js';
import type { IndexReport, Provenance } from '../../discipline/index.js';
import type { SourceKind } from '../../store/index.js';
import { SOURCE_KIND_CHOICES as SOURCE_KINDS } from '../flag-choices.js';
import { EXIT, describeRedactions, type Output } from '../output.js';

interface RememberFlags extends RootOptions {
  name?: string;
  description?: string;
  type?: string;
  tag?: string[];
  evidence?: string[];
  slug?: string;
  source?: string;
  origin?: string;
  task?: string;
  session?: string;
  json?: boolean;
}

/** `--source`, `--origin` and `--session` as provenance; refuses unknown kinds. */
export function parseSource(options: { source?: string; origin?: string; session?: string }): Provenance {
  const kind = options.source ?? 'user';
  if (!(SOURCE_KINDS as readonly string[]).includes(kind) || kind === 'dream') {
    throw new MnemoError('usage', `--source ${kind} is not a source.`, { hint: 'Use one of user, agent, tool, web, file, import.' });
  }
  return {
    kind: kind as SourceKind,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.session === undefined ? {} : { session: options.session }),
  };
}

/** Print the index warnings of a write on stderr. */
export function reportIndex(out: Output, index: IndexReport): void {
  for (const warning of index.warnings) out.warn(warning);
}

export function registerRemember(program: Command, context: CommandContext): void {
  rootOptions(program.command('remember'))
    .description('write a topic a person asserts (trusted) and its index line; "-" reads the body from stdin')
    .argument('<body>', 'the fact first, then **Why:** and **How to apply:**')
    .requiredOption('--name <name>', 'title of the topic (also its file name)')
    .requiredOption('--description <text>', 'one line that says when this topic matters; recall ranks on it')
    .requiredOption('--type <type>', 'user | feedback | project | reference | lesson')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option(
      '--evidence <spec>',
      "checkable claim (repeatable): file:PATH, 'symbol:NAME@GLOB', package:NAME@RANGE, git:REF, env:NAME",
      collect,
    )
    .option('--slug <slug>', 'file name to use instead of one made from the name')
    .option(
      '--source <kind>',
      `who asserts it: ${SOURCE_KINDS.filter((kind) => kind !== 'dream').join(' | ')} (default user: written at once; any other source is staged in a task)`,
    )
    .option('--origin <origin>', 'where the content came from: tool name, URL or path')
    .option('--task <id>', 'stage it in this task (for a non-user source)')
    .option('--session <id>', 'session the statement was made in')
    .option('--json', 'print the result as JSON')
    .action(async (body: string, options: RememberFlags) => {
      const text = body === '-' ? await readAllStdin(context.io) : body;
      if (options.name === undefined || options.description === undefined || options.type === undefined) {
        throw new MnemoError('usage', 'remember needs --name, --description and --type.');
      }
      await withMemory(context, options, async (memory) => {
        const result = await memory.remember({
          name: options.name as string,
          description: options.description as string,
          type: options.type as never,
          body: text,
          tags: options.tag ?? [],
          evidence: parseEvidenceFlags(options.evidence ?? []),
          ...(options.slug === undefined ? {} : { slug: options.slug }),
          ...(options.task === undefined ? {} : { task: options.task }),
          source: parseSource(options),
        });
        if (result.status === 'quarantined') context.exitCode = EXIT.checkFailed;
        if (options.json) return context.out.json(result);
        if (result.status === 'quarantined') {
          context.out.line(result.message);
          return;
        }
        for (const warning of result.warnings) context.out.warn(`guard: ${warning}`);
        const redacted = describeRedactions(result.redacted);
        if (redacted !== undefined) context.out.warn(`guard: ${redacted}`);
        if (result.status === 'staged') {
          context.out.line(result.message);
          return;
        }
        context.out.line(`${result.created ? 'Remembered' : 'Updated'} ${result.slug} (${result.path})`);
        if (result.previousVersion) context.out.note(`previous version kept at ${result.previousVersion}`);
        reportIndex(context.out, result.index);
      });
    });
}
