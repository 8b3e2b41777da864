import { formatColumns } from '../shared/index.js';
import { SCORED_CATEGORIES, type LocomoRun, type QuestionOutcome } from './locomo-harness.js';

/** LoCoMo's question categories (5, adversarial, is not scored). */
export const CATEGORY_NAMES: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };

/** Share of questions whose evidence was all (`all`) or partly (`any`) recalled. */
export interface RecallScore {
  all: number;
  any: number;
  questions: number;
  allHits: number;
  anyHits: number;
}

export interface BudgetSummary extends RecallScore {
  /** By category number: `categories["2"].all` is the temporal questions' score. */
  categories: Record<string, RecallScore & { name: string }>;
  meanTokens: number;
  maxTokens: number;
  /** Recalls whose text was over the budget (counted as misses; should be 0). */
  overBudget: number;
  /** Recalls that failed (counted as misses). */
  errors: number;
}

export interface RetrieverSummary {
  /** By budget: `budgets["1000"].all`. */
  budgets: Record<string, BudgetSummary>;
  ingestMs: { total: number; perConversation: Record<string, number> };
  latencyMs: { p50: number; p95: number; recalls: number };
}

/** What `mnemo bench locomo --json` prints: `retrievers.<name>.budgets.<budget>.all`. */
export interface LocomoReport {
  benchmark: 'locomo-evidence-recall';
  tokenizer: string;
  conversations: string[];
  budgets: number[];
  /** Questions scored per retriever and budget (categories 1–4 with evidence). */
  questions: number;
  /** Questions of categories 1–4 left out because their evidence names no turn of the conversation. */
  skipped: number;
  retrievers: Record<string, RetrieverSummary>;
}

export const TOKENIZER_NAME = 'o200k_base (gpt-tokenizer)';

function score(outcomes: readonly QuestionOutcome[]): RecallScore {
  const allHits = outcomes.filter((outcome) => outcome.all).length;
  const anyHits = outcomes.filter((outcome) => outcome.any).length;
  const questions = outcomes.length;
  return { all: questions === 0 ? 0 : allHits / questions, any: questions === 0 ? 0 : anyHits / questions, questions, allHits, anyHits };
}

/** Nearest-rank percentile of a list of numbers (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function budgetSummary(outcomes: readonly QuestionOutcome[], budget: number): BudgetSummary {
  const categories: BudgetSummary['categories'] = {};
  for (const category of SCORED_CATEGORIES) {
    const own = outcomes.filter((outcome) => outcome.category === category);
    if (own.length > 0) categories[String(category)] = { name: CATEGORY_NAMES[category] ?? String(category), ...score(own) };
  }
  const tokens = outcomes.map((outcome) => outcome.tokens);
  return {
    ...score(outcomes),
    categories,
    meanTokens: tokens.length === 0 ? 0 : tokens.reduce((sum, value) => sum + value, 0) / tokens.length,
    maxTokens: Math.max(0, ...tokens),
    overBudget: outcomes.filter((outcome) => outcome.tokens > budget).length,
    errors: outcomes.filter((outcome) => outcome.error !== undefined).length,
  };
}

/** Summarize a run, over all its conversations or only the ones named (e.g. the held-out ones). */
export function summarizeLocomoRun(run: LocomoRun, options: { conversations?: readonly string[] } = {}): LocomoReport {
  const chosen = options.conversations ? run.conversations.filter((id) => options.conversations?.includes(id)) : run.conversations;
  const keep = new Set(chosen);
  const retrievers: LocomoReport['retrievers'] = {};
  let questions = 0;
  for (const retriever of run.retrievers) {
    const outcomes = retriever.outcomes.filter((outcome) => keep.has(outcome.conversation));
    const budgets: RetrieverSummary['budgets'] = {};
    for (const budget of run.budgets)
      budgets[String(budget)] = budgetSummary(
        outcomes.filter((outcome) => outcome.budget === budget),
        budget,
      );
    questions = budgets[String(run.budgets[0])]?.questions ?? 0;
    const perConversation = Object.fromEntries(Object.entries(retriever.ingestMs).filter(([id]) => keep.has(id)));
    const latencies = outcomes.map((outcome) => outcome.latencyMs);
    retrievers[retriever.name] = {
      budgets,
      ingestMs: { total: Object.values(perConversation).reduce((sum, value) => sum + value, 0), perConversation },
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), recalls: latencies.length },
    };
  }
  return {
    benchmark: 'locomo-evidence-recall',
    tokenizer: TOKENIZER_NAME,
    conversations: chosen,
    budgets: [...run.budgets],
    questions,
    skipped: run.skipped.filter((entry) => keep.has(entry.conversation)).length,
    retrievers,
  };
}


