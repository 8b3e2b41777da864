import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { redactDeep } from '../guard/index.js';
import { recordGuardEvent } from './guard-log.js';
import { summarizeRedactions, type RedactionSummary } from './write-guard.js';
import { withTranscriptFindings } from './transcript-guard.js';
import { z } from 'zod';
import type { WritesMode } from '../config/index.js';
import { MnemoError, errnoCode, type Clock } from '../shared/index.js';
import {
  MAX_EVENT_TEXT_BYTES,
  appendTranscript,
  assertSessionId,
  isValidSessionId,
  newSessionId,
  transcriptEventInputSchema,
  type TranscriptEvent,
  type TranscriptEventInput,
} from '../store/index.js';
import { convertClaudeCodeTranscript, groupBySubagent, type TranscriptFormat } from '../importers/index.js';

export interface TranscriptLogOptions {
  root: string;
  clock: Clock;
  writes: WritesMode;
}

export interface LogResult {
  session: string;
  path: string;
  events: TranscriptEvent[];
  /** Secrets replaced before writing, by kind and count (never the values). */
  redacted: RedactionSummary;
  /** Events whose text was longer than a transcript keeps: its head and tail were kept (bytes). */
  cut: { event: number; bytes: number; kept: number }[];
}

/**
 * Append events with every secret in their text and data redacted first (no secret touches disk),
 * each scanned for injection first: the findings are stored with the event (see transcript-guard.ts).
 */
async function appendRedacted(options: TranscriptLogOptions, session: string, events: readonly TranscriptEventInput[]) {
  const scanned = withTranscriptFindings(events);
  const flagged = scanned.filter((event) => (event as { guard?: unknown }).guard !== undefined);
  const clean = redactDeep(scanned);
  await recordGuardEvent(options.root, {
    time: options.clock.now().toISOString(),
    action: 'flagged',
    where: 'transcript',
    count: flagged.length,
    rules: [
      ...new Set(
        flagged.flatMap(
          (event) => (event as { guard?: { findings: { rule: string }[] } }).guard?.findings.map((finding) => finding.rule) ?? [],
        ),
      ),
    ],
  });
  await recordGuardEvent(options.root, {
    time: options.clock.now().toISOString(),
    action: 'redacted',
    where: 'transcript',
    count: clean.redactions.length,
    rules: [...new Set(clean.redactions.map((item) => item.rule))],
  });
  const written = await appendTranscript(options.root, session, clean.value, options.clock);
  return { ...written, redactions: clean.redactions };
}

function assertLogging(writes: WritesMode): void {
  if (writes === 'off') {
    throw new MnemoError('write-refused', 'Cannot write to transcripts: memory writes are set to "off".', {
      hint: 'Set "writes" to "read-only" (transcripts only), "confirm" or "auto" in mnemo.config.json, or unset MNEMO_WRITES.',
    });
  }
}

