import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanForInjection, type InjectionFamily, type Severity } from '../guard/index.js';
import type { RecallTurnCandidate } from '../retrieval/index.js';
import { MnemoError, errnoCode, sha256, writeFileAtomic, withLock } from '../shared/index.js';
import { appendAudit, listSessionFiles, readTranscript, rootPaths, type TranscriptEventInput } from '../store/index.js';
import { recordGuardEvent } from './guard-log.js';

/**
 * Layer 3 under the guard: what the injection scan found in a transcript event, stored with the
 * event when it is logged (rule, family and severity only: never the payload), and how recall
 * treats turns. Every recalled turn is fenced as data; a turn from anyone but the user or the
 * agent is labelled untrusted; a turn with a high-severity finding is withheld, with a one-line
 * notice and the id to review it (`mnemo quarantine show <session>#<line>`).
 */

/** Kinds written by the user or by the agent itself; every other kind (tool output, errors, imports) is untrusted. */
export const TRUSTED_TURN_KINDS: ReadonlySet<string> = new Set(['user', 'assistant', 'note', 'decision', 'summary']);

/** Stored as `guard` on an event with findings of severity medium or high. */
export interface TranscriptGuardRecord {
  severity: Severity;
  findings: { rule: string; family: InjectionFamily; severity: Severity }[];
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

/** What the scan finds in one event's text (undefined: nothing of medium severity or more). */
export function scanTranscriptText(text: string): TranscriptGuardRecord | undefined {
  const seen = new Map<string, { rule: string; family: InjectionFamily; severity: Severity }>();
  for (const finding of scanForInjection(text, { purpose: 'transcript' })) {
    if (finding.severity === 'low') continue;
    const known = seen.get(finding.rule);
    if (!known || RANK[finding.severity] > RANK[known.severity]) {
      seen.set(finding.rule, { rule: finding.rule, family: finding.family, severity: finding.severity });
    }
  }
  if (seen.size === 0) return undefined;
  const findings = [...seen.values()];
  const severity = findings.some((finding) => finding.severity === 'high') ? 'high' : 'medium';
  return { severity, findings };
}

/**
 * Events as they are logged: any `guard` field a caller sent is dropped (only mnemo says what the
 * guard found), and the scan of each text is stored as `guard`. Texts are scanned as given, before
 * redaction, so a payload dressed as a secret is still judged.
 */
export function withTranscriptFindings(events: readonly TranscriptEventInput[]): TranscriptEventInput[] {
  return events.map((event) => {
    const { guard: _ignored, ...rest } = event as TranscriptEventInput & { guard?: unknown };
    if (event.injected) return rest;
    const record = scanTranscriptText(event.text);
    return record ? { ...rest, guard: record } : rest;
  });
}

/** The id a person reviews a turn by: `<session>#<line>`. */
export function turnId(session: string, line: number): string {
  return `${session}#${line}`;
}

function families(record: TranscriptGuardRecord): string {
  return [...new Set(record.findings.filter((finding) => finding.severity !== 'low').map((finding) => finding.family))].join(', ');
}

/** A person's decision on a flagged turn, kept in `.state/transcript-review.json` by turn id. */
export interface TranscriptReview {
  decision: 'approved' | 'rejected';
  by: string;
  time: string;
  note?: string;
  /** sha256 of the turn's text when it was decided: an approval covers that text only (a turn edited since is judged again). */
  text: string;
}

/** The decisions of the transcript review, by turn id (none: an empty map). */
export type TranscriptReviews = ReadonlyMap<string, TranscriptReview>;

/** Whether a review decided this very text (an edited turn is not covered by an old decision). */
function reviewOf(reviews: TranscriptReviews | undefined, id: string, text: string): TranscriptReview | undefined {
  const review = reviews?.get(id);
  return review !== undefined && review.text === sha256(text) ? review : undefined;
}

/**
 * Turns as recall returns them: scanned again now (a transcript logged before the guard, or edited
 * by hand, is judged like a new one), labelled with their provenance, and withheld when the scan
 * finds something of high severity, unless a person approved the turn in review (then it comes
 * back flagged, and fenced like every turn). A turn a person rejected is withheld whatever its
 * severity. The notice names the rule families and the id, never the text.
 */
export function guardRecalledTurns(
  turns: readonly RecallTurnCandidate[],
  reviews?: TranscriptReviews,
): { turns: RecallTurnCandidate[]; withheld: number } {
  let withheld = 0;
  const guarded = turns.map((turn) => {
    const trusted = TRUSTED_TURN_KINDS.has(turn.kind);
    const record = scanTranscriptText(turn.text);
    const label = trusted ? undefined : 'untrusted';
    const id = turnId(turn.session, turn.line);
    const review = record ? reviewOf(reviews, id, turn.text) : undefined;
    if (record && (review?.decision === 'rejected' || (record.severity === 'high' && review?.decision !== 'approved'))) {
      withheld += 1;
      const why =
        review?.decision === 'rejected' ? `rejected in review (${families(record)})` : `the guard found ${families(record)} in this turn`;
      return {
        ...turn,
        text: `[withheld by mnemo: ${why}; review it with \`mnemo quarantine show ${id}\`]`,
        provenance: label ? `${label}, withheld` : 'withheld',
      };
    }
    const flagged = record ? `flagged: ${families(record)}${review ? `, approved by ${review.by}` : ''}` : undefined;
    const provenance = [label, flagged].filter((part) => part !== undefined).join(', ');
    return provenance === '' ? { ...turn } : { ...turn, provenance };
  });
  return { turns: guarded, withheld };
}

/** A transcript turn the guard flagged, for the quarantine review, doctor and status. */
export interface TranscriptFinding {
  id: string;
  session: string;
  line: number;
  file: string;
  time: string;
  kind: string;
  severity: Severity;
  rules: string[];
  /** Whether recall withholds it (high severity and not approved, or rejected in review). */
  withheld: boolean;
  /** A person's decision on it, when there is one for its text as it is now. */
  review?: Omit<TranscriptReview, 'text'>;
  /** Stored with the event when logged, or found by scanning it now (logged before the guard, or edited). */
  found: 'logged' | 'rescanned';
}

/** What review shows of one flagged turn: where it is, what the guard found, whether recall withholds it. */
function transcriptFinding(
  event: { session: string; line: number; time: string; kind: string; text: string },
  file: string,
  record: TranscriptGuardRecord,
  logged: boolean,
  reviews: TranscriptReviews,
): TranscriptFinding {
  const id = turnId(event.session, event.line);
  const found = reviewOf(reviews, id, event.text);
  const review = found === undefined ? undefined : (({ text: _text, ...rest }) => rest)(found);
  return {
    id,
    session: event.session,
    line: event.line,
    file,
    time: event.time,
    kind: event.kind,
    severity: record.severity,
    rules: record.findings.map((finding) => finding.rule),
    withheld: review?.decision === 'rejected' || (record.severity === 'high' && review?.decision !== 'approved'),
    found: logged ? 'logged' : 'rescanned',
    ...(review === undefined ? {} : { review }),
  };
}

/**
 * Every flagged turn of every transcript (stored findings, and a fresh scan of events without
 * any), oldest file first. Reads all transcripts: for review commands, not for hot paths.
 */
export async function listTranscriptFindings(root: string): Promise<TranscriptFinding[]> {
  const found: TranscriptFinding[] = [];
  const reviews = await readTranscriptReviews(root);
  for (const file of await listSessionFiles(root)) {
    const { events } = await readTranscript(file.path);
    for (const event of events) {
      if (event.injected) continue;
      const stored = (event as { guard?: TranscriptGuardRecord }).guard;
      const record = scanTranscriptText(event.text) ?? (stored && Array.isArray(stored.findings) ? stored : undefined);
      if (!record) continue;
      found.push(transcriptFinding(event, file.name, record, stored !== undefined, reviews));
    }
  }
  return found;
}

/** One flagged turn with its text, for a person to review (`mnemo quarantine show <session>#<line>`). */
export async function showTranscriptFinding(
  root: string,
  id: string,
): Promise<(TranscriptFinding & { text: string; findings: TranscriptGuardRecord['findings'] }) | undefined> {
  const match = /^(.+)#(\d+)$/.exec(id);
  if (!match) return undefined;
  const [, session, lineText] = match;
  const line = Number(lineText);
  const reviews = await readTranscriptReviews(root);
  for (const file of await listSessionFiles(root)) {
    if (file.name !== `${session}.jsonl` && !file.name.endsWith(`-${session}.jsonl`)) continue;
    const { events } = await readTranscript(file.path);
    const event = events.find((candidate) => candidate.line === line && candidate.session === session);
    if (!event) continue;
    const stored = (event as { guard?: TranscriptGuardRecord }).guard;
    const record = scanTranscriptText(event.text) ?? stored ?? { severity: 'low' as const, findings: [] };
    return { ...transcriptFinding(event, file.name, record, stored !== undefined, reviews), text: event.text, findings: record.findings };
  }
  return undefined;
}

function reviewPath(root: string): string {
  return join(rootPaths(root).state, 'transcript-review.json');
}

/** The decisions of the transcript review (a missing or unreadable file: none). */
export async function readTranscriptReviews(root: string): Promise<Map<string, TranscriptReview>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(reviewPath(root), 'utf8'));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || error instanceof SyntaxError) return new Map();
    throw error;
  }
  const reviews = new Map<string, TranscriptReview>();
  if (value === null || typeof value !== 'object') return reviews;
  for (const [id, review] of Object.entries(value as Record<string, Partial<TranscriptReview>>)) {
    if ((review?.decision === 'approved' || review?.decision === 'rejected') && typeof review.text === 'string') {
      reviews.set(id, review as TranscriptReview);
    }
  }
  return reviews;
}

