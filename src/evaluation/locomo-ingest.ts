import { createManualClock, silentLogger, type Logger } from '../shared/index.js';
import { openMemory, type Memory } from '../app/index.js';
import type { MnemoConfig } from '../config/index.js';
import type { TranscriptEventInput } from '../store/index.js';
import type { LocomoConversation, LocomoSession, LocomoTurn } from './locomo-loader.js';

/** The session id a LoCoMo session gets in a memory: `s<n>` (its file is `<date>-s<n>.jsonl`). */
export function locomoSessionId(session: Pick<LocomoSession, 'number'>): string {
  return `s${session.number}`;
}

/** The text of a turn as it is logged: the words, then the shared image's caption. */
export function locomoTurnText(turn: LocomoTurn): string {
  return turn.caption ? `${turn.text} [image: ${turn.caption}]` : turn.text;
}

/** A turn as a transcript event: speaker, session date, and its dia_id in `data`. */
export function locomoTurnEvent(turn: LocomoTurn, session: LocomoSession): TranscriptEventInput {
  return { kind: 'message', speaker: turn.speaker, text: locomoTurnText(turn), time: session.time, data: { dia_id: turn.diaId } };
}

export interface IngestedConversation {
  memory: Memory;
  /** Milliseconds to log every session and build the search index. */
  ingestMs: number;
  turns: number;
}

/**
 * Create a memory at `dir` and ingest a conversation the way an agent's sessions would be
 * logged: one transcript per session, through `memory.log`, with the clock at the session's
 * date; then the search index is brought up to date. Reads turns only (no annotations, no qa).
 */
export async function ingestLocomoConversation(
  conversation: LocomoConversation,
  dir: string,
  logger: Logger = silentLogger,
  config: Partial<MnemoConfig> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<IngestedConversation> {
  const start = performance.now();
  const clock = createManualClock(conversation.sessions[0]?.time);
  const memory = await openMemory({ dir, create: true, clock, logger, cwd: dir, env, config: { writes: 'auto', ...config } });
  let turns = 0;
  for (const session of conversation.sessions) {
    if (session.turns.length === 0) continue;
    clock.set(session.time);
    await memory.log(
      locomoSessionId(session),
      session.turns.map((turn) => locomoTurnEvent(turn, session)),
    );
    turns += session.turns.length;
  }
  await memory.reindex();
  return { memory, ingestMs: performance.now() - start, turns };
}