/** Validate and append events to a session transcript (layer 3). */
export async function logEvents(options: TranscriptLogOptions, session: string, events: readonly unknown[]): Promise<LogResult> {
  assertLogging(options.writes);
  assertSessionId(session);
  const valid: TranscriptEventInput[] = events.map((event, index) => {
    const parsed = transcriptEventInputSchema.safeParse(event);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`).join('; ');
    throw new MnemoError('invalid-input', `Event ${index + 1} cannot be logged: ${problems}.`, {
      hint: 'Nothing was written; fix the event and try again.',
    });
  });
  const { redactions, ...written } = await appendRedacted(options, session, valid);
  const cut = valid.flatMap((event, index) => {
    const bytes = Buffer.byteLength(event.text);
    return bytes > MAX_EVENT_TEXT_BYTES ? [{ event: index + 1, bytes, kept: MAX_EVENT_TEXT_BYTES }] : [];
  });
  return { session, ...written, redacted: summarizeRedactions(redactions), cut };
}

export interface ImportResult {
  file: string;
  imported: number;
  sessions: string[];
  /** Lines that could not be imported, by number, with why. */
  skipped: { line: number; message: string }[];
  /** Lines imported with a remark (an event kind mnemo gives no meaning to). */
  warnings: { line: number; message: string }[];
  /** The last line, when it is half-written (a session still being written): left out, not an error. */
  partial?: { line: number };
}

/**
 * Event kinds mnemo reads with a meaning (turns, tool calls, errors for lessons, notes). Any
 * other well-formed kind is imported as it is, with a warning, since a misspelt `eror` would
 * never feed a lesson.
 */
export const KNOWN_EVENT_KINDS: readonly string[] = [
  'user',
  'assistant',
  'system',
  'tool-use',
  'tool-call',
  'tool-result',
  'tool-error',
  'error',
  'attempt-failed',
  'fix',
  'note',
  'verdict',
  'task-begun',
  'task-completed',
  'verification-passed',
  'verification-failed',
  'note-quarantined',
  'topic-candidate',
];

function unknownKind(kind: string): string | undefined {
  if (KNOWN_EVENT_KINDS.includes(kind)) return undefined;
  return `kind ${JSON.stringify(kind)} is not one mnemo knows (${KNOWN_EVENT_KINDS.slice(0, 9).join(', ')}, …); imported as it is`;
}

/** The number of the last non-empty line, when the text does not end with a newline (a line still being written). */
function unterminatedLastLine(text: string): number | undefined {
  if (text === '' || text.endsWith('\n')) return undefined;
  return text.split(/\r?\n/).length;
}

const importLineSchema = transcriptEventInputSchema.extend({ session: z.string().optional() });

/**
 * Import a JSONL file of events (`{"kind","text","time"?,"session"?,...}` per line). Lines
 * without a session go to `session` (or a new one). Bad lines are skipped and reported by number;
 * the rest are imported. With `from: 'claude-code'` the file is a Claude Code session transcript,
 * converted first (see `convertClaudeCodeTranscript`); its session id names the session unless
 * `session` is given.
 */
export async function importTranscriptFile(
  options: TranscriptLogOptions,
  file: string,
  session?: string,
  from: TranscriptFormat = 'mnemo',
): Promise<ImportResult> {
  assertLogging(options.writes);
  if (session !== undefined) assertSessionId(session);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = errnoCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read (${errnoCode(error) ?? String(error)})`;
    throw new MnemoError('invalid-input', `${file} ${reason}.`, { hint: 'Pass the path of a .jsonl transcript file.' });
  }
  if (from === 'claude-code') return importClaudeCode(options, file, text, session);
  const fallback = session ?? newSessionId(options.clock);
  const bySession = new Map<string, TranscriptEventInput[]>();
  const skipped: ImportResult['skipped'] = [];
  const warnings: ImportResult['warnings'] = [];
  const lastOpen = unterminatedLastLine(text);
  let partial: ImportResult['partial'];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (index + 1 === lastOpen) partial = { line: index + 1 };
      else skipped.push({ line: index + 1, message: 'not JSON' });
      return;
    }
    const parsed = importLineSchema.safeParse(value);
    if (!parsed.success) {
      skipped.push({
        line: index + 1,
        message: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`).join('; '),
      });
      return;
    }
    const { session: own, ...event } = parsed.data;
    const target = own !== undefined && isValidSessionId(own) ? own : fallback;
    if (own !== undefined && !isValidSessionId(own)) {
      skipped.push({ line: index + 1, message: `session ${JSON.stringify(own)} is not a valid session id` });
      return;
    }
    const remark = unknownKind(event.kind);
    if (remark !== undefined) warnings.push({ line: index + 1, message: remark });
    const events = bySession.get(target) ?? [];
    events.push(event);
    bySession.set(target, events);
  });
  let imported = 0;
  for (const [id, events] of bySession) {
    await appendRedacted(options, id, events);
    imported += events.length;
  }
  return { file, imported, sessions: [...bySession.keys()], skipped, warnings, ...(partial ? { partial } : {}) };
}

/** The subagent transcripts Claude Code keeps beside a session's: `<session>/subagents/agent-*.jsonl`. */
async function subagentFiles(file: string): Promise<string[]> {
  const folder = join(dirname(file), basename(file, '.jsonl'), 'subagents');
  try {
    return (await readdir(folder))
      .filter((name) => /^agent-.+\.jsonl$/.test(name))
      .sort()
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

async function importClaudeCode(options: TranscriptLogOptions, file: string, text: string, session?: string): Promise<ImportResult> {
  const converted = convertClaudeCodeTranscript(text);
  const target =
    session ??
    (converted.sessionId !== undefined && isValidSessionId(converted.sessionId) ? converted.sessionId : newSessionId(options.clock));
  const events = [...converted.events];
  for (const subagent of await subagentFiles(file)) {
    const agent = /^agent-(.+)\.jsonl$/.exec(basename(subagent))?.[1] ?? 'sidechain';
    const lines = convertClaudeCodeTranscript(await readFile(subagent, 'utf8')).events;
    // A subagent's file is its own conversation, whatever its lines say: every line belongs to the child session.
    events.push(
      ...lines.map((event) => ({
        ...event,
        data: { ...event.data, agent: event.data?.agent === undefined || event.data.agent === 'sidechain' ? agent : event.data.agent },
      })),
    );
  }
  const groups = groupBySubagent(events, target);
  for (const [id, grouped] of groups) await appendRedacted(options, id, grouped);
    // a live session's last line may be half-written: left out, not an error
  const lastOpen = unterminatedLastLine(text);
  const partial = converted.skipped.find((item) => item.line === lastOpen && item.message === 'not a JSON object');
  return {
    file,
    imported: events.length,
    sessions: [...groups.keys()],
    skipped: converted.skipped.filter((item) => item !== partial),
    warnings: [],
    ...(partial ? { partial: { line: partial.line } } : {}),
  };
}
