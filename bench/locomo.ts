/*
 * LoCoMo evidence recall within a token budget: mnemo's recall against a plain BM25, side by
 * side, on the shared conversations (../shared/bench/locomo, or LOCOMO_DIR). Skips with a note
 * when the data is not there.
 *   npx tsx bench/locomo.ts
 *   LOCOMO_ABLATIONS=1 npx tsx bench/locomo.ts     also switch each kept idea off on its own
 *   LOCOMO_SVG=docs/locomo-recall.svg npx tsx bench/locomo.ts
 *   LOCOMO_RANKS=1 npx tsx bench/locomo.ts         also where the evidence ranks (bench/locomo-ranks.ts)
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CATEGORY_NAMES,
  LOCOMO_ABLATIONS,
  ablationRetriever,
  loadLocomoDirectory,
  locomoTimingRows,
  renderLocomoChart,
  runLocomoBenchmark,
  summarizeLocomoRun,
  type LocomoReport,
  type LocomoRun,
} from '../src/evaluation/index.js';
import { machineLine, markdownTable } from './bench-utils.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUDGETS = [500, 1000, 2000];
/** Tuned on these; the rest are held out (docs/benchmarks.md, "Protocol"). */
const DEVELOPMENT = ['conv-26', 'conv-30'];
/** Held out in the first round, then looked into (failure analysis) in a second round that changed no default. */
const SECOND_ROUND = ['conv-41'];

const write = (text: string) => process.stdout.write(`${text}\n`);
const fixed = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(3));

/** Recall per budget, retriever and category, as markdown. */
export function locomoRecallTable(report: LocomoReport): string {
  const categories = Object.keys(CATEGORY_NAMES);
  const header = [
    'budget',
    'retriever',
    'all evidence',
    'any evidence',
    ...categories.map((category) => `${CATEGORY_NAMES[Number(category)]} (all / any)`),
  ];
  const rows: string[][] = [];
  for (const budget of report.budgets) {
    for (const [name, summary] of Object.entries(report.retrievers)) {
      const at = summary.budgets[String(budget)];
      if (!at) continue;
      rows.push([
        String(budget),
        name,
        `**${fixed(at.all)}**`,
        fixed(at.any),
        ...categories.map((category) => {
          const entry = at.categories[category];
          return entry ? `${fixed(entry.all)} / ${fixed(entry.any)} (${entry.questions})` : '-';
        }),
      ]);
    }
  }
  return markdownTable(header, rows);
}

/** Ingest time and recall latency, as markdown. */
export function locomoTimingTable(report: LocomoReport): string {
  return markdownTable(
    ['retriever', 'ingest, all conversations', 'ingest, mean per conversation', 'recall p50', 'recall p95', 'recalls'],
    locomoTimingRows(report),
  );
}

