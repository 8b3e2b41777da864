import type { TranscriptEventInput } from '../store/index.js';

/** The transcript formats `importSession` reads. */
export const TRANSCRIPT_FORMATS = ['mnemo', 'claude-code'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** Most bytes of one tool result or tool input kept in a transcript event (head and tail). */
export const CLAUDE_CODE_TOOL_TEXT_BYTES = 16 * 1024;

/** Tools of mnemo's own MCP server, as Claude Code names them: their results are mnemo's words, never new facts. */
const MNEMO_TOOL = /^mcp__mnemo__/;

export interface ClaudeCodeConversion {
  events: TranscriptEventInput[];
  /** The Claude Code session id the lines carry (the last one seen), if any. */
  sessionId: string | undefined;
  /** Lines that are not JSON or not a Claude Code record, by number. */
  skipped: { line: number; message: string }[];
  /** Records kept out on purpose: summaries, snapshots, meta and system lines, thinking. */
  ignored: number;
}

export interface ClaudeCodeConversionOptions {
  /** The number of the first line of `text` in its file (for incremental reads). Default 1. */
  firstLine?: number;
  /** Tool-use ids of mnemo's own tools seen earlier in the same transcript. */
  mnemoToolUses?: Set<string>;
}

type Block = Record<string, unknown>;

function cut(text: string, bytes = CLAUDE_CODE_TOOL_TEXT_BYTES): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  const half = Math.floor(bytes / 2);
  const head = Buffer.from(text)
    .subarray(0, half)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const tail = Buffer.from(text)
    .subarray(-half)
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
  return `${head}\n[… ${Buffer.byteLength(text) - 2 * half} bytes cut …]\n${tail}`;
}

function asBlocks(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.filter((block): block is Block => typeof block === 'object' && block !== null);
}

/** The text of a tool result's content: a string, or text blocks (images said as such). */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asBlocks(content)
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : `[${String(block.type)}]`))
    .join('\n');
}

/** A one-line account of a tool call: the command, path or pattern it was given, else its input as JSON. */
function toolUseText(name: string, input: unknown): string {
  if (typeof input === 'object' && input !== null) {
    const fields = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
      const value = fields[key];
      if (typeof value === 'string' && value.trim() !== '') return `${name}: ${cut(value, 2048)}`;
    }
  }
  return `${name} ${cut(JSON.stringify(input ?? {}), 2048)}`;
}

/** Slash-command bookkeeping Claude Code writes as user lines; not what the user said. */
const COMMAND_NOISE = /^\s*<(command-(name|message|args)|local-command-(stdout|stderr|caveat))>/;

function validTime(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** Lines Claude Code writes in the user's name that the user did not type, by the event kind mnemo gives them. */
const SYSTEM_USER_TEXT: { kind: string; pattern: RegExp }[] = [
  { kind: 'notification', pattern: /^\s*<task-notification>/ },
  { kind: 'interruption', pattern: /^\s*\[Request interrupted by user[^\]]*\]\s*$/ },
];

/** An API error Claude Code records as an assistant line (`isApiErrorMessage`, model `<synthetic>`). */
function isApiError(record: Record<string, unknown>, message: { model?: unknown }): boolean {
  return record.isApiErrorMessage === true || message.model === '<synthetic>';
}

/**
 * Convert the lines of a Claude Code session transcript (`~/.claude/projects/…/<session>.jsonl`)
 * into mnemo transcript events by their real roles: user and assistant text, tool calls
 * (`tool-use`: name and the gist of the input) and their results (`tool-result`, `tool-error`;
 * long ones cut in the middle). What Claude Code wrote in the user's name without the user
 * typing it gets its own kind, never `user`: compaction summaries (`compact-summary`), task
 * notifications (`notification`), interruptions (`interruption`); API errors are `api-error`,
 * never assistant text. Images are said as `[image]`. Lines of a subagent (sidechain) carry
 * `data.agent` (its id, or `sidechain`) so the importer can put them in a child session.
 * Thinking, summaries, snapshots, meta and system lines are left out. Results of mnemo's own
 * tools are marked `injected`, so memory never re-captures itself. Pure: no I/O.
 */
