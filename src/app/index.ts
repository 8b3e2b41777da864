/**
 * app: the composition root. Builds a memory system (store, search index, writer) from the
 * configuration and hands out the library API.
 */
export { openMemory, initMemory } from './open-memory.js';
export type { Memory, OpenMemoryOptions, TopicSummary, ShowResult, ListFilter, MemoryStatus } from './open-memory.js';