function ablationTable(run: LocomoRun, heldOut: readonly string[]): string {
  const all = summarizeLocomoRun(run);
  const development = summarizeLocomoRun(run, { conversations: DEVELOPMENT });
  const held = summarizeLocomoRun(run, { conversations: heldOut });
  const unseen = summarizeLocomoRun(run, { conversations: heldOut.filter((id) => !SECOND_ROUND.includes(id)) });
  const cell = (report: LocomoReport, name: string, budget: number) => fixed(report.retrievers[name]?.budgets[String(budget)]?.all);
  const rows = LOCOMO_ABLATIONS.map((variant) => [
    variant.name,
    variant.description,
    ...BUDGETS.map((budget) => cell(all, variant.name, budget)),
    cell(development, variant.name, 1000),
    cell(held, variant.name, 1000),
    cell(unseen, variant.name, 1000),
  ]);
  return markdownTable(
    [
      'variant',
      'what changes',
      ...BUDGETS.map((budget) => `all @${budget}`),
      'development @1000',
      'held out @1000',
      'never looked at @1000',
    ],
    rows,
  );
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Run the LoCoMo benchmark on the shared conversations and print its tables (markdown). */
export async function runLocomoBench(): Promise<void> {
  const dir = resolve(REPO_ROOT, process.env.LOCOMO_DIR ?? '../shared/bench/locomo');
  if (!(await isFolder(dir))) {
    write(`LoCoMo evidence recall: skipped, no data at ${dir} (set LOCOMO_DIR to a folder of LoCoMo conversation files).`);
    return;
  }
  const conversations = await loadLocomoDirectory(dir);
  const heldOut = conversations.map((conversation) => conversation.id).filter((id) => !DEVELOPMENT.includes(id));
  const progress = (message: string) => process.stderr.write(`  ${message}\n`);
  const run = await runLocomoBenchmark({ conversations, budgets: BUDGETS, retrievers: ['mnemo', 'bm25-baseline'], onProgress: progress });
  const all = summarizeLocomoRun(run);
  write(`Machine: ${machineLine()}. Tokens: ${all.tokenizer}. Data: ${all.conversations.join(', ')}.\n`);
  write(`### All conversations (${all.questions} questions, ${all.skipped} left out for want of usable evidence)\n`);
  write(locomoRecallTable(all));
  write('');
  write(locomoTimingTable(all));
  write('');
  if (heldOut.length > 0) {
    const held = summarizeLocomoRun(run, { conversations: heldOut });
    write(`### Held out: ${heldOut.join(', ')} (${held.questions} questions)\n`);
    write(locomoRecallTable(held));
    write('');
    const unseen = summarizeLocomoRun(run, { conversations: heldOut.filter((id) => !SECOND_ROUND.includes(id)) });
    if (unseen.conversations.length > 0 && unseen.conversations.length < heldOut.length) {
      write(`### Never looked at: ${unseen.conversations.join(', ')} (${unseen.questions} questions)\n`);
      write(locomoRecallTable(unseen));
      write('');
    }
  }
  const development = summarizeLocomoRun(run, { conversations: DEVELOPMENT });
  if (development.conversations.length > 0) {
    write(`### Development: ${development.conversations.join(', ')} (${development.questions} questions)\n`);
    write(locomoRecallTable(development));
    write('');
  }
  if (process.env.LOCOMO_SVG) {
    const file = resolve(REPO_ROOT, process.env.LOCOMO_SVG);
    await writeFile(file, renderLocomoChart(all), 'utf8');
    write(`Chart written to ${file}\n`);
  }
  if (process.env.LOCOMO_ABLATIONS === '1') {
    const ablations = await runLocomoBenchmark({
      conversations,
      budgets: BUDGETS,
      retrievers: LOCOMO_ABLATIONS.map((variant) => ({ name: variant.name, factory: ablationRetriever(variant) })),
      onProgress: progress,
    });
    write('### Ablations: each kept idea switched off on its own (share of questions with all evidence)\n');
    write(ablationTable(ablations, heldOut));
    write('');
  }
  if (process.env.LOCOMO_RANKS === '1') {
    const { evidenceRankTable, measureEvidenceRanks, packedTurnsLine } = await import('./locomo-ranks.js');
    const ranks = await measureEvidenceRanks(conversations, BUDGETS);
    const splits: [string, readonly string[]][] = [
      ['All conversations', conversations.map((conversation) => conversation.id)],
      ['Development', DEVELOPMENT],
      ['Held out', heldOut],
    ];
    for (const [name, ids] of splits) {
      const own = ranks.filter((rank) => ids.includes(rank.conversation));
      if (own.length === 0) continue;
      write(`### Where the evidence ranks: ${name.toLowerCase()} (share of questions with every evidence turn in the first k)\n`);
      write(evidenceRankTable(own));
      write('');
    }
    write(`Turns packed per recall: ${packedTurnsLine(ranks, BUDGETS)}.\n`);
  }
  const results = join(REPO_ROOT, 'bench', 'results');
  await mkdir(results, { recursive: true });
  await writeFile(join(results, 'locomo.json'), `${JSON.stringify(all, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runLocomoBench();
}
