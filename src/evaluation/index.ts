/**
 * evaluation: benchmarks of mnemo on public data it did not write. LoCoMo evidence recall:
 * load conversations, ingest each into a fresh memory through the transcript path, recall every
 * question within token budgets (mnemo's recall and a plain BM25 baseline, side by side), and
 * report tables, JSON and an SVG chart. Staleness on a real git history: facts about the code
 * written at one commit, checked commit by commit against git's own answer. Uses the library API
 * only; never writes stdout.
 */
export { loadLocomoDirectory, parseLocomoConversation, parseLocomoDateTime, normalizeEvidence } from './locomo-loader.js';
export type { LocomoConversation, LocomoSession, LocomoTurn, LocomoQuestion } from './locomo-loader.js';
export { ingestLocomoConversation, locomoSessionId, locomoTurnText, locomoTurnEvent } from './locomo-ingest.js';
export type { IngestedConversation } from './locomo-ingest.js';
export { Bm25Baseline } from './bm25-baseline.js';
export type { BaselineTurn, BaselineRecall } from './bm25-baseline.js';
export {
  LOCOMO_RETRIEVERS,
  RETRIEVER_FACTORIES,
  mnemoRetriever,
  bm25BaselineRetriever,
  hybridRetriever,
  HYBRID_RETRIEVER_NAME,
} from './locomo-retrievers.js';
export type { LocomoRetrieverName, RecalledEvidence, PreparedRetriever, RetrieverFactory } from './locomo-retrievers.js';
export { runLocomoBenchmark, SCORED_CATEGORIES } from './locomo-harness.js';
export type { LocomoBenchOptions, LocomoRun, QuestionOutcome, RetrieverRun, RetrieverChoice } from './locomo-harness.js';
export { summarizeLocomoRun, formatLocomoReport, locomoTimingRows, percentile, CATEGORY_NAMES, TOKENIZER_NAME } from './locomo-report.js';
export type { LocomoReport, RetrieverSummary, BudgetSummary, RecallScore } from './locomo-report.js';
export { renderLocomoChart } from './locomo-chart.js';
export { ablationRetriever, LOCOMO_ABLATIONS } from './locomo-ablation.js';
export type { AblationVariant } from './locomo-ablation.js';
export { runStalenessBenchmark } from './staleness-harness.js';
export type { StalenessBenchOptions, StalenessRun, StalenessObservation, MnemoOutcome, ScoredResult } from './staleness-harness.js';
export { summarizeStalenessRun, formatStalenessReport, scoreObservations, scoreCells, SCORE_HEADER } from './staleness-report.js';
export type { StalenessReport, StalenessScore } from './staleness-report.js';
export { renderStalenessChart } from './staleness-chart.js';
export { chooseFacts } from './staleness-facts.js';
export type { StalenessFact } from './staleness-facts.js';
export { FACT_KINDS } from './staleness-claims.js';
export type { Claim, FactKind, EvidenceMode } from './staleness-claims.js';
