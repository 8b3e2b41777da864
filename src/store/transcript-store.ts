import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MnemoError, errnoCode, randomToken, type Clock } from '../shared/index.js';
import { appendJsonLines, readJsonLines } from './jsonl-file.js';
import { rootPaths } from './memory-root.js';

/** Largest event text kept in a transcript; longer texts keep their head and tail. */
export const MAX_EVENT_TEXT_BYTES = 256 * 1024;

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const KIND = /^[a-z][a-z0-9-]{0,39}$/;

/** What a caller appends; `time` defaults to now. */
export const transcriptEventInputSchema = z
  .object({
    kind: z.string().regex(KIND, 'a kind is lower-case letters, digits and "-", like user, assistant, tool-result, error'),
    text: z.string(),
    time: z
      .string()
      .refine((value) => !Number.isNaN(Date.parse(value)), 'not a date')
      .optional(),
    role: z.string().max(40).optional(),
    speaker: z.string().max(120).optional(),
    task: z.string().max(96).optional(),
    /** Text that mnemo itself put into an agent's context: never extracted again as a fact. */
    injected: z.boolean().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type TranscriptEventInput = z.infer<typeof transcriptEventInputSchema>;

/** One line of `sessions/*.jsonl`. */
export interface TranscriptEvent extends TranscriptEventInput {
  v: 1;
  session: string;
  time: string;
}

export interface SessionFile {
  /** File name inside `sessions/`. */
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** Whether `id` can name a session (it becomes part of a file name). */
export function isValidSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

export function assertSessionId(id: string): void {
  if (!isValidSessionId(id)) {
    throw new MnemoError('invalid-input', `${JSON.stringify(id)} is not a session id.`, {
      hint: 'Use letters, digits, ".", "_" and "-" (up to 96 characters), e.g. 2026-11-22-a1b2.',
    });
  }
}

/** A new session id: the date and a short random part, e.g. `2026-11-22-k3x9`. */
export function newSessionId(clock: Clock): string {
  return `${clock.now().toISOString().slice(0, 10)}-${randomToken(4)}`;
}

/** `sessions/<date>-<id>.jsonl`, or `<id>.jsonl` when the id starts with a date already. */
export function sessionFileName(sessionId: string, now: Date): string {
  return /^\d{4}-\d{2}-\d{2}-/.test(sessionId) ? `${sessionId}.jsonl` : `${now.toISOString().slice(0, 10)}-${sessionId}.jsonl`;
}

/** All transcript files, oldest name first. */
export async function listSessionFiles(root: string): Promise<SessionFile[]> {
  const folder = rootPaths(root).sessions;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const files: SessionFile[] = [];
  for (const name of names.filter((candidate) => candidate.endsWith('.jsonl')).sort()) {
    const path = join(folder, name);
    try {
      const stats = await stat(path);
      if (stats.isFile()) files.push({ name, path, size: stats.size, mtimeMs: stats.mtimeMs });
    } catch {
      // vanished between readdir and stat
    }
  }
  return files;
}

/** The file that holds a session: the existing one, or where a new one goes. */
export async function sessionFilePath(root: string, sessionId: string, now: Date): Promise<string> {
  assertSessionId(sessionId);
  const existing = (await listSessionFiles(root)).find(
    (file) => file.name === `${sessionId}.jsonl` || file.name.endsWith(`-${sessionId}.jsonl`),
  );
  return existing?.path ?? join(rootPaths(root).sessions, sessionFileName(sessionId, now));
}

/** A text cut to `MAX_EVENT_TEXT_BYTES` (head and tail kept), as a transcript stores it. */
export function capText(text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= MAX_EVENT_TEXT_BYTES) return text;
  const half = Math.floor(MAX_EVENT_TEXT_BYTES / 2);
  const buffer = Buffer.from(text);
  const head = buffer
    .subarray(0, half)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const tail = buffer
    .subarray(bytes - half)
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
  return `${head}\n[… ${bytes - 2 * half} bytes cut by mnemo]\n${tail}`;
}

/**
 * Append events to a session's transcript in one write. The caller has redacted secrets.
 * Returns the file written.
 */
export async function appendTranscript(
  root: string,
  sessionId: string,
  events: readonly TranscriptEventInput[],
  clock: Clock,
): Promise<{ path: string; events: TranscriptEvent[] }> {
  const now = clock.now();
  const path = await sessionFilePath(root, sessionId, now);
  const lines: TranscriptEvent[] = events.map((event) => ({
    ...event,
    v: 1,
    session: sessionId,
    time: event.time ?? now.toISOString(),
    text: capText(event.text),
  }));
  await appendJsonLines(path, lines);
  return { path, events: lines };
}

export interface TranscriptRead {
  events: (TranscriptEvent & { line: number })[];
  problems: { line: number; message: string }[];
  nextOffset: number;
  nextLine: number;
}

/** Read a transcript from a byte offset; bad lines are reported with their number and skipped. */
export async function readTranscript(path: string, offset = 0, firstLine = 1): Promise<TranscriptRead> {
  const read = await readJsonLines(path, offset, firstLine);
  const events: TranscriptRead['events'] = [];
  const problems = [...read.problems];
  for (const { value, line } of read.lines) {
    const event = value as Partial<TranscriptEvent> | null;
    if (event === null || typeof event !== 'object' || typeof event.text !== 'string' || typeof event.kind !== 'string') {
      problems.push({ line, message: 'not a transcript event (needs kind and text)' });
      continue;
    }
    events.push({
      ...(event as TranscriptEvent),
      v: 1,
      session: typeof event.session === 'string' ? event.session : '',
      time: typeof event.time === 'string' ? event.time : '',
      line,
    });
  }
  return { events, problems, nextOffset: read.nextOffset, nextLine: read.nextLine };
}