const fixed = (value: number) => value.toFixed(3);
const milliseconds = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);

/**
 * Per retriever: its name, ingest time over all conversations and per conversation, recall
 * latency p50 and p95, and the number of recalls, as display strings.
 */
export function locomoTimingRows(report: LocomoReport): string[][] {
  return Object.entries(report.retrievers).map(([name, summary]) => {
    const conversations = Object.keys(summary.ingestMs.perConversation).length || 1;
    return [
      name,
      milliseconds(summary.ingestMs.total),
      milliseconds(summary.ingestMs.total / conversations),
      milliseconds(summary.latencyMs.p50),
      milliseconds(summary.latencyMs.p95),
      String(summary.latencyMs.recalls),
    ];
  });
}

/**
 * The report as plain tables: per budget and retriever, the share of questions with all / any
 * of their evidence recalled, overall and per category; then ingest time and recall latency.
 */
export function formatLocomoReport(report: LocomoReport, title = 'LoCoMo evidence recall'): string {
  const names = Object.keys(report.retrievers);
  const categories = SCORED_CATEGORIES.filter((category) =>
    names.some((name) =>
      Object.values(report.retrievers[name]?.budgets ?? {}).some((budget) => budget.categories[String(category)] !== undefined),
    ),
  );
  const header = [
    'budget',
    'retriever',
    'all',
    'any',
    ...categories.map((category) => `${CATEGORY_NAMES[category]} (all/any)`),
    'mean tokens',
  ];
  const rows: string[][] = [header];
  for (const budget of report.budgets) {
    for (const name of names) {
      const summary = report.retrievers[name]?.budgets[String(budget)];
      if (!summary) continue;
      rows.push([
        String(budget),
        name,
        fixed(summary.all),
        fixed(summary.any),
        ...categories.map((category) => {
          const entry = summary.categories[String(category)];
          return entry ? `${fixed(entry.all)}/${fixed(entry.any)} (${entry.questions})` : '-';
        }),
        summary.meanTokens.toFixed(0),
      ]);
    }
  }
  const timing = [['retriever', 'ingest (all)', 'ingest (mean per conversation)', 'recall p50', 'recall p95', 'recalls'], ...locomoTimingRows(report)];
  const problems = names.flatMap((name) =>
    Object.entries(report.retrievers[name]?.budgets ?? {}).flatMap(([budget, summary]) => [
      ...(summary.overBudget > 0 ? [`${name} @${budget}: ${summary.overBudget} recall(s) over budget`] : []),
      ...(summary.errors > 0 ? [`${name} @${budget}: ${summary.errors} recall(s) failed`] : []),
    ]),
  );
  return [
    `${title}: ${report.conversations.join(', ')} — ${report.questions} questions (categories 1–4)${report.skipped > 0 ? `, ${report.skipped} without usable evidence left out` : ''}; tokens: ${report.tokenizer}`,
    '',
    ...formatColumns(rows),
    '',
    ...formatColumns(timing),
    ...(problems.length > 0 ? ['', ...problems.map((problem) => `warning: ${problem}`)] : []),
  ].join('\n');
}
