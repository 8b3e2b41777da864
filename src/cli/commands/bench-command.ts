import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { LocomoRetrieverName } from '../../evaluation/index.js';
import { LOCOMO_RETRIEVER_CHOICES as LOCOMO_RETRIEVERS } from '../flag-choices.js';
import { MnemoError } from '../../shared/index.js';
import type { CommandContext } from '../command-context.js';

interface LocomoFlags {
  data: string;
  budgets: number[];
  retriever: LocomoRetrieverName | 'both';
  conversations?: string[];
  svg?: string;
  json?: boolean;
}

/** Parse `500,1000,2000` into distinct positive whole numbers, ascending. */
export function parseBudgets(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const budgets = parts.map(Number);
  if (parts.length === 0 || parts.some((part) => part === '') || budgets.some((budget) => !Number.isInteger(budget) || budget <= 0)) {
    throw new MnemoError(
      'usage',
      `--budgets must be positive whole numbers separated by commas, like 500,1000,2000; not ${JSON.stringify(value)}.`,
    );
  }
  return [...new Set(budgets)].sort((a, b) => a - b);
}

function parseRetriever(value: string): LocomoRetrieverName | 'both' {
  if (value === 'both' || (LOCOMO_RETRIEVERS as readonly string[]).includes(value)) return value as LocomoRetrieverName | 'both';
  throw new MnemoError('usage', `--retriever must be one of ${[...LOCOMO_RETRIEVERS, 'both'].join(', ')}; not ${JSON.stringify(value)}.`);
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function registerBench(program: Command, context: CommandContext): void {
  const bench = program.command('bench').description('measure mnemo on public benchmarks');
  bench
    .command('locomo')
    .description(
      'LoCoMo evidence recall: ingest each conversation into a fresh memory, recall every question (categories 1–4) within token budgets, and report the share whose evidence turns were all (and any) recalled, for mnemo and a plain BM25 baseline',
    )
    .requiredOption('--data <dir>', 'folder of LoCoMo conversations, one JSON file each (conv-26.json, ...)')
    .option('--budgets <tokens>', 'token budgets, comma-separated', parseBudgets, [500, 1000, 2000])
    .option('--retriever <name>', 'mnemo, bm25-baseline or both', parseRetriever, 'both')
    .option('--conversations <ids>', 'only these conversations (file names without .json), comma-separated', parseList)
    .option('--svg <file>', 'also write a chart of recall against budget as SVG')
    .option('--json', 'print the report as one JSON object (retrievers.<name>.budgets.<budget>.all, .any, .categories.<n>)')
    .addHelpText(
      'after',
      '\nExamples:\n  mnemo bench locomo --data ../shared/bench/locomo\n  mnemo bench locomo --data ./locomo --budgets 1000 --retriever mnemo --json\n\nTokens are counted with gpt-tokenizer (o200k_base) on the text an agent gets, the same for every retriever.',
    )
    .action(async (options: LocomoFlags) => {
      const { formatLocomoReport, loadLocomoDirectory, renderLocomoChart, runLocomoBenchmark, summarizeLocomoRun } =
        await import('../../evaluation/index.js');
      const data = resolve(context.io.cwd, options.data);
      let conversations = await loadLocomoDirectory(data);
      if (options.conversations !== undefined) {
        const known = new Set(conversations.map((conversation) => conversation.id));
        const unknown = options.conversations.filter((id) => !known.has(id));
        if (unknown.length > 0 || options.conversations.length === 0) {
          throw new MnemoError(
            'usage',
            `--conversations names ${unknown.length > 0 ? `unknown conversations: ${unknown.join(', ')}` : 'none'}; ${data} holds ${[...known].join(', ')}.`,
          );
        }
        conversations = conversations.filter((conversation) => options.conversations?.includes(conversation.id));
      }
      const retrievers = options.retriever === 'both' ? [...LOCOMO_RETRIEVERS] : [options.retriever];
      const run = await runLocomoBenchmark({
        conversations,
        budgets: options.budgets,
        retrievers,
        ...(options.json ? {} : { onProgress: (message: string) => context.out.note(message) }),
      });
      const report = summarizeLocomoRun(run);
      if (options.svg !== undefined) {
        const file = resolve(context.io.cwd, options.svg);
        await writeFile(file, renderLocomoChart(report), 'utf8');
        if (!options.json) context.out.note(`Chart written to ${file}`);
      }
      if (options.json) return context.out.json(report);
      context.out.line(formatLocomoReport(report));
    });
}
