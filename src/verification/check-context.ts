import type { Clock, ProcessRunner } from '../shared/index.js';
import type { Evidence } from '../store/index.js';

/** Whether a topic's provenance is trusted; untrusted topics never run commands or HTTP. */
export type Trust = 'trusted' | 'untrusted';

/** The three outcomes of checking evidence against the world as it is now. */
export type VerdictStatus = 'confirmed' | 'contradicted' | 'unverifiable';

/**
 * Everything a checker may use. One context per topic: `trust` and `body` belong to the topic
 * whose evidence is checked. Nothing here is read from the process; the app passes it all.
 */
export interface CheckContext {
  /** The project folder evidence is checked against; paths and globs never leave it. */
  workspace: string;
  /** Source of `durationMs` and `checkedAt`. */
  clock: Clock;
  /** Provenance of the topic: untrusted topics never run commands or HTTP requests. */
  trust: Trust;
  /** `verification.allowCommands`: `command` evidence runs only when true (and trusted). */
  allowCommands: boolean;
  /** `verification.allowHttp`: `http` evidence runs only when true (and trusted, and the host is allowed). */
  allowHttp: boolean;
  /** Hosts `http` evidence may reach: `example.com`, `*.example.com`, `127.0.0.1:8080`. */
  allowedHosts: string[];
  /** Limit of one command or request; also the limit of any single check. */
  commandTimeoutMs: number;
  /** How programs run (git, commands). Default: the real runner of shared/. */
  runner?: ProcessRunner;
  /** How HTTP requests are made. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Aborts the checks still running. */
  signal?: AbortSignal;
  /**
   * The environment `env` evidence is checked against, passed by the app (verification never
   * reads process.env). When absent, `env` evidence is unverifiable rather than contradicted.
   */
  env?: Record<string, string | undefined>;
  /**
   * The body of the topic the evidence supports. When given, a `file` evidence whose `contains`
   * has a capture group is contradicted if the value the body states differs from the file's.
   */
  body?: string;
}

/** The result of checking one evidence item. Never thrown: every failure is a verdict. */
export interface EvidenceVerdict {
  evidence: Evidence;
  status: VerdictStatus;
  /** What was found: for `contradicted` what differs, for `unverifiable` why it was not checked. */
  detail: string;
  /** What the check saw (versions, files, exit code, captured values); never secrets. */
  observed?: Record<string, unknown>;
  durationMs: number;
}

/** What a checker returns; the dispatcher adds the evidence and the duration. */
export interface CheckOutcome {
  status: VerdictStatus;
  detail: string;
  observed?: Record<string, unknown>;
}

export type FileEvidence = Extract<Evidence, { kind: 'file' }>;
export type SymbolEvidence = Extract<Evidence, { kind: 'symbol' }>;
export type PackageEvidence = Extract<Evidence, { kind: 'package' }>;
export type GitEvidence = Extract<Evidence, { kind: 'git' }>;
export type CommandEvidence = Extract<Evidence, { kind: 'command' }>;
export type HttpEvidence = Extract<Evidence, { kind: 'http' }>;
export type EnvEvidence = Extract<Evidence, { kind: 'env' }>;

function outcome(status: VerdictStatus, detail: string, observed?: Record<string, unknown>): CheckOutcome {
  return observed === undefined ? { status, detail } : { status, detail, observed };
}

export function confirmed(detail: string, observed?: Record<string, unknown>): CheckOutcome {
  return outcome('confirmed', detail, observed);
}

export function contradicted(detail: string, observed?: Record<string, unknown>): CheckOutcome {
  return outcome('contradicted', detail, observed);
}

export function unverifiable(detail: string, observed?: Record<string, unknown>): CheckOutcome {
  return outcome('unverifiable', detail, observed);
}
