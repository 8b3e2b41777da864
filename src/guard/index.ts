/**
 * guard: the one gate every write to memory passes (remember, promotion, heal, dream, import,
 * MCP). Secret redaction with typed placeholders, a prompt-injection scan, provenance trust and
 * the write decision (allow, or quarantine with reasons). Pure functions, no I/O except
 * resolving a file origin's real path; imports only shared/ and store/ from mnemo.
 */
export { inspectWrite } from './inspect-write.js';
export type {
  GuardDecision,
  WriteCandidate,
  GuardedCandidate,
  CandidateSource,
  FieldFinding,
  FieldRedaction,
  InspectWriteOptions,
} from './inspect-write.js';
export { redactSecrets, redactDeep, findSecrets, placeholderFor } from './redact-secrets.js';
export type { Redaction, RedactOptions } from './redact-secrets.js';
export type { WorkMeter } from './work-meter.js';
export { SECRET_RULES } from './secret-rules.js';
export type { SecretRule } from './secret-rules.js';
export { scanForInjection, GUARD_CODE_URL } from './scan-for-injection.js';
export type { ScanOptions } from './scan-for-injection.js';
export type { Finding, Severity, InjectionFamily, ScanPurpose } from './finding.js';
export { stripInvisible } from './invisible-characters.js';
export { trustFor, isInsideWorkspace } from './source-trust.js';
export type { Trust, TrustSource, TrustOptions } from './source-trust.js';
