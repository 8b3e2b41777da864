/**
 * recall: reading memory for a task. Search, check on use of the candidates, screening of hand
 * edits, lessons whose signature matches, the packed and fenced result.
 */
export { recallMemory, assertSearchable } from './recall.js';
export type { RecallOptions, RecallResult, RecallDependencies } from './recall.js';
export { screenHandEdits } from './hand-edit-screen.js';
export { untrustedProvenance } from './recall.js';
export { memoryFence, fenceTopicText, fenceIndexText } from './agent-fence.js';
