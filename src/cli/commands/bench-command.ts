import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { LocomoRetrieverName } from '../../evaluation/index.js';
import { LOCOMO_RETRIEVER_CHOICES as LOCOMO_RETRIEVERS } from '../flag-choices.js';
import { MnemoError } from '../../shared/index.js';
import type { CommandContext } from '../command-context.js';

interface LocomoFlags {
  data: string;
  budgets: number[];
  retriever: LocomoRetrieverName | 'both' | 'hybrid';
  embeddings?: string;
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

function parseRetriever(value: string): LocomoRetrieverName | 'both' | 'hybrid' {
  if (value === 'both' || value === 'hybrid' || (LOCOMO_RETRIEVERS as readonly string[]).includes(value))
    return value as LocomoRetrieverName | 'both' | 'hybrid';
  throw new MnemoError(
    'usage',
    `--retriever must be one of ${[...LOCOMO_RETRIEVERS, 'both', 'hybrid'].join(', ')}; not ${JSON.stringify(value)}.`,
  );
}

/**
 * The embedder of `--retriever hybrid`: `--embeddings` (a JSON object, or a file holding one,
 * shaped like the config's `embeddings` section), else the `embeddings` section of the memory
 * found from here (MNEMO_DIR, .mnemo/ at the git root).
 */
async function benchEmbeddings(flag: string | undefined, context: CommandContext) {
  const { configSchema, loadConfig } = await import('../../config/index.js');
  let raw: unknown;
  if (flag !== undefined) {
    const text = flag.trim().startsWith('{') ? flag : await readFile(resolve(context.io.cwd, flag), 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new MnemoError('usage', `--embeddings is not a JSON object: ${(error as Error).message}`);
    }
    const parsed = configSchema().shape.embeddings.safeParse(raw);
    if (!parsed.success || parsed.data === undefined)
      throw new MnemoError(
        'usage',
        `--embeddings is not a valid embeddings section: ${parsed.error?.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ') ?? 'empty'}`,
      );
    return { config: parsed.data, apiKey: undefined };
  }
  const loaded = (() => {
    try {
      return loadConfig({ cwd: context.io.cwd, env: context.io.env });
    } catch {
      return undefined;
    }
  })();
  if (!loaded?.config.embeddings)
    throw new MnemoError(
      'usage',
      '--retriever hybrid needs an embedder: pass --embeddings \'{"provider":"ollama","model":"nomic-embed-text"}\' or add an "embeddings" section to mnemo.config.json.',
      {
        hint: 'See docs/semantic-recall.md.',
      },
    );
  return { config: loaded.config.embeddings, apiKey: loaded.embeddingsApiKey };
}

interface StalenessFlags {
  repo: string;
  from?: string;
  to?: string;
  step: number;
  facts: number;
  seed: number;
  svg?: string;
  json?: boolean;
}

/** A parser of a whole number flag of at least `min`, with a usage error that names the flag. */
function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < min) {
      throw new MnemoError('usage', `${flag} must be a whole number of at least ${min}; not ${JSON.stringify(value)}.`);
    }
    return number;
  };
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
    .option(
      '--retriever <name>',
      'mnemo, bm25-baseline, both, or hybrid (mnemo hybrid beside mnemo and bm25-baseline; needs an embedder)',
      parseRetriever,
      'both',
    )
    .option(
      '--embeddings <json|file>',
      'the embedder of --retriever hybrid, shaped like the config\'s "embeddings" section (default: that section of the memory found from here)',
    )
    .option('--conversations <ids>', 'only these conversations (file names without .json), comma-separated', parseList)
    .option('--svg <file>', 'also write a chart of recall against budget as SVG')
    .option('--json', 'print the report as one JSON object (retrievers.<name>.budgets.<budget>.all, .any, .categories.<n>)')
    .addHelpText(
      'after',
      '\nExamples:\n  mnemo bench locomo --data ../shared/bench/locomo\n  mnemo bench locomo --data ./locomo --budgets 1000 --retriever mnemo --json\n\nTokens are counted with gpt-tokenizer (o200k_base) on the text an agent gets, the same for every retriever.',
    )
    .action(async (options: LocomoFlags) => {
      const {
        formatLocomoReport,
        loadLocomoDirectory,
        renderLocomoChart,
        runLocomoBenchmark,
        summarizeLocomoRun,
        hybridRetriever,
        HYBRID_RETRIEVER_NAME,
      } = await import('../../evaluation/index.js');
      const embedder = options.retriever === 'hybrid' ? await benchEmbeddings(options.embeddings, context) : undefined;
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
      const retrievers =
        options.retriever === 'both'
          ? [...LOCOMO_RETRIEVERS]
          : options.retriever === 'hybrid' && embedder
            ? [...LOCOMO_RETRIEVERS, { name: HYBRID_RETRIEVER_NAME, factory: hybridRetriever(embedder.config, embedder.apiKey) }]
            : [options.retriever as LocomoRetrieverName];
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
  bench
    .command('staleness')
    .description(
      'staleness on a real git history: write facts about the code at --from (definitions, settings, versions, scripts, paths), step through later commits, recall and verify them with the clock past the freshness window, and score what mnemo caught, healed, missed and flagged wrongly against git',
    )
    .requiredOption('--repo <path>', 'a git repository (only read: a temporary worktree is added and removed)')
    .option('--from <ref>', 'the commit the facts are written at (default: 50 first-parent commits before --to)')
    .option('--to <ref>', 'the last commit checked (default: HEAD)')
    .option('--step <k>', 'check every k-th commit (the last one always)', wholeNumber('--step', 1), 1)
    .option('--facts <n>', 'facts written', wholeNumber('--facts', 1), 40)
    .option('--seed <s>', 'seed of the random choice of facts', wholeNumber('--seed', 0), 1)
    .option('--svg <file>', 'also write a chart of caught / missed / false alarms along the history as SVG')
    .option('--json', 'print the report as one JSON object (overall, byKind, byChange, baselines, series, problems)')
    .addHelpText(
      'after',
      "\nExamples:\n  mnemo bench staleness --repo . --step 2\n  mnemo bench staleness --repo ../some-clone --from v1.0.0 --to v1.2.0 --facts 60 --json\n\nGround truth comes from git alone (diff --find-renames, grep, package.json), never from mnemo's checkers.",
    )
    .action(async (options: StalenessFlags) => {
      const { formatStalenessReport, renderStalenessChart, runStalenessBenchmark, summarizeStalenessRun } =
        await import('../../evaluation/index.js');
      const run = await runStalenessBenchmark({
        repo: resolve(context.io.cwd, options.repo),
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.to === undefined ? {} : { to: options.to }),
        step: options.step,
        facts: options.facts,
        seed: options.seed,
        ...(options.json ? {} : { onProgress: (message: string) => context.out.note(message) }),
      });
      const report = summarizeStalenessRun(run);
      if (options.svg !== undefined) {
        const file = resolve(context.io.cwd, options.svg);
        await writeFile(file, renderStalenessChart(report), 'utf8');
        if (!options.json) context.out.note(`Chart written to ${file}`);
      }
      if (options.json) return context.out.json(report);
      context.out.line(formatStalenessReport(report));
    });
}
