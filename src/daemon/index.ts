/**
 * daemon: the long-lived process of a memory root. Watches the workspace, runs the checks on
 * change and on schedule, parses their output into diagnostics with error signatures, logs them
 * into its own transcript session, matches lessons and notifies the configured sinks.
 * Patch jobs: an agent in a fresh git worktree, every check rerun there, a verified patch offered
 * as a branch and a patch file. Never writes the user's files except `apply` (or `daemon.autoApply`);
 * one daemon per root (a lock under `.state/daemon/`).
 */
export { runDaemon, DAEMON_SESSION } from './run-daemon.js';
export type { RunDaemonOptions, DaemonMemory } from './run-daemon.js';
export { startDaemon, stopDaemon, daemonStatus, readLogTail } from './daemon-control.js';
export type { DaemonStatus, StartOptions, StartResult, StopResult } from './daemon-control.js';
export { daemonPaths } from './daemon-paths.js';
export type { DaemonPaths } from './daemon-paths.js';
export type { DaemonState, CheckState } from './daemon-state.js';
export { resolveChecks, runCheck } from './daemon-checks.js';
export type { DaemonCheck, CheckRun } from './daemon-checks.js';
export { parseDiagnostics, diagnosticLocation } from './parse-diagnostics.js';
export type { Diagnostic } from './parse-diagnostics.js';
export { sendNotification } from './notify-sinks.js';
export type { DaemonNotification, SinkResult } from './notify-sinks.js';
export { createFileLogger } from './daemon-logger.js';
export { PatchJobs, signatureSlug } from './patch-job.js';
export type { PatchJobsOptions, PatchJobsState, PatchDecision, PatchMemory, PatchModelFactory } from './patch-job.js';
export { patchPaths, listPatches, readPatch, applyPatch, dropPatch, changedSince } from './patch-store.js';
export type { PatchPaths, PatchRecord, PatchFile, ApplyResult, DropResult } from './patch-store.js';
export { patchTask } from './patch-agent.js';
