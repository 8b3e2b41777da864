import type { TopicStatus, TopicType } from '../store/index.js';
import type { TurnRecord } from './search-index.js';

/** A ranked topic ready to be packed. */
export interface RecallTopicCandidate {
  slug: string;
  name: string;
  description: string;
  type: TopicType;
  status: TopicStatus;
  body: string;
  score: number;
  /** Lines said before the body: verdicts, age, "unverified", ... */
  caveats: string[];
  /** Extra data that travels with the topic (verdicts, source) in JSON output. */
  details?: Record<string, unknown>;
}

export interface RecallTurnCandidate extends TurnRecord {
  score: number;
}

export interface PackBudget {
  /** At most this many topics. */
  limit: number;
  /** Bytes per topic block. */
  topicBytes: number;
  /** Bytes of the whole answer. */
  callBytes: number;
}

export interface PackedTopic extends RecallTopicCandidate {
  /** The block an agent gets: heading, caveats, body (cut to the per-topic budget). */
  text: string;
  bytes: number;
  /** Set when the body was cut: its full size in bytes. */
  truncatedFrom?: number;
}

export interface PackedTurn extends RecallTurnCandidate {
  /** The line an agent gets: `[session · time · who] text`, cut to the per-topic budget. */
  rendered: string;
  bytes: number;
}

/** Something left out or shortened, said plainly. */
export interface CutNote {
  slug?: string;
  reason: 'topic-budget' | 'call-budget' | 'limit';
  message: string;
}

export interface PackedRecall {
  topics: PackedTopic[];
  turns: PackedTurn[];
  cut: CutNote[];
  bytes: number;
}

const SEPARATOR = '\n\n';
const TURNS_HEADING = '## From transcripts\n';

/** Cut a text to at most `maxBytes` UTF-8 bytes, at a line or word boundary when one is close. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = Buffer.from(text)
    .subarray(0, Math.max(0, maxBytes))
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const boundary = Math.max(cut.lastIndexOf('\n'), cut.lastIndexOf(' '));
  if (boundary > cut.length * 0.6) cut = cut.slice(0, boundary);
  return cut.trimEnd();
}

function topicHeading(topic: RecallTopicCandidate): string {
  const flag = topic.status === 'active' ? '' : ` — ${topic.status.toUpperCase()}`;
  return `## ${topic.name} [${topic.type}] (${topic.slug}.md)${flag}`;
}

/** Render one topic block within `maxBytes`; returns the block and whether the body was cut. */
export function renderTopicBlock(topic: RecallTopicCandidate, maxBytes: number): { text: string; truncatedFrom?: number } {
  const head = [topicHeading(topic), ...topic.caveats.map((caveat) => `> ${caveat}`)].join('\n');
  const body = topic.body.trim();
  const full = `${head}\n${body}`;
  if (Buffer.byteLength(full) <= maxBytes) return { text: full };
  const marker = `\n[… cut: ${Buffer.byteLength(body)} bytes in full; \`mnemo show ${topic.slug}\` for all of it]`;
  const room = maxBytes - Buffer.byteLength(`${head}\n`) - Buffer.byteLength(marker);
  const kept = room > 0 ? cutToBytes(body, room) : '';
  return { text: cutToBytes(`${head}\n${kept}${marker}`, maxBytes), truncatedFrom: Buffer.byteLength(body) };
}

/** One transcript turn as an agent reads it: `[session · time · who] text`. */
export function renderTurnLine(turn: TurnRecord): string {
  const who = turn.speaker ?? turn.role ?? turn.kind;
  const time = turn.time ? ` · ${turn.time.replace(/\.\d{3}Z$/, 'Z')}` : '';
  return `[${turn.session}${time} · ${who}] ${turn.text.trim()}`;
}

/**
 * Pack ranked topics, then ranked turns, into the budgets: at most `limit` topics, each cut to
 * `topicBytes`, all within `callBytes`. Everything shortened or left out gets a cut note.
 */
export function packRecall(
  topics: readonly RecallTopicCandidate[],
  turns: readonly RecallTurnCandidate[],
  budget: PackBudget,
): PackedRecall {
  const packed: PackedRecall = { topics: [], turns: [], cut: [], bytes: 0 };
  const fits = (bytes: number) => packed.bytes + (packed.bytes > 0 ? SEPARATOR.length : 0) + bytes <= budget.callBytes;
  const add = (bytes: number) => {
    packed.bytes += (packed.bytes > 0 ? SEPARATOR.length : 0) + bytes;
  };
  const overCall: string[] = [];
  const overLimit: string[] = [];
  for (const topic of topics) {
    if (packed.topics.length >= budget.limit) {
      overLimit.push(topic.slug);
      continue;
    }
    const block = renderTopicBlock(topic, budget.topicBytes);
    const bytes = Buffer.byteLength(block.text);
    if (!fits(bytes)) {
      overCall.push(topic.slug);
      continue;
    }
    add(bytes);
    packed.topics.push({
      ...topic,
      text: block.text,
      bytes,
      ...(block.truncatedFrom === undefined ? {} : { truncatedFrom: block.truncatedFrom }),
    });
    if (block.truncatedFrom !== undefined) {
      packed.cut.push({
        slug: topic.slug,
        reason: 'topic-budget',
        message: `${topic.slug}: body cut from ${block.truncatedFrom} to fit ${budget.topicBytes} bytes per topic`,
      });
    }
  }
  if (overLimit.length > 0) {
    packed.cut.push({ reason: 'limit', message: `left out by the limit of ${budget.limit} topics: ${overLimit.join(', ')}` });
  }
  let turnsLeftOut = 0;
  for (const turn of turns) {
    const rendered = cutToBytes(renderTurnLine(turn), budget.topicBytes);
    const bytes = Buffer.byteLength(rendered);
    // The first turn also pays for the heading; later ones for their newline.
    const cost = packed.turns.length === 0 ? Buffer.byteLength(TURNS_HEADING) + bytes : 1 + bytes;
    if (!fits(cost)) {
      turnsLeftOut += 1;
      continue;
    }
    if (packed.turns.length === 0) add(cost);
    else packed.bytes += cost;
    packed.turns.push({ ...turn, rendered, bytes });
  }
  if (overCall.length > 0) {
    packed.cut.push({ reason: 'call-budget', message: `left out by the ${budget.callBytes}-byte call budget: ${overCall.join(', ')}` });
  }
  if (turnsLeftOut > 0) {
    packed.cut.push({
      reason: 'call-budget',
      message: `${turnsLeftOut} matching transcript turn(s) left out by the ${budget.callBytes}-byte call budget`,
    });
  }
  return packed;
}

/** The text an agent gets from a recall: topic blocks, then turns, then what was cut. */
export function renderRecallText(packed: PackedRecall): string {
  const parts = packed.topics.map((topic) => topic.text);
  if (packed.turns.length > 0) parts.push(`${TURNS_HEADING}${packed.turns.map((turn) => turn.rendered).join('\n')}`);
  if (packed.cut.length > 0) parts.push(`(cut: ${packed.cut.map((note) => note.message).join('; ')})`);
  return parts.join(SEPARATOR);
}
