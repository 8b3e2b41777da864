/**
 * mnemo: self-healing long-term memory for AI agents. The public library API.
 */
export { openMemory, initMemory } from './app/index.js';
export type {
  Memory,
  OpenMemoryOptions,
  TopicSummary,
  ShowResult,
  ListFilter,
  MemoryStatus,
  MemoryStoreLocation,
  TermStatistics,
  FindFilter,
  AiToolsOptions,
} from './app/index.js';
export { memoryTools, MEMORY_TOOL_NAMES } from './tools/index.js';
export type { ToolDefinition, ToolOutcome, ToolHints, MemoryToolName, MemoryToolApi, MemoryToolsOptions } from './tools/index.js';
export type { TranscriptFormat } from './importers/index.js';
export type { RecallOptions, RecallResult } from './recall/index.js';
export type {
  WriteResult,
  ForgetResult,
  IndexReport,
  IndexCheck,
  IndexProblem,
  LogResult,
  ImportResult,
  TopicInput,
} from './discipline/index.js';
export type { TopicMeta, TopicType, TopicStatus, Evidence, TopicSource, TranscriptEventInput, TranscriptEvent } from './store/index.js';
export type { MnemoConfig, WritesMode, StoreConfig } from './config/index.js';
export { openFileStore, openPostgresStore, migrateDatabase, transferMemory } from './store/index.js';
export type {
  MemoryStore,
  PostgresStore,
  PostgresStoreOptions,
  TopicRecord,
  TopicListing,
  StoreChange,
  StoreTopicHit,
  MigrationReport,
  TransferReport,
} from './store/index.js';
export type { DreamApi } from './app/index.js';
export type {
  DreamOptions,
  DreamOutcome,
  DreamPhase,
  DreamActionSummary,
  DreamStatus,
  DreamSummary,
  DreamDue,
  RollbackResult,
  Tombstone,
} from './dream/index.js';
export { createScriptedModel, createModel } from './providers/index.js';
export type { LanguageModelPort, ModelRequest, ModelResponse, ScriptedModel } from './providers/index.js';
export { MnemoError, isMnemoError, createManualClock, systemClock } from './shared/index.js';
export type { Clock, ManualClock, Logger, MnemoErrorCode } from './shared/index.js';
export type { Agent, AgentOptions, AgentRunRequest } from './app/index.js';
export type {
  AgentEvent,
  AgentLimits,
  AgentOutcome,
  AgentRunResult,
  StepRecord,
  TokenUsage,
  PermissionRules,
  PermissionPrompt,
} from './agent/index.js';
export type { ToolCallContext, WorkspaceToolName } from './tools/index.js';
