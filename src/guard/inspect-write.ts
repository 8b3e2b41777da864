import type { Evidence, SourceKind, TopicSource, TopicType } from '../store/index.js';
import { atLeast, type Finding } from './finding.js';
import { stripInvisible } from './invisible-characters.js';
import { redactDeep, redactSecrets, type Redaction } from './redact-secrets.js';
import { scanForInjection } from './scan-for-injection.js';
import { trustFor, type Trust } from './source-trust.js';

/** Where a write came from, as its caller knows it (trust is the guard's to decide). */
export interface CandidateSource {
  kind: SourceKind;
  origin?: string | undefined;
  session?: string | undefined;
  task?: string | undefined;
  vouchedBy?: string | undefined;
}

/** A topic about to be written: by remember, promotion, heal, dream, import or MCP. */
export interface WriteCandidate {
  name: string;
  description: string;
  type: TopicType;
  body: string;
  tags?: string[] | undefined;
  evidence?: Evidence[] | undefined;
  source: CandidateSource;
}

/** The candidate after the guard: secrets redacted, `source.trust` filled. */
export interface GuardedCandidate extends Omit<WriteCandidate, 'source'> {
  source: TopicSource;
}

/** A finding in one field of the candidate (`name`, `description`, `body`, `evidence[2].run`, …). */
export interface FieldFinding extends Finding {
  field: string;
}

/** A redaction in one field of the candidate; offsets are in that field as given. */
export interface FieldRedaction extends Redaction {
  field: string;
}

export type GuardDecision =
  | { action: 'allow'; candidate: GuardedCandidate; redactions: FieldRedaction[]; findings: FieldFinding[] }
  | { action: 'quarantine'; candidate: GuardedCandidate; reasons: string[]; redactions: FieldRedaction[]; findings: FieldFinding[] };

export interface InspectWriteOptions {
  /** The project the memory belongs to (files inside it are trusted). */
  workspace: string;
  /** Type of the topic this write would change, when it changes one. */
  existingType?: TopicType | undefined;
}

function redactField(field: string, value: string, redactions: FieldRedaction[]): string {
  const result = redactSecrets(value);
  for (const redaction of result.redactions) redactions.push({ ...redaction, field });
  return result.text;
}

/**
 * Scan the field as given, before redaction: a payload shaped like a secret (`token: <base64 of
 * an instruction>`) is redacted away, but its source still tried an injection. Excerpts and
 * messages are redacted so that no secret leaves through a finding.
 */
function scanField(field: string, value: string, purpose: 'topic' | 'evidence-command', findings: FieldFinding[]): void {
  for (const finding of scanForInjection(value, { purpose })) {
    findings.push({ ...finding, excerpt: redactSecrets(finding.excerpt).text, message: redactSecrets(finding.message).text, field });
  }
}

function describeSource(source: CandidateSource): string {
  return source.origin ? `${source.kind} content from ${source.origin}` : `${source.kind} content`;
}

function buildSource(source: CandidateSource, trust: Trust, origin: string | undefined): TopicSource {
  const built: TopicSource = { kind: source.kind, trust };
  if (source.session !== undefined) built.session = source.session;
  if (source.task !== undefined) built.task = source.task;
  if (origin !== undefined) built.origin = origin;
  if (source.vouchedBy !== undefined) built.vouchedBy = source.vouchedBy;
  return built;
}

/** Remove invisible characters from the text fields of an allowed candidate. */
function withoutInvisible(candidate: GuardedCandidate): GuardedCandidate {
  return {
    ...candidate,
    name: stripInvisible(candidate.name),
    description: stripInvisible(candidate.description),
    body: stripInvisible(candidate.body),
    ...(candidate.tags ? { tags: candidate.tags.map(stripInvisible) } : {}),
  };
}

/**
 * The guard every write passes. It redacts secrets in every text field (name, description,
 * body, tags, every string of the evidence, the source's origin), scans name, description and
 * body for injection (and `command` evidence with purpose `evidence-command`), decides trust,
 * and applies the policy:
 * - untrusted content with a finding of severity `medium` or `high` is quarantined;
 * - untrusted content that would create or change a `feedback` topic is quarantined;
 * - `command` evidence from untrusted content is quarantined (verification would run it);
 * - trusted content is allowed; its findings come back for the caller to warn about.
 *
 * The returned candidate is the redacted one (tags that held a secret are dropped); an allowed
 * candidate also has invisible characters removed. Finding and redaction spans refer to each
 * field as given (the scan reads the text before redaction, so a payload dressed as a secret is
 * still judged); excerpts and messages are redacted. Never throws on any string input; the
 * caller validates the shape.
 */
export function inspectWrite(candidate: WriteCandidate, options: InspectWriteOptions): GuardDecision {
  const trust = trustFor(candidate.source, { workspace: options.workspace });
  const redactions: FieldRedaction[] = [];
  const findings: FieldFinding[] = [];

  const name = redactField('name', candidate.name, redactions);
  const description = redactField('description', candidate.description, redactions);
  const body = redactField('body', candidate.body, redactions);
  const tags = candidate.tags?.filter((tag, index) => redactField(`tags[${index}]`, tag, redactions) === tag);
  const origin = candidate.source.origin === undefined ? undefined : redactField('source.origin', candidate.source.origin, redactions);
  let evidence: Evidence[] | undefined;
  if (candidate.evidence) {
    const redacted = redactDeep(candidate.evidence);
    evidence = redacted.value;
    for (const { path, ...redaction } of redacted.redactions) redactions.push({ ...redaction, field: `evidence${path ?? ''}` });
  }

  scanField('name', candidate.name, 'topic', findings);
  scanField('description', candidate.description, 'topic', findings);
  scanField('body', candidate.body, 'topic', findings);
  candidate.evidence?.forEach((item, index) => {
    if (item.kind === 'command') scanField(`evidence[${index}].run`, item.run, 'evidence-command', findings);
    if (item.kind === 'http') scanField(`evidence[${index}].url`, item.url, 'topic', findings);
  });

  const guarded: GuardedCandidate = {
    name,
    description,
    type: candidate.type,
    body,
    ...(tags ? { tags } : {}),
    ...(evidence ? { evidence } : {}),
    source: buildSource(candidate.source, trust, origin),
  };

  const reasons: string[] = [];
  if (trust === 'untrusted') {
    const from = describeSource(candidate.source);
    for (const finding of findings) {
      if (!atLeast(finding.severity, 'medium')) continue;
      reasons.push(
        // the reason names what was found and where, never the payload itself (it lands in lists, transcripts and logs)
        `untrusted ${from}: ${finding.severity} ${finding.family}/${finding.rule} in ${finding.field} at ${finding.start}-${finding.end}: ${finding.message}`,
      );
    }
    if (candidate.type === 'feedback' || options.existingType === 'feedback') {
      reasons.push(
        `untrusted ${from} would ${options.existingType === 'feedback' ? 'change' : 'create'} a feedback topic, which steers how the agent works`,
      );
    }
    evidence?.forEach((item, index) => {
      if (item.kind === 'command')
        reasons.push(
          `untrusted ${from} brings command evidence (evidence[${index}]) that verification would run: ${JSON.stringify(item.run.slice(0, 120))}`,
        );
    });
  }

  if (reasons.length > 0) return { action: 'quarantine', candidate: guarded, reasons, redactions, findings };
  return { action: 'allow', candidate: withoutInvisible(guarded), redactions, findings };
}
