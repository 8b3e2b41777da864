/**
 * git: a memory committed to its repository and shared by a team. `mnemo git setup` (hooks, the
 * MEMORY.md merge driver, attributes), `mnemo git sync` after git changed the files, the
 * pre-commit check that keeps secrets out of commits, and the merge of MEMORY.md itself.
 */
export { setupGit, SYNC_HOOKS, CHECK_HOOK, INDEX_MERGE_DRIVER } from './git-setup.js';
export type { GitSetupOptions, GitSetupReport, GitSetupChange } from './git-setup.js';
export { syncAfterGit } from './git-sync.js';
export { committedAtHead } from './head-blobs.js';
export type { GitSyncReport } from './git-sync.js';
export { checkStagedMemory } from './staged-secrets.js';
export type { StagedCheck, StagedFinding } from './staged-secrets.js';
export { mergeIndexTexts, mergeIndexFiles } from './index-merge.js';
export { addHookBlock, removeHookBlock, shellQuote, HOOK_BEGIN, HOOK_END } from './hook-blocks.js';
export type { HookEdit } from './hook-blocks.js';
export { findRepository, isInside } from './git-repository.js';
export type { GitRepository } from './git-repository.js';
export { gitText } from './git-process.js';
