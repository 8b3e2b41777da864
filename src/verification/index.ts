/**
 * verification: memory is a hint. Each evidence item of a topic (file, symbol, package, git,
 * command, http, env) is checked against the world as it is now and yields a verdict:
 * `confirmed`, `contradicted` (with what differs) or `unverifiable` (with why). Checks never
 * throw and never outlive their time budget; commands and HTTP run only for trusted topics and
 * only when allowed. Also: freshness windows, evidence derived from a topic's body, and
 * mechanical heal proposals. Reads the workspace; writes nothing.
 */
export { checkEvidence } from './evidence-check.js';
export type { CheckContext, EvidenceVerdict, VerdictStatus, Trust } from './check-context.js';
export { checkTopic, overallStatus, CHEAP_EVIDENCE_KINDS, EXPENSIVE_EVIDENCE_KINDS, NOT_CHECKED_IN_BUDGET } from './topic-check.js';
export type { TopicCheckOptions, TopicVerdict } from './topic-check.js';
export { describeVerdict, describeTopicVerdict } from './verdict-text.js';
export { isDue, describeAge, describeElapsed, freshnessWindowHours, evidenceFileStamps, filesChangedSince } from './freshness.js';
export type { FreshnessConfig } from './freshness.js';
export { deriveEvidence, keepConfirmedEvidence } from './derived-evidence.js';
export type { DeriveEvidenceOptions } from './derived-evidence.js';
export { proposeHeal } from './heal-proposal.js';
export { applyHeal } from './heal-replacements.js';
export type { HealProposal } from './heal-replacements.js';
export { parseCommandLine } from './command-line.js';
export type { ParsedCommandLine } from './command-line.js';
export { resolveWorkspacePath } from './workspace-path.js';
export type { WorkspacePath } from './workspace-path.js';
