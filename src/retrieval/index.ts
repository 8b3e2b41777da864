/**
 * retrieval: the derived search index (SQLite FTS5, BM25 with field weights) over topics and
 * transcript turns, turn ranking (neighbours, sessions, speakers, dates), and recall packing
 * within byte and token budgets.
 */
export { SearchIndex, TOPIC_FIELD_WEIGHTS } from './search-index.js';
export type {
  CatalogTopic,
  TopicHit,
  TurnRecord,
  TurnHit,
  SyncReport,
  SearchIndexOptions,
  SyncOptions,
  WrittenTopic,
} from './search-index.js';
export { signatureWords } from './lesson-table.js';
export { Fts5Pages } from './fts5-pages.js';
export { COLUMN_MIN_ROWS } from './term-columns.js';
export type { Postings } from './fts5-pages.js';
export { rankGroup, rankTimeMs, unreadableHook, UNREADABLE_GROUP } from './rank-table.js';
export type { RankTable, RankRow } from './rank-table.js';
export type { LessonSignature } from './lesson-table.js';
export { tokenize, queryTerms, ftsQuery, isStopword } from './query-terms.js';
export { stemTerm, termStems, stemmedText } from './term-stems.js';
export { packRecall, renderRecallText, renderTopicBlock, renderTurnLine, cutToBytes } from './recall-packer.js';
export type {
  RecallTopicCandidate,
  RecallTurnCandidate,
  PackBudget,
  PackedTopic,
  PackedTurn,
  CutNote,
  PackedRecall,
} from './recall-packer.js';
export { rankTurns, TURN_RANK_DEFAULTS } from './turn-recall.js';
export type { TurnRankTuning, RankTurnsOptions } from './turn-recall.js';
export { countTextTokens } from './turn-packer.js';
export { renderTurnSection } from './turn-render.js';
export { VectorIndex } from './vector-index.js';
export type { EmbeddingReport, CatchUpOptions, VectorHit } from './vector-index.js';
export { fuseRankings, RRF_K } from './hybrid-fusion.js';
export { createSemanticStage } from './semantic-stage.js';
export type { RecallMode, SemanticQuery, SemanticStage, SemanticStageOptions } from './semantic-stage.js';
