/**
 * app: the composition root. Builds a memory system (store, search index, writer) from the
 * configuration and hands out the library API.
 */
export { openMemory, initMemory } from './open-memory.js';
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
} from './open-memory.js';
export { checkDreamDueFor } from './dream-wiring.js';
export type { DreamApi } from './dream-wiring.js';
export { aiSdkTools } from './memory-tools.js';
export type { AiToolsOptions } from './memory-tools.js';
export type { Agent, AgentOptions, AgentRunRequest } from './agent-wiring.js';
export type { AgentEvent, AgentRunResult, AgentSession } from '../agent/index.js';
export type { MemoryRecords, TopicRecord, TopicVersion, DreamReportRecord, SessionSummary } from './memory-records.js';
