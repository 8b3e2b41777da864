import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { redactDeep } from '../guard/index.js';
import { recordGuardEvent } from './guard-log.js';
import { z } from 'zod';
import type { WritesMode } from '../config/index.js';
import { MnemoError, errnoCode, type Clock } from '../shared/index.js';
import {
  appendTranscript,
  assertSessionId,
  isValidSessionId,
  newSessionId,
  transcriptEventInputSchema,
  type TranscriptEvent,
  type TranscriptEventInput,
} from '../store/index.js';
import { convertClaudeCodeTranscript, groupBySubagent, type TranscriptFormat } from './claude-code-transcript.js';

export interface TranscriptLogOptions {
  root: string;
  clock: Clock;
  writes: WritesMode;
}

export interface LogResult {
  session: string;
  path: string;
  events: TranscriptEvent[];
}

/** Append events with every secret in their text and data redacted first (no secret touches disk). */
async function appendRedacted(options: TranscriptLogOptions, session: string, events: readonly TranscriptEventInput[]) {
  const clean = redactDeep(events);
  await recordGuardEvent(options.root, {
    time: options.clock.now().toISOString(),
    action: 'redacted',
    where: 'transcript',
    count: clean.redactions.length,
    rules: [...new Set(clean.redactions.map((item) => item.rule))],
  });
  return appendTranscript(options.root, session, clean.value, options.clock);
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
  const written = await appendRedacted(options, session, valid);
  return { session, ...written };
}

export interface ImportResult {
  file: string;
  imported: number;
  sessions: string[];
  skipped: { line: number; message: string }[];
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
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped.push({ line: index + 1, message: 'not JSON' });
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
    const events = bySession.get(target) ?? [];
    events.push(event);
    bySession.set(target, events);
  });
  let imported = 0;
  for (const [id, events] of bySession) {
    await appendRedacted(options, id, events);
    imported += events.length;
  }
  return { file, imported, sessions: [...bySession.keys()], skipped };
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
  return { file, imported: events.length, sessions: [...groups.keys()], skipped: converted.skipped };
}
