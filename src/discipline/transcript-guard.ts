import { scanForInjection, type InjectionFamily, type Severity } from '../guard/index.js';
import type { RecallTurnCandidate } from '../retrieval/index.js';
import { listSessionFiles, readTranscript, type TranscriptEventInput } from '../store/index.js';

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

/**
 * Turns as recall returns them: scanned again now (a transcript logged before the guard, or edited
 * by hand, is judged like a new one), labelled with their provenance, and withheld when the scan
 * finds something of high severity. The notice names the rule families and the id, never the text.
 */
export function guardRecalledTurns(turns: readonly RecallTurnCandidate[]): { turns: RecallTurnCandidate[]; withheld: number } {
  let withheld = 0;
  const guarded = turns.map((turn) => {
    const trusted = TRUSTED_TURN_KINDS.has(turn.kind);
    const record = scanTranscriptText(turn.text);
    const label = trusted ? undefined : 'untrusted';
    if (record?.severity === 'high') {
      withheld += 1;
      return {
        ...turn,
        text: `[withheld by mnemo: the guard found ${families(record)} in this turn; review it with \`mnemo quarantine show ${turnId(turn.session, turn.line)}\`]`,
        provenance: label ? `${label}, withheld` : 'withheld',
      };
    }
    const flagged = record ? `flagged: ${families(record)}` : undefined;
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
  /** Whether recall withholds it (high severity). */
  withheld: boolean;
  /** Stored with the event when logged, or found by scanning it now (logged before the guard, or edited). */
  found: 'logged' | 'rescanned';
}

/** What review shows of one flagged turn: where it is, what the guard found, whether recall withholds it. */
function transcriptFinding(
  event: { session: string; line: number; time: string; kind: string },
  file: string,
  record: TranscriptGuardRecord,
  logged: boolean,
): TranscriptFinding {
  return {
    id: turnId(event.session, event.line),
    session: event.session,
    line: event.line,
    file,
    time: event.time,
    kind: event.kind,
    severity: record.severity,
    rules: record.findings.map((finding) => finding.rule),
    withheld: record.severity === 'high',
    found: logged ? 'logged' : 'rescanned',
  };
}

/**
 * Every flagged turn of every transcript (stored findings, and a fresh scan of events without
 * any), oldest file first. Reads all transcripts: for review commands, not for hot paths.
 */
export async function listTranscriptFindings(root: string): Promise<TranscriptFinding[]> {
  const found: TranscriptFinding[] = [];
  for (const file of await listSessionFiles(root)) {
    const { events } = await readTranscript(file.path);
    for (const event of events) {
      if (event.injected) continue;
      const stored = (event as { guard?: TranscriptGuardRecord }).guard;
      const record = scanTranscriptText(event.text) ?? (stored && Array.isArray(stored.findings) ? stored : undefined);
      if (!record) continue;
      found.push(transcriptFinding(event, file.name, record, stored !== undefined));
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
  for (const file of await listSessionFiles(root)) {
    if (file.name !== `${session}.jsonl` && !file.name.endsWith(`-${session}.jsonl`)) continue;
    const { events } = await readTranscript(file.path);
    const event = events.find((candidate) => candidate.line === line && candidate.session === session);
    if (!event) continue;
    const stored = (event as { guard?: TranscriptGuardRecord }).guard;
    const record = scanTranscriptText(event.text) ?? stored ?? { severity: 'low' as const, findings: [] };
    return { ...transcriptFinding(event, file.name, record, stored !== undefined), text: event.text, findings: record.findings };
  }
  return undefined;
}