/**
 * A person's decision on a flagged turn: approved, recall returns it flagged and fenced instead
 * of withheld; rejected, recall withholds it whatever its severity. Kept by turn id with a hash of
 * the text it covers, written to the audit trail (id, kind, rules and note: never the text) and
 * counted in the guard log. A turn the guard did not flag has nothing to review.
 */
export async function reviewTranscriptTurn(
  root: string,
  id: string,
  decision: TranscriptReview['decision'],
  options: { by?: string; note?: string; now: () => string },
): Promise<TranscriptFinding> {
  const turn = await showTranscriptFinding(root, id);
  if (!turn) {
    throw new MnemoError('not-found', `No transcript turn ${id}.`, {
      hint: 'See `mnemo quarantine list --transcripts` for the flagged turns.',
    });
  }
  if (turn.findings.length === 0) {
    throw new MnemoError(
      'invalid-input',
      `The guard did not flag ${id}; there is nothing to ${decision === 'approved' ? 'approve' : 'reject'}.`,
      {
        hint: 'See `mnemo quarantine list --transcripts` for the flagged turns.',
      },
    );
  }
  const by = options.by ?? 'user';
  const time = options.now();
  const note = options.note?.trim() ? options.note.trim().slice(0, 500) : undefined;
  const review: TranscriptReview = { decision, by, time, ...(note === undefined ? {} : { note }), text: sha256(turn.text) };
  const path = reviewPath(root);
  await withLock(join(rootPaths(root).locks, 'transcript-review.lock'), { purpose: `review ${id}` }, async () => {
    const reviews = await readTranscriptReviews(root);
    reviews.set(id, review);
    await writeFileAtomic(path, `${JSON.stringify(Object.fromEntries(reviews), null, 2)}\n`);
  });
  await appendAudit(root, {
    time,
    action: decision === 'approved' ? 'transcript-turn-approved' : 'transcript-turn-rejected',
    id,
    actor: by,
    ...(note === undefined ? {} : { reason: note }),
    details: { kind: turn.kind, severity: turn.severity, rules: turn.rules },
  });
  await recordGuardEvent(root, { time, action: decision, where: 'transcript', count: 1, rules: turn.rules });
  const { text: _text, ...decided } = review;
  const withheld = decision === 'rejected';
  const { text: _turnText, findings: _findings, ...finding } = turn;
  return { ...finding, withheld, review: decided };
}
