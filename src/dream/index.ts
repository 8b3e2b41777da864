/**
 * dream: background consolidation. While nobody works, a dream merges near-duplicate topics,
 * settles conflicting ones, turns recurring error→fix pairs into lessons, re-checks stale
 * evidence, makes relative dates absolute, retires what is dead (to the trash, with a tombstone),
 * and re-renders the index within its budget. Deterministic without a model; with one, it also
 * distils transcripts and rewrites merged topics, through the guard. Safe by construction:
 * snapshot first, one journaled change set, an audit line per change, propose mode and rollback.
 */
export { runDream } from './dream-runner.js';
export type { DreamDependencies, DreamOptions, DreamOutcome, DreamPhase, DreamActionSummary } from './dream-runner.js';
export { checkDreamDue } from './dream-trigger.js';
export type { DreamDue } from './dream-trigger.js';
export { dreamStatus } from './dream-status.js';
export type { DreamStatus, DreamSummary } from './dream-status.js';
export { rollbackDream } from './dream-rollback.js';
export type { RollbackDependencies, RollbackResult } from './dream-rollback.js';
export { readTombstones, listDreamRecords, readDreamRecord, readLastDream, dreamLockPath } from './dream-files.js';
export type { DreamRecord, LastDream, ChangedFile } from './dream-files.js';
export type { DreamActionKind, Tombstone } from './dream-plan.js';
export type { IndexOutlook } from './dream-report.js';
export type { HeldRetirement } from './plan-retire.js';
export type { HeldCandidate } from './plan-model.js';
export { resolveRelativeDates } from './relative-dates.js';
export { lineDiff } from './line-diff.js';
export type { DateResolution } from './relative-dates.js';
export { topicFeatures, topicSimilarity, jaccard, overlap, contentTerms, stem } from './topic-similarity.js';
export { conflictingFact } from './plan-conflicts.js';
export type { TopicFeatures } from './topic-similarity.js';
