import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { MnemoError, errnoCode } from '../shared/index.js';

/** One turn of a LoCoMo session. `caption` is the caption of a shared image, if any. */
export interface LocomoTurn {
  /** `D<session>:<turn>`. */
  diaId: string;
  speaker: string;
  text: string;
  caption: string | undefined;
}

export interface LocomoSession {
  /** The `<n>` of `session_<n>`. */
  number: number;
  /** As written in the file, e.g. `1:56 pm on 8 May, 2023`. */
  dateTime: string;
  /** The same moment as ISO-8601 (read as UTC). */
  time: string;
  turns: LocomoTurn[];
}

/** A question with its evidence turns. The answer is deliberately not kept: nothing may read it. */
export interface LocomoQuestion {
  /** Position in the file's `qa` list (0-based). */
  index: number;
  question: string;
  /** 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial. */
  category: number;
  /** Evidence ids present in the conversation, normalized to `D<n>:<m>`. */
  evidence: string[];
  /** Evidence entries that name no turn of the conversation (typos in the data set), kept to report them. */
  unusableEvidence: string[];
}

export interface LocomoConversation {
  /** The file name without `.json`, e.g. `conv-26`. */
  id: string;
  file: string;
  speakers: [string, string];
  sessions: LocomoSession[];
  questions: LocomoQuestion[];
}

const turnSchema = z
  .object({
    speaker: z.string().min(1),
    dia_id: z.string().min(1),
    text: z.string(),
    blip_caption: z.string().optional(),
  })
  .loose();

const questionSchema = z
  .object({
    question: z.string().min(1),
    evidence: z.array(z.string()).default([]),
    category: z.number().int(),
  })
  .loose();

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Read LoCoMo's `1:56 pm on 8 May, 2023` as an ISO time (UTC); undefined when it is not that shape. */
export function parseLocomoDateTime(value: string): string | undefined {
  const match = /^\s*(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})\s*$/i.exec(value);
  if (!match) return undefined;
  const [, hourText, minuteText, half, dayText, monthText, yearText] = match;
  const month = MONTHS.findIndex((name) => name.startsWith((monthText ?? '').toLowerCase()) && (monthText ?? '').length >= 3);
  if (month < 0) return undefined;
  let hour = Number(hourText) % 12;
  if ((half ?? '').toLowerCase() === 'pm') hour += 12;
  const date = new Date(Date.UTC(Number(yearText), month, Number(dayText), hour, Number(minuteText)));
  if (date.getUTCDate() !== Number(dayText)) return undefined;
  return date.toISOString();
}

/** Split and normalize one evidence entry: `D8:6; D9:17` → two ids, `D:11:26` → `D11:26`. */
export function normalizeEvidence(entry: string): string[] {
  return entry
    .split(/[;,\s]+/)
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^D:?(\d+):(\d+)$/i.exec(part);
      return match ? `D${Number(match[1])}:${Number(match[2])}` : part;
    });
}

function invalid(file: string, message: string): MnemoError {
  return new MnemoError('invalid-input', `${file}: ${message}`, {
    hint: 'Each file must be one LoCoMo conversation: speaker_a, speaker_b, session_<n> turn lists with session_<n>_date_time, and qa.',
  });
}

/** Parse one conversation object; `file` names it in errors. Never reads annotations or answers. */
export function parseLocomoConversation(value: unknown, file: string): LocomoConversation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(file, 'not a JSON object');
  const record = value as Record<string, unknown>;
  const speakerA = record.speaker_a;
  const speakerB = record.speaker_b;
  if (typeof speakerA !== 'string' || typeof speakerB !== 'string') throw invalid(file, 'speaker_a and speaker_b must be strings');
  const sessions: LocomoSession[] = [];
  for (const key of Object.keys(record)) {
    const match = /^session_(\d+)$/.exec(key);
    if (!match) continue;
    const number = Number(match[1]);
    const turns = z.array(turnSchema).safeParse(record[key]);
    if (!turns.success) {
      const issue = turns.error.issues[0];
      throw invalid(file, `${key}${issue ? `[${issue.path.join('.')}]: ${issue.message}` : ' is not a list of turns'}`);
    }
    const dateTime = record[`${key}_date_time`];
    if (typeof dateTime !== 'string') throw invalid(file, `${key}_date_time is missing`);
    const time = parseLocomoDateTime(dateTime);
    if (time === undefined) throw invalid(file, `${key}_date_time ${JSON.stringify(dateTime)} is not like "1:56 pm on 8 May, 2023"`);
    sessions.push({
      number,
      dateTime,
      time,
      turns: turns.data.map((turn) => ({ diaId: turn.dia_id, speaker: turn.speaker, text: turn.text, caption: turn.blip_caption })),
    });
  }
  if (sessions.length === 0) throw invalid(file, 'has no session_<n> turn lists');
  sessions.sort((a, b) => a.number - b.number);
  const known = new Set(sessions.flatMap((session) => session.turns.map((turn) => turn.diaId)));
  const qa = z.array(questionSchema).safeParse(record.qa ?? []);
  if (!qa.success) {
    const issue = qa.error.issues[0];
    throw invalid(file, `qa${issue ? `[${issue.path.join('.')}]: ${issue.message}` : ' is not a list of questions'}`);
  }
  const questions = qa.data.map((item, index) => {
    const ids = [...new Set(item.evidence.flatMap(normalizeEvidence))];
    return {
      index,
      question: item.question,
      category: item.category,
      evidence: ids.filter((id) => known.has(id)),
      unusableEvidence: ids.filter((id) => !known.has(id)),
    };
  });
  return { id: basename(file).replace(/\.json$/i, ''), file, speakers: [speakerA, speakerB], sessions, questions };
}

/**
 * Read every `*.json` file of a folder as a LoCoMo conversation, in name order. Throws
 * `invalid-input` naming the folder or the file (and the field) when something is wrong.
 */
export async function loadLocomoDirectory(dir: string): Promise<LocomoConversation[]> {
  try {
    if (!(await stat(dir)).isDirectory())
      throw new MnemoError('invalid-input', `${dir} is not a folder.`, {
        hint: 'Pass --data a folder of LoCoMo conversation files (conv-*.json).',
      });
  } catch (error) {
    if (error instanceof MnemoError) throw error;
    const reason = errnoCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read (${errnoCode(error) ?? String(error)})`;
    throw new MnemoError('invalid-input', `${dir} ${reason}.`, {
      hint: 'Pass --data a folder of LoCoMo conversation files (conv-*.json).',
    });
  }
  const names = (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.json')).sort();
  if (names.length === 0) {
    throw new MnemoError('invalid-input', `${dir} holds no .json files.`, {
      hint: 'Put one LoCoMo conversation per file (conv-26.json, ...) in the folder.',
    });
  }
  const conversations: LocomoConversation[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw invalid(file, `not readable JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    conversations.push(parseLocomoConversation(value, file));
  }
  return conversations;
}
