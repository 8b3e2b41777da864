import type { Command } from 'commander';
import type { TopicCheckOutcome } from '../../discipline/index.js';
import { readAllStdin } from '../cli-io.js';
import { parseEvidenceFlags } from '../evidence-flags.js';
import { collect, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT, type Output } from '../output.js';
import { reportIndex } from './remember-command.js';

function printOutcome(out: Output, outcome: TopicCheckOutcome): void {
  const state = outcome.healed ? 'healed' : (outcome.verdict?.status ?? 'not checked');
  out.line(`${outcome.slug}: ${state}${outcome.status === 'suspect' ? ' (now suspect)' : ''}`);
  for (const item of outcome.verdict?.verdicts ?? []) out.line(`  - ${item.evidence.kind}: ${item.status}: ${item.detail}`);
  for (const reason of outcome.healed?.reasons ?? []) out.line(`  healed: ${reason}`);
}

export function registerVerify(program: Command, context: CommandContext): void {
  rootOptions(program.command('verify'))
    .description(
      "check topics' evidence now, record the verdicts, mark contradicted topics suspect and heal what can be healed (exit 1 if any stays contradicted)",
    )
    .argument('[topics...]', 'slugs to check (default: all)')
    .option('--all', 'check every active and suspect topic')
    .option('--allow-commands', 'run `command` evidence of trusted topics this time')
    .option('--allow-http', 'run `http` evidence of trusted topics (allowed hosts only) this time')
    .option('--no-heal', 'only check and mark suspect; do not heal')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        slugs: string[],
        options: RootOptions & { all?: boolean; allowCommands?: boolean; allowHttp?: boolean; heal: boolean; json?: boolean },
      ) => {
        await withMemory(context, options, async (memory) => {
          const report = await memory.verify({
            ...(options.all ? { all: true } : { slugs }),
            ...(options.allowCommands ? { allowCommands: true } : {}),
            ...(options.allowHttp ? { allowHttp: true } : {}),
            heal: options.heal,
          });
          if (report.topics.some((outcome) => outcome.status === 'suspect')) context.exitCode = EXIT.checkFailed;
          if (options.json) return context.out.json(report);
          const withEvidence = report.topics.filter((outcome) => outcome.checked);
          if (withEvidence.length === 0) context.out.note('No topic with evidence to check.');
          for (const outcome of withEvidence) printOutcome(context.out, outcome);
          if (report.index) reportIndex(context.out, report.index);
        });
      },
    );
}

export function registerHeal(program: Command, context: CommandContext): void {
  rootOptions(program.command('heal'))
    .description('replace a topic by a corrected version (a person vouches for it); the old one goes to the trash ("-" reads stdin)')
    .argument('<topic>', 'slug of the topic')
    .argument('<body>', 'the corrected fact')
    .option('--evidence <spec>', 'new evidence replacing the old (repeatable)', collect)
    .option('--json', 'print the result as JSON')
    .action(async (slug: string, body: string, options: RootOptions & { evidence?: string[]; json?: boolean }) => {
      const text = body === '-' ? await readAllStdin(context.io) : body;
      await withMemory(context, options, async (memory) => {
        const result = await memory.heal(slug, text, options.evidence ? { evidence: parseEvidenceFlags(options.evidence) } : {});
        if (result.outcome.status === 'suspect') context.exitCode = EXIT.checkFailed;
        if (options.json) return context.out.json(result);
        context.out.line(`Healed ${slug}${result.previousVersion ? `; the old version is kept at ${result.previousVersion}` : ''}.`);
        for (const caveat of result.outcome.caveats) context.out.line(`  ${caveat}`);
        if (result.outcome.status === 'suspect')
          context.out.warn('its evidence is still contradicted; it stays suspect (give --evidence that holds, or fix the world)');
      });
    });
}
