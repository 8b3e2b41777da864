/**
 * agent: the runtime that works on a project for hours without drowning in its own history. The
 * query engine (model ↔ tools on the AI SDK, read-only calls in parallel, retries with backoff,
 * usage per step, events for UIs), permissions for tool calls, memory in the loop (the index in
 * the system prompt, recall for the goal and after failures, every run a task under the write
 * discipline) and context management (compaction into a summary, aged tool results). Loaded
 * lazily: it imports the AI SDK. Sub-agents: the `agent` tool starts workers with a fresh context,
 * in parallel (a limiter), optionally each in its own git worktree (a pool with crash clean-up);
 * their notes are staged in the parent's task, which alone promotes them.
 */
export { QueryEngine } from './query-engine.js';
export type { QueryEngineOptions, EngineLimits, EngineHooks } from './query-engine.js';
export { runAgentTask, openAgentSession, compactThreshold } from './agent-runtime.js';
export type { AgentMemory, AgentLimits, AgentOutcome, AgentRunResult, AgentRunOptions, AgentSession } from './agent-runtime.js';
export type { AgentEvent, EngineResult, EngineOutcome, StepRecord, TokenUsage, ToolCallRecord } from './agent-events.js';
export { createPermissionPolicy, parseRule, destructiveReason } from './permissions.js';
export type { PermissionRule, PermissionRules, PermissionDecision, PermissionPrompt, PermissionAction } from './permissions.js';
export { createScriptedAgentModel } from './scripted-agent-model.js';
export type { ScriptedAgentModel, ScriptedAgentStep, ScriptedStep, ScriptedRequest } from './scripted-agent-model.js';
export type { RetryPolicy } from './provider-retry.js';
export { estimateTokens } from './context-history.js';
export { createSubAgents, SUB_AGENT_DEFAULT_TOOLS } from './sub-agents.js';
export type { SubAgentReport, SubAgentOptions, SubAgentModelRequest, SubAgents } from './sub-agents.js';
export { createLimiter } from './concurrency-limiter.js';
export type { ConcurrencyLimiter } from './concurrency-limiter.js';
export { WorktreePool, cleanDeadWorktrees, gitWithIdentity } from './worktree-pool.js';
export type { Worktree, WorktreeChanges, WorktreeCleanup, WorktreePoolOptions } from './worktree-pool.js';
