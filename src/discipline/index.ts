/**
 * discipline: the only writer of topics and of the index. Change sets through a journal,
 * remember/forget, index rendering and checking, tasks and promotion, lessons, the write guard
 * and the transcript log. Readers that act on memory (recall, doctor, quarantine review) live in
 * their own folders one layer up.
 */
export { MemoryWriter } from './memory-writer.js';
export type {
  MemoryWriterOptions,
  IndexReport,
  IndexProblem,
  IndexCheck,
  CommitResult,
  WriteResult,
  ForgetResult,
} from './memory-writer.js';
export { applyChangeSet, recoverJournals, findConflicts } from './change-set.js';
export { TOMBSTONES_DIR, newTombstone, readTombstoneFiles, pendingTombstones, tombstoneMatches } from './tombstone-files.js';
export type { TombstoneFile, FoundTombstone, TombstoneFileWrite } from './tombstone-files.js';
export { prunedTombstonePath } from './tombstone-pruning.js';
export type { TombstonePruning } from './tombstone-pruning.js';
export type {
  ChangeSet,
  StateFileWrite,
  TopicFileWrite,
  TopicFileRemoval,
  Conflict,
  ConflictPolicy,
  ChangePhase,
  PhaseHook,
} from './change-set.js';
export { indexEntries, indexRank } from './index-ranking.js';
export { computeBoundedIndex, computeFullIndex } from './index-renderer.js';
export type { IndexRenderContext } from './index-renderer.js';
export type { UsageCounts } from './index-ranking.js';
export { UsageLog, RankUsage, RANK_USAGE_FILE, recordRecallHits, usagePath } from './usage-counts.js';
export type { TopicUsage } from './usage-counts.js';
export { parseTopicInput, topicInputSchema, provenanceKindSchema, MAX_BODY_BYTES } from './topic-input.js';
export type { TopicInput, ValidTopicInput, Provenance } from './topic-input.js';
export { logEvents, importTranscriptFile } from './transcript-log.js';
export type { TranscriptLogOptions, LogResult, ImportResult } from './transcript-log.js';
export { TaskService } from './task-service.js';
export type { TaskServiceOptions, BeginTaskInput, CompleteResult, CompleteOutcome } from './task-service.js';
export { TaskStore, TASK_STATUSES, isOpenStatus } from './task-store.js';
export type { TaskRecord, TaskStatus, StagedNote, TaskAttempt, TaskError, PromotedTopic } from './task-store.js';
export {
  errorSignature,
  matchesSignature,
  matchesNormalizedSignature,
  normalizeErrorText,
  specificSignature,
  exampleLine,
} from './error-signature.js';
export { textSimilarity, SUPERSEDE_THRESHOLD } from './note-similarity.js';
export { EvidenceService } from './evidence-service.js';
export type { EvidenceServiceOptions, CheckOptions, TopicCheckOutcome, VerifyReport } from './evidence-service.js';
export {
  readVerdicts,
  appendVerdict,
  readVerifiedAt,
  readVerifiedTimes,
  readVerifiedTimesOf,
  verifiedAt,
  lastConfirmed,
} from './verdict-history.js';
export type { VerdictRecord } from './verdict-history.js';
export { recordVerifiedTime } from './verified-migration.js';
export { rememberFact } from './remember-fact.js';
export type { RememberResult, RememberInput, RememberDependencies } from './remember-fact.js';
export { WriteGuard } from './write-guard.js';
export type { GuardedWrite, RedactionSummary } from './write-guard.js';
export { QuarantineStore } from './quarantine-store.js';
export type { QuarantineItem } from './quarantine-store.js';
export { recordGuardEvent, guardTotals } from './guard-log.js';
export type { GuardEvent } from './guard-log.js';
export type { NoteResult } from './task-service.js';
export { ManifestReader, readManifest, recordInManifest, isRecorded } from './integrity-manifest.js';
export { unlessUnwritable } from './best-effort.js';
export type { GitArrivals, CommittedCheck } from './git-arrivals.js';
export type { Manifest } from './integrity-manifest.js';
export {
  listTranscriptFindings,
  showTranscriptFinding,
  readTranscriptReviews,
  reviewTranscriptTurn,
  scanTranscriptText,
  guardRecalledTurns,
  turnId,
  TRUSTED_TURN_KINDS,
} from './transcript-guard.js';
export type { TranscriptFinding, TranscriptGuardRecord, TranscriptReview, TranscriptReviews } from './transcript-guard.js';
