import { inspectWrite, redactDeep, redactSecrets, trustFor, type GuardedCandidate, type WriteCandidate } from '../guard/index.js';
import type { Clock } from '../shared/index.js';
import type { TopicType } from '../store/index.js';
import { recordGuardEvent } from './guard-log.js';
import { QuarantineStore, type QuarantineItem } from './quarantine-store.js';
import type { Provenance } from './topic-input.js';

/** What the guard redacted, by kind and count (never the values): `[{ rule: 'github-token', count: 1 }]`. */
export type RedactionSummary = { rule: string; count: number }[];

/** Count redactions per rule, in order of first appearance. */
export function summarizeRedactions(redactions: ReadonlyArray<{ rule: string }>): RedactionSummary {
  const counts = new Map<string, number>();
  for (const redaction of redactions) counts.set(redaction.rule, (counts.get(redaction.rule) ?? 0) + 1);
  return [...counts].map(([rule, count]) => ({ rule, count }));
}

export type GuardedWrite =
  | { ok: true; candidate: GuardedCandidate; warnings: string[]; redacted: RedactionSummary }
  | { ok: false; item: QuarantineItem };

/**
 * The discipline's side of the guard: every write path asks it. Allowed writes come back with
 * secrets redacted and trust decided; held ones go to `.state/quarantine/` with the reasons.
 * What it did is counted in `.state/guard.jsonl` for `status`.
 */
export class WriteGuard {
  readonly quarantine: QuarantineStore;

  constructor(private readonly options: { root: string; workspace: string; clock: Clock }) {
    this.quarantine = new QuarantineStore(options.root, options.clock);
  }

  /** The trust of content from this provenance (untrusted: tool, web, import, files outside the workspace). */
  trustOf(source: Provenance & { vouchedBy?: string }): 'trusted' | 'untrusted' {
    return trustFor(source, { workspace: this.options.workspace });
  }

  private now(): string {
    return this.options.clock.now().toISOString();
  }

  /** Inspect a topic candidate; hold it in quarantine when the guard says so. */
  async inspect(
    candidate: WriteCandidate,
    where: string,
    context: { task?: string; existingType?: TopicType } = {},
  ): Promise<GuardedWrite> {
    const decision = inspectWrite(candidate, {
      workspace: this.options.workspace,
      ...(context.existingType ? { existingType: context.existingType } : {}),
    });
    await recordGuardEvent(this.options.root, {
      time: this.now(),
      action: 'redacted',
      where,
      count: decision.redactions.length,
      rules: [...new Set(decision.redactions.map((redaction) => redaction.rule))],
    });
    if (decision.action === 'quarantine') {
      const item = await this.quarantine.hold({
        candidate: decision.candidate,
        reasons: decision.reasons,
        findings: decision.findings.map(({ field, rule, family, severity, excerpt, message }) => ({
          field,
          rule,
          family,
          severity,
          excerpt,
          message,
        })),
        ...(context.task ? { task: context.task } : {}),
      });
      await recordGuardEvent(this.options.root, {
        time: this.now(),
        action: 'quarantined',
        where,
        count: 1,
        rules: [...new Set(decision.findings.map((finding) => finding.rule))],
      });
      return { ok: false, item };
    }
    const warnings = decision.findings
      .filter((finding) => finding.severity !== 'low')
      .map((finding) => `${finding.field}: ${finding.message} (${finding.rule}, ${finding.severity})`);
    return { ok: true, candidate: decision.candidate, warnings, redacted: summarizeRedactions(decision.redactions) };
  }

  /** Redact secrets anywhere in a value (transcript events, audit lines) before it is written. */
  async redact<T>(value: T, where: string): Promise<T> {
    const result = redactDeep(value);
    await recordGuardEvent(this.options.root, {
      time: this.now(),
      action: 'redacted',
      where,
      count: result.redactions.length,
      rules: [...new Set(result.redactions.map((item) => item.rule))],
    });
    return result.value;
  }

  /** Redact secrets in a text (a topic file about to be written). */
  redactText(text: string): { text: string; count: number } {
    const result = redactSecrets(text);
    return { text: result.text, count: result.redactions.length };
  }
}