export function convertClaudeCodeTranscript(text: string, options: ClaudeCodeConversionOptions = {}): ClaudeCodeConversion {
  const firstLine = options.firstLine ?? 1;
  const mnemoToolUses = options.mnemoToolUses ?? new Set<string>();
  const toolNames = new Map<string, string>();
  const events: TranscriptEventInput[] = [];
  const skipped: ClaudeCodeConversion['skipped'] = [];
  let ignored = 0;
  let sessionId: string | undefined;

  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      record = value as Record<string, unknown>;
    } catch {
      skipped.push({ line: firstLine + index, message: 'not a JSON object' });
      return;
    }
    if (typeof record.sessionId === 'string') sessionId = record.sessionId;
    const message = record.message as { role?: unknown; content?: unknown; model?: unknown } | undefined;
    if ((record.type !== 'user' && record.type !== 'assistant') || record.isMeta === true) {
      ignored += 1;
      return;
    }
    if (typeof message !== 'object' || message === null) {
      skipped.push({ line: firstLine + index, message: `a ${record.type} line without a message` });
      return;
    }
    const time = validTime(record.timestamp);
    const agent = record.isSidechain === true ? (typeof record.agentId === 'string' ? record.agentId : 'sidechain') : undefined;
    const base = {
      ...(time ? { time } : {}),
      data: {
        source: 'claude-code',
        ...(typeof record.uuid === 'string' ? { uuid: record.uuid } : {}),
        ...(agent ? { agent } : {}),
      },
    };
    if (record.type === 'user' && record.isCompactSummary === true) {
      const summary = asBlocks(message.content)
        .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
        .join('\n')
        .trim();
      if (summary !== '') events.push({ ...base, kind: 'compact-summary', role: 'system', text: summary });
      return;
    }
    if (record.type === 'assistant' && isApiError(record, message)) {
      const errorText = asBlocks(message.content)
        .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
        .join('\n')
        .trim();
      events.push({ ...base, kind: 'api-error', role: 'system', text: errorText === '' ? 'API error' : errorText });
      return;
    }
    const role = record.type === 'user' ? 'user' : 'assistant';
    let texts: string[] = [];
    const flush = (): void => {
      if (texts.length > 0) events.push({ ...base, kind: role, role, text: texts.join('\n\n') });
      texts = [];
    };
    for (const block of asBlocks(message.content)) {
      if (block.type === 'text' && typeof block.text === 'string') {
        const systemKind = record.type === 'user' ? SYSTEM_USER_TEXT.find(({ pattern }) => pattern.test(block.text as string)) : undefined;
        if (record.type === 'user' && COMMAND_NOISE.test(block.text)) ignored += 1;
        else if (systemKind) {
          flush();
          events.push({ ...base, kind: systemKind.kind, role: 'system', text: block.text.trim() });
        } else if (block.text.trim() !== '') texts.push(block.text);
      } else if (block.type === 'image') {
        texts.push('[image]');
      } else if (block.type === 'tool_use' && typeof block.name === 'string') {
        flush();
        const id = typeof block.id === 'string' ? block.id : undefined;
        if (id) toolNames.set(id, block.name);
        if (id && MNEMO_TOOL.test(block.name)) mnemoToolUses.add(id);
        events.push({
          ...base,
          kind: 'tool-use',
          role: 'assistant',
          text: toolUseText(block.name, block.input),
          data: { ...base.data, tool: block.name },
        });
      } else if (block.type === 'tool_result') {
        flush();
        const id = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
        events.push({
          ...base,
          kind: block.is_error === true ? 'tool-error' : 'tool-result',
          role: 'tool',
          text: cut(resultText(block.content)),
          ...(id && mnemoToolUses.has(id) ? { injected: true } : {}),
          data: { ...base.data, ...(id && toolNames.has(id) ? { tool: toolNames.get(id) } : {}) },
        });
      } else {
        ignored += 1;
      }
    }
    flush();
  });
  return { events, sessionId, skipped, ignored };
}

/** The child session that holds a subagent's lines: `<parent>.agent-<id>`, linked by `data.parentSession`. */
export function subagentSessionId(parent: string, agent: string): string {
  return `${parent}.agent-${agent.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 96);
}

/**
 * Group converted events by session: the main conversation's in `parent`, each subagent's
 * (sidechain) lines in its own child session (`subagentSessionId`), every one of them carrying
 * `data.parentSession`, so a subagent's prompt never reads as something the user said.
 */
export function groupBySubagent(events: readonly TranscriptEventInput[], parent: string): Map<string, TranscriptEventInput[]> {
  const groups = new Map<string, TranscriptEventInput[]>();
  for (const event of events) {
    const agent = typeof event.data?.agent === 'string' ? event.data.agent : undefined;
    const session = agent ? subagentSessionId(parent, agent) : parent;
    const placed = agent ? { ...event, data: { ...event.data, parentSession: parent } } : event;
    const group = groups.get(session) ?? [];
    group.push(placed);
    groups.set(session, group);
  }
  return groups;
}
