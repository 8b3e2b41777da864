/**
 * retrieval: the derived search index (SQLite FTS5, BM25 with field weights) over topics and
 * transcript turns, and recall packing within byte budgets.
 */
export { SearchIndex, TOPIC_FIELD_WEIGHTS } from './search-index.js';
export type { CatalogTopic, TopicHit, TurnRecord, TurnHit, SyncReport, SearchIndexOptions } from './search-index.js';
export { tokenize, queryTerms, ftsQuery, isStopword } from './query-terms.js';
export { packRecall, renderRecallText, renderTopicBlock, renderTurnLine, cutToBytes } from './recall-packer.js';
export type { RecallTopicCandidate, RecallTurnCandidate, PackBudget, PackedTopic, PackedTurn, CutNote, PackedRecall } from './recall-packer.js';
