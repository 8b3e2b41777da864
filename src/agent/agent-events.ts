import type { TranscriptEventInput } from '../store/index.js';
import type { ToolOutcome } from '../tools/index.js';
/** Tokens a step (or a run) used, as the provider reported them. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** One tool call of a step and what came of it. */
export interface ToolCallRecord {
  id: string;
  toolName: string;
  input: unknown;
  /** The text the model was given (an excerpt and a pointer once it aged out). */
  output: string;
  ok: boolean;
  /** Bytes of the whole result (kept in the transcript). */
  bytes: number;
  denied?: boolean;
}

/** One model request and the tool calls it asked for. */
export interface StepRecord {
  step: number;
  text: string;
  toolCalls: { id: string; toolName: string; ok: boolean; denied?: boolean }[];
  usage: TokenUsage;
  /** Estimated tokens of the request sent (system, goal, summary, kept turns). */
  contextTokens: number;
  finishReason: string;
}

/** How a run ended. */
export type EngineOutcome = 'completed' | 'limit-reached' | 'stopped' | 'failed';

/** What the engine hands back at the end of a run (or a chat turn). */
export interface EngineResult {
  outcome: EngineOutcome;
  /** The model's last text. */
  answer: string;
  steps: StepRecord[];
  usage: TokenUsage;
  /** Why it did not complete: what was wrong and what to do. */
  error?: { code: string; message: string; hint?: string };
  filesTouched: string[];
}

/**
 * What a run tells a UI while it works, in order: streamed text, each tool call and its result,
 * one `step` per model request, `compaction` when history was summarized, `retry` when the
 * provider failed and is asked again, `memory` when recalled memory was put into the context,
 * `sub-agent` when a sub-agent started (`running`) and ended (`done`, `failed`), and one `done` at the end.
 */
export type AgentEvent =
  | { type: 'text'; step: number; text: string }
  | { type: 'tool-call'; step: number; id: string; toolName: string; input: unknown }
  | { type: 'tool-result'; step: number; id: string; toolName: string; ok: boolean; output: string; denied?: boolean }
  | { type: 'step'; step: number; usage: TokenUsage; contextTokens: number; finishReason: string }
  | { type: 'compaction'; step: number; ok: boolean; tokensBefore: number; tokensAfter: number; turnsSummarized: number; message?: string }
  | { type: 'retry'; step: number; attempt: number; delayMs: number; message: string }
  | { type: 'memory'; step: number; reason: 'turn' | 'failure'; slugs: string[] }
  | {
      type: 'sub-agent';
      id: string;
      description: string;
      session: string;
      status: 'running' | 'done' | 'failed';
      usage?: TokenUsage;
      steps?: number;
      message?: string;
    }
  | { type: 'done'; outcome: string; answer: string; usage: TokenUsage };

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

export function addUsage(total: TokenUsage, step: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + step.inputTokens,
    outputTokens: total.outputTokens + step.outputTokens,
    totalTokens: total.totalTokens + step.totalTokens,
  };
}

/** A tool call's result in full: the tool's `transcriptText` when it kept more than the model was shown. */
export function fullResultText(outcome: ToolOutcome): string {
  return outcome.ok && typeof outcome.data.transcriptText === 'string' ? outcome.data.transcriptText : outcome.text;
}

/** The two transcript events a finished tool call leaves (layer 3): the call with its input, then its full result. */
export function toolCallTranscript(call: ToolCallRecord, full: string): TranscriptEventInput[] {
  return [
    {
      kind: 'tool-call',
      text: `${call.toolName} ${call.id}: ${JSON.stringify(call.input)}`,
      data: { id: call.id, tool: call.toolName },
    },
    {
      kind: 'tool-result',
      text: `${call.toolName} ${call.id} ${call.ok ? 'ok' : 'failed'}:\n${full}`,
      data: { id: call.id, tool: call.toolName, ok: call.ok },
    },
  ];
}
