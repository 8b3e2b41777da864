import type { ModelMessage } from 'ai';
import { excerpt } from '../tools/index.js';
import type { ToolCallRecord } from './agent-events.js';

/** One exchange: an optional user message, the model's answer and the results of its tool calls. */
export interface Turn {
  user?: string;
  text: string;
  calls: ToolCallRecord[];
}

/** What is always sent, verbatim, whatever was compacted. */
export interface StandingContext {
  goal: string;
  /** Memory recalled for the goal, fenced (put in the first message). */
  memory?: string;
  /** The task's working set and the files touched, rendered fresh for each request. */
  workingState?: string;
}

/** An estimate of tokens (4 characters per token); the same measure for every decision of the engine. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function goalMessage(standing: StandingContext, summary: string | undefined): string {
  return [
    `Goal (the user's words, verbatim):\n${standing.goal}`,
    standing.memory,
    summary === undefined ? undefined : `Summary of the earlier part of this session (older turns were compacted):\n${summary}`,
    standing.workingState,
  ]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n\n');
}

/** The messages of one request: the goal (and what stands with it) first, then the kept turns. */
export function buildMessages(standing: StandingContext, summary: string | undefined, turns: readonly Turn[]): ModelMessage[] {
  const messages: ModelMessage[] = [{ role: 'user', content: goalMessage(standing, summary) }];
  for (const turn of turns) {
    if (turn.user !== undefined) messages.push({ role: 'user', content: turn.user });
    const content: ({ type: 'text'; text: string } | { type: 'tool-call'; toolCallId: string; toolName: string; input: unknown })[] = [];
    if (turn.text !== '') content.push({ type: 'text', text: turn.text });
    for (const call of turn.calls) content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.toolName, input: call.input });
    if (content.length > 0) messages.push({ role: 'assistant', content });
    if (turn.calls.length > 0) {
      messages.push({
        role: 'tool',
        content: turn.calls.map((call) => ({
          type: 'tool-result' as const,
          toolCallId: call.id,
          toolName: call.toolName,
          output: call.ok ? { type: 'text' as const, value: call.output } : { type: 'error-text' as const, value: call.output },
        })),
      });
    }
  }
  return messages;
}

/** Estimated tokens of a whole request. */
export function requestTokens(system: string, messages: readonly ModelMessage[]): number {
  return estimateTokens(system) + estimateTokens(JSON.stringify(messages));
}

/**
 * Replace tool results above `cap` bytes by an excerpt and a pointer, in every turn but the last
 * `keepFull`: the model saw the whole result when it came; later requests carry only what points
 * back to it in the transcript. Returns how many were shortened.
 */
export function ageToolResults(turns: Turn[], cap: number, keepFull = 1): number {
  let shortened = 0;
  for (const turn of turns.slice(0, Math.max(0, turns.length - keepFull))) {
    for (const call of turn.calls) {
      if (call.output.startsWith('[excerpt of ') || Buffer.byteLength(call.output) <= cap) continue;
      const kept = excerpt(call.output, Math.max(256, Math.floor(cap / 8)));
      call.output = `[excerpt of ${call.toolName} result ${call.id}: ${call.bytes} bytes in all, kept in the transcript; recall {"query": "${call.id}", "deep": true} brings it back]\n${kept.text}`;
      shortened += 1;
    }
  }
  return shortened;
}

/** The older turns as text for the summarizer (tool results shortened). */
export function renderTurns(turns: readonly Turn[]): string {
  return turns
    .map((turn) =>
      [
        turn.user === undefined ? undefined : `USER: ${turn.user}`,
        turn.text === '' ? undefined : `ASSISTANT: ${turn.text}`,
        ...turn.calls.map(
          (call) =>
            `TOOL ${call.toolName} ${JSON.stringify(call.input).slice(0, 300)} -> ${call.ok ? '' : 'FAILED '}${excerpt(call.output, 600).text}`,
        ),
      ]
        .filter((line): line is string => line !== undefined)
        .join('\n'),
    )
    .join('\n---\n');
}
