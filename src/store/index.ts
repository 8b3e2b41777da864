/**
 * store: the three layers on disk. Read views of topics, the index and transcripts (tolerant:
 * bad files are reported, never fatal), and the raw atomic writers that only discipline/ calls.
 */
export {
  TOPIC_TYPES,
  TOPIC_STATUSES,
  SOURCE_KINDS,
  KNOWN_FIELDS,
  evidenceSchema,
  topicSourceSchema,
  topicTypeSchema,
  topicStatusSchema,
  topicLinkSchema,
} from './topic-schema.js';
export type {
  TopicType,
  TopicStatus,
  SourceKind,
  TopicSource,
  Evidence,
  EvidenceKind,
  TopicLink,
  TopicMeta,
  Topic,
  UnreadableTopic,
} from './topic-schema.js';
export { parseTopicText, serializeTopic, splitFrontmatter, readMeta, conflictMarkerLine, CONFLICT_ERROR } from './topic-format.js';
export type { ParsedTopic } from './topic-format.js';
export {
  renderIndexText,
  IndexFill,
  compareIndexRank,
  renderIndexLine,
  parseIndex,
  mergeIndexInPlace,
  compareSlugs,
  sanitizeIndexText,
  indexHasRoomFor,
  INDEX_LINE_MAX,
} from './index-format.js';
export type { IndexEntryInput, IndexBudgetLimits, RenderedIndex, IndexLine, ParsedIndex } from './index-format.js';
export { rootPaths, initRoot, isMemoryRoot, assertMemoryRoot, INDEX_FILE } from './memory-root.js';
export type { RootPaths, InitResult } from './memory-root.js';
export { listTopicFiles, readTopicFile, topicFromBytes, topicPath, topicFileHash, MAX_TOPIC_BYTES } from './topic-files.js';
export type { TopicFileEntry, TopicFileProblem, StoredTopic, TopicRead } from './topic-files.js';
export { writeTopicFile, writeIndexFile, moveTopicToTrash } from './topic-writer.js';
export { appendAudit, readAudit } from './audit-log.js';
export { readFenceToken } from './fence-token.js';
export type { AuditEntry } from './audit-log.js';
export { appendJsonLines, readJsonLines } from './jsonl-file.js';
export type { JsonLine, JsonLinesRead } from './jsonl-file.js';
export {
  appendTranscript,
  readTranscript,
  listSessionFiles,
  sessionFilePath,
  sessionFileName,
  newSessionId,
  isValidSessionId,
  assertSessionId,
  transcriptEventInputSchema,
  MAX_EVENT_TEXT_BYTES,
} from './transcript-store.js';
export type { TranscriptEvent, TranscriptEventInput, SessionFile, TranscriptRead } from './transcript-store.js';
export { STORE_FIELD_WEIGHTS, revisionConflict, countWordTokens, findSessionFile } from './store-ports.js';
export type {
  MemoryStore,
  TopicPort,
  TopicRecord,
  TopicListing,
  TopicWriteOptions,
  TranscriptPort,
  TranscriptFileListing,
  SearchPort,
  StoreSearchOptions,
  StoreTopicHit,
  StoreChange,
} from './store-ports.js';
export { openFileStore } from './file-store.js';
export type { FileStoreOptions } from './file-store.js';
export { openPostgresStore, migrateDatabase, redactDatabaseUrl, isDatabaseUrl, explainPostgresError } from './postgres-store.js';
export type { PostgresStore, PostgresStoreOptions } from './postgres-store.js';
export { openPostgresReplica, replicaCacheBase, replicaRowOf } from './postgres-replica.js';
export type { PostgresReplica, PostgresReplicaOptions, ReplicaPullReport, ReplicaPushReport } from './postgres-replica.js';
export { MIGRATIONS, LATEST_SCHEMA_VERSION, NOTIFY_CHANNEL } from './postgres-schema.js';
export type { Migration, MigrationReport } from './postgres-schema.js';
export {
  transferMemory,
  snapshotStore,
  restoreSnapshot,
  renderArchive,
  parseArchive,
  exportToArchive,
  importFromArchive,
} from './memory-transfer.js';
export type { TransferReport, TransferProgress, TransferOptions, MemorySnapshot } from './memory-transfer.js';
