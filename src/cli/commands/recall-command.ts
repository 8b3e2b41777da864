import type { Command } from 'commander';
import { MnemoError, quoteExcerpt } from '../../shared/index.js';
import { positiveInt, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';

interface RecallFlags extends RootOptions {
  limit?: number;
  budget?: number;
  tokens?: number;
  deep?: boolean;
  session?: string;
  task?: string;
  json?: boolean;
  mode?: 'lexical' | 'hybrid';
}

function parseMode(value: string): 'lexical' | 'hybrid' {
  if (value === 'lexical' || value === 'hybrid') return value;
  throw new MnemoError('usage', `--mode must be lexical or hybrid; not ${JSON.stringify(value)}.`);
}

export function registerRecall(program: Command, context: CommandContext): void {
  rootOptions(program.command('recall'))
    .description('rank topics for a query and print the best within the budgets (--deep: transcript turns too)')
    .argument('<query>', 'what you are looking for')
    .option('--limit <n>', 'most topics to return (default 5)', positiveInt('--limit'))
    .option('--budget <bytes>', 'bytes of the whole answer (default 20480)', positiveInt('--budget'))
    .option('--tokens <n>', 'tokens of the whole answer (o200k; with --deep, as many turns as fit)', positiveInt('--tokens'))
    .option('--deep', 'also search transcript turns, grouped by session with its date')
    .option('--session <id>', 'count this recall against the session budget (60 KB by default)')
    .option('--task <id>', "also return this task's staged notes, marked unverified")
    .option(
      '--mode <mode>',
      'lexical, or hybrid (lexical and embedding candidates fused; needs an "embeddings" section); default from the config',
      parseMode,
    )
    .option('--json', 'print the result as JSON')
    .action(async (query: string, options: RecallFlags) => {
      await withMemory(context, options, async (memory) => {
        const result = await memory.recall(query, {
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          ...(options.budget === undefined ? {} : { budget: options.budget }),
          ...(options.tokens === undefined ? {} : { budgetTokens: options.tokens }),
          ...(options.deep ? { deep: true } : {}),
          ...(options.session === undefined ? {} : { session: options.session }),
          ...(options.task === undefined ? {} : { task: options.task }),
          ...(options.mode === undefined ? {} : { mode: options.mode }),
        });
        if (options.json) return context.out.json(result);
        if (result.degraded !== undefined) context.out.warn(result.degraded);
        if (result.pendingEmbeddings !== undefined)
          context.out.note(
            `${result.pendingEmbeddings} item(s) are not embedded yet and were found lexically only; mnemo reindex --embeddings embeds them all.`,
          );
        if (result.topics.length === 0 && result.turns.length === 0) {
          context.out.note(`Nothing in memory matches ${quoteExcerpt(query)}.${options.deep ? '' : ' Try --deep to search transcripts.'}`);
          return;
        }
        context.out.line(result.text);
      });
    });
}
