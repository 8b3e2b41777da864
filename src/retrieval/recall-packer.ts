import { fenceClose, fenceOpen, neutralizeFenced, type DataFence } from '../shared/index.js';
import type { TopicStatus, TopicType } from '../store/index.js';
import { countTextTokens, packTurns, type PackedTurn, type RecallTurnCandidate } from './turn-packer.js';
import { renderTurnSection } from './turn-render.js';
import type { TurnRecord } from './turn-table.js';

export type { PackedTurn, RecallTurnCandidate } from './turn-packer.js';

/** A ranked topic ready to be packed. */
export interface RecallTopicCandidate {
  slug: string;
  name: string;
  description: string;
  type: TopicType;
  status: TopicStatus;
  body: string;
  score: number;
  /** Cosine similarity to the query (1 = same direction), when hybrid recall's vector side found it among its nearest. */
  similarity?: number;
  /** Lines said before the body: verdicts, age, "unverified", ... */
  caveats: string[];
  /** Extra data that travels with the topic (verdicts, source) in JSON output. */
  details?: Record<string, unknown>;
  /** Where it lives, when not `<slug>.md` (a staged note: `staged in task t-…`). */
  location?: string;
  /**
   * Its provenance when it is untrusted (`untrusted topic from web: https://…`): with a fence,
   * its body is fenced as data under that provenance.
   */
  fenced?: string;
}

export interface PackBudget {
  /** At most this many topics. */
  limit: number;
  /** Bytes per topic block. */
  topicBytes: number;
  /** Bytes of the whole answer. */
  callBytes: number;
  /** Tokens of the whole answer (o200k, counted on the text an agent gets), when set. */
  callTokens?: number;
}

export interface PackedTopic extends RecallTopicCandidate {
  /** The block an agent gets: heading, caveats, body (cut to the per-topic budget). */
  text: string;
  bytes: number;
  /** Set when the body was cut: its full size in bytes. */
  truncatedFrom?: number;
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
  /** Tokens of the rendered text (`renderRecallText`). */
  tokens: number;
  /** The fence that untrusted topics and the transcript part are rendered in, when set. */
  fence?: DataFence;
}

const SEPARATOR = '\n\n';

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
  return `## ${topic.name} [${topic.type}] (${topic.location ?? `${topic.slug}.md`})${flag}`;
}

/** Render one topic block within `maxBytes`; returns the block and whether the body was cut. */
export function renderTopicBlock(
  topic: RecallTopicCandidate,
  maxBytes: number,
  fence?: DataFence,
): { text: string; truncatedFrom?: number } {
  const fenced = fence !== undefined && topic.fenced !== undefined;
  // a fenced topic is fenced whole: its name and description are as untrusted as its body
  const clean = (text: string) => (fenced ? neutralizeFenced(text, fence) : text);
  const open = fenced ? `${fenceOpen(fence, topic.fenced ?? '')}\n` : '';
  const close = fenced ? `\n${fenceClose(fence)}` : '';
  const head = open + clean([topicHeading(topic), ...topic.caveats.map((caveat) => `> ${caveat}`)].join('\n'));
  const body = clean(topic.body.trim());
  const full = `${head}\n${body}${close}`;
  if (Buffer.byteLength(full) <= maxBytes) return { text: full };
  const marker = `\n[… cut: ${Buffer.byteLength(body)} bytes in full; \`mnemo show ${topic.slug}\` for all of it]`;
  const room = maxBytes - Buffer.byteLength(`${head}\n${close}`) - Buffer.byteLength(marker);
  const kept = room > 0 ? cutToBytes(body, room) : '';
  // the close line is never cut off: the head and the body give way first
  const text = fenced
    ? `${cutToBytes(`${head}\n${kept}`, Math.max(0, maxBytes - Buffer.byteLength(close + marker)))}${marker}${close}`
    : cutToBytes(`${head}\n${kept}${marker}`, maxBytes);
  return { text, truncatedFrom: Buffer.byteLength(body) };
}

/**
 * One transcript turn on a line of its own: `[session · time · who] text`. Recall lays turns out
 * by session instead (`renderTurnSection`); this is the single-line form (the LoCoMo baseline uses it).
 */
export function renderTurnLine(turn: Pick<TurnRecord, 'session' | 'time' | 'speaker' | 'role' | 'kind' | 'text'>): string {
  const who = turn.speaker ?? turn.role ?? turn.kind;
  const time = turn.time ? ` · ${turn.time.replace(/\.\d{3}Z$/, 'Z')}` : '';
  return `[${turn.session}${time} · ${who}] ${turn.text.trim()}`;
}

/**
 * Pack ranked topics, then ranked turns, into the budgets: at most `limit` topics, each cut to
 * `topicBytes`, all within `callBytes` and, when set, `callTokens` (counted on the rendered text,
 * cut notes included). Turns are laid out by session (`renderTurnSection`). Everything
 * shortened or left out gets a cut note.
 */
export function packRecall(
  topics: readonly RecallTopicCandidate[],
  turns: readonly RecallTurnCandidate[],
  budget: PackBudget,
  options: { keepDuplicates?: boolean; fence?: DataFence } = {},
): PackedRecall {
  const packed: PackedRecall = { topics: [], turns: [], cut: [], bytes: 0, tokens: 0, ...(options.fence ? { fence: options.fence } : {}) };
  const tokenLimit = budget.callTokens ?? Number.POSITIVE_INFINITY;
  const separatorTokens = budget.callTokens === undefined ? 0 : countTextTokens(SEPARATOR);
  let tokens = 0;
  const fits = (bytes: number, blockTokens: number) =>
    packed.bytes + (packed.bytes > 0 ? SEPARATOR.length : 0) + bytes <= budget.callBytes &&
    tokens + (tokens > 0 ? separatorTokens : 0) + blockTokens <= tokenLimit;
  const overCall: string[] = [];
  const overLimit: string[] = [];
  for (const topic of topics) {
    if (packed.topics.length >= budget.limit) {
      overLimit.push(topic.slug);
      continue;
    }
    const block = renderTopicBlock(topic, budget.topicBytes, options.fence);
    const bytes = Buffer.byteLength(block.text);
    const blockTokens = budget.callTokens === undefined ? 0 : countTextTokens(block.text);
    if (!fits(bytes, blockTokens)) {
      overCall.push(topic.slug);
      continue;
    }
    packed.bytes += (packed.bytes > 0 ? SEPARATOR.length : 0) + bytes;
    tokens += (tokens > 0 ? separatorTokens : 0) + blockTokens;
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
  const separatorBytes = packed.bytes > 0 ? SEPARATOR.length : 0;
  const turnPack = packTurns(turns, {
    bytes: budget.callBytes - packed.bytes - separatorBytes,
    ...(budget.callTokens === undefined ? {} : { tokens: tokenLimit - tokens - (tokens > 0 ? separatorTokens : 0) }),
    lineBytes: budget.topicBytes,
    ...(options.keepDuplicates ? { keepDuplicates: true } : {}),
    ...(options.fence ? { fence: options.fence } : {}),
  });
  packed.turns = turnPack.turns;
  if (turnPack.turns.length > 0) packed.bytes += separatorBytes + turnPack.bytes;
  const unit = budget.callTokens === undefined ? `${budget.callBytes}-byte` : `${budget.callTokens}-token`;
  if (overCall.length > 0) {
    packed.cut.push({ reason: 'call-budget', message: `left out by the ${unit} call budget: ${overCall.join(', ')}` });
  }
  let turnsLeftOut = turnPack.leftOut;
  const turnNote = (): CutNote => ({
    reason: 'call-budget',
    message: `${turnsLeftOut} matching transcript turn(s) left out by the ${unit} call budget`,
  });
  const turnNoteAt = packed.cut.length;
  if (turnsLeftOut > 0) packed.cut.push(turnNote());
  if (budget.callTokens === undefined) {
    // Without a token budget nothing depends on the count: it is made when someone reads it.
    Object.defineProperty(packed, 'tokens', {
      get: () => countTextTokens(renderRecallText(packed)),
      enumerable: true,
      configurable: true,
    });
    return packed;
  }
  packed.tokens = countTextTokens(renderRecallText(packed));
  // The packing estimate is additive; what must fit is the rendered text, cut notes included.
  while (budget.callTokens !== undefined && packed.tokens > budget.callTokens && packed.turns.length + packed.topics.length > 0) {
    if (packed.turns.length > 0) {
      packed.turns.pop();
      turnsLeftOut += 1;
      packed.cut.splice(turnNoteAt, packed.cut.length > turnNoteAt ? 1 : 0, turnNote());
    } else {
      const dropped = packed.topics.pop();
      if (dropped) packed.cut.push({ reason: 'call-budget', message: `left out by the ${unit} call budget: ${dropped.slug}` });
    }
    packed.tokens = countTextTokens(renderRecallText(packed));
    packed.bytes = Buffer.byteLength(renderRecallText({ ...packed, cut: [] }));
  }
  if (budget.callTokens !== undefined && packed.tokens > budget.callTokens) {
    // Not even the cut notes fit: say it in as few words as possible, or not at all.
    packed.cut = [{ reason: 'call-budget', message: `nothing fits ${budget.callTokens} tokens` }];
    packed.tokens = countTextTokens(renderRecallText(packed));
    if (packed.tokens > budget.callTokens) {
      packed.cut = [];
      packed.tokens = 0;
    }
  }
  return packed;
}

/** The text an agent gets from a recall: topic blocks, then turns by session, then what was cut. */
export function renderRecallText(packed: Pick<PackedRecall, 'topics' | 'turns' | 'cut' | 'fence'>): string {
  const parts = packed.topics.map((topic) => topic.text);
  if (packed.turns.length > 0) parts.push(renderTurnSection(packed.turns, packed.fence));
  if (packed.cut.length > 0) parts.push(`(cut: ${packed.cut.map((note) => note.message).join('; ')})`);
  return parts.join(SEPARATOR);
}
