import { generateText, streamText, type LanguageModel, type ToolSet } from 'ai';
import { MnemoError, describeError } from '../shared/index.js';
import type { ToolDefinition, ToolOutcome } from '../tools/index.js';
import { addUsage, emptyUsage, type AgentEvent, type EngineResult, type StepRecord, type ToolCallRecord, type TokenUsage } from './agent-events.js';
import { ageToolResults, buildMessages, renderTurns, requestTokens, type StandingContext, type Turn } from './context-history.js';
import type { PermissionDecision } from './permissions.js';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './provider-retry.js';

/** The budgets of a run. */
export interface EngineLimits {
  maxSteps: number;
  /** Stop once this many tokens (input + output, all steps) were used. */
  maxTokens?: number | undefined;
  /** Compact when a request would be larger than this (estimated tokens). */
  compactAt: number;
  /** Turns a compaction keeps verbatim. */
  keepTurns: number;
  /** Tool results above this many bytes become an excerpt and a pointer once older than the last `keepTurns` turns. */
  toolResultBytes: number;
}

/** What the engine calls out to, so the runtime can put memory and the transcript in the loop. */
export interface EngineHooks {
  /** After each tool result; the returned text (recalled memory) is added to what the model reads. */
  afterToolResult?(call: ToolCallRecord, outcome: ToolOutcome, step: number): Promise<string | undefined>;
  /** Before each request: the working set and files touched, rendered fresh. */
  workingState?(filesTouched: readonly string[]): Promise<string | undefined>;
  /** After each model step, with the model's text (for the transcript). */
  afterStep?(step: StepRecord): Promise<void>;
}

export interface QueryEngineOptions {
  model: LanguageModel;
  modelId: string;
  system: string;
  tools: readonly ToolDefinition[];
  limits: EngineLimits;
  permission?: (toolName: string, input: unknown) => Promise<PermissionDecision>;
  hooks?: EngineHooks;
  /** Writes the summary of older turns (default: the same model, no tools). */
  summarize?: (text: string, signal?: AbortSignal) => Promise<string>;
  retry?: Partial<RetryPolicy>;
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /** Called with every path a tool touched; the workspace tools report them through `onPath`. */
  filesTouched?: Set<string>;
  /** Tools whose calls of one step may run at the same time although they are not read-only (`agent`: sub-agents). */
  concurrentTools?: ReadonlySet<string>;
}

const SUMMARY_SYSTEM =
  'You compact the history of a coding agent. Write a dense summary of the turns given: what was tried, what failed (exact error messages), what was fixed, files read and changed, commands run and their outcome, decisions and open questions. Keep exact names, paths and numbers. No preamble.';

interface StepAnswer {
  text: string;
  calls: { id: string; toolName: string; input: unknown }[];
  usage: TokenUsage;
  finishReason: string;
}

/**
 * The model ↔ tools loop. One request per step (streamed); the tool calls of a step run, read-only
 * ones in parallel, and their results (errors included) go back to the model. The goal is the
 * first message of every request; history above `compactAt` is compacted into a summary. Reusable
 * for several user turns (a chat) and holds no module state, so a sub-agent is one more engine.
 */
export class QueryEngine {
  private readonly turns: Turn[] = [];
  private summary: string | undefined;
  private failedCompactions = 0;
  private stepNumber = 0;
  private usage = emptyUsage();
  private readonly steps: StepRecord[] = [];
  private readonly retry: RetryPolicy;
  private readonly sdkTools: ToolSet;
  readonly filesTouched: Set<string>;

  constructor(
    private readonly options: QueryEngineOptions,
    private readonly standing: StandingContext,
  ) {
    this.retry = defaultRetryPolicy(options.retry);
    this.filesTouched = options.filesTouched ?? new Set();
    this.sdkTools = Object.fromEntries(options.tools.map((tool) => [tool.name, { description: tool.description, inputSchema: tool.inputSchema }]));
  }

  private emit(event: AgentEvent): void {
    this.options.onEvent?.(event);
  }

  /** Estimated tokens of the next request. */
  async contextTokens(): Promise<number> {
    return requestTokens(this.options.system, buildMessages(await this.standingNow(), this.summary, this.turns));
  }

  private async standingNow(): Promise<StandingContext> {
    const workingState = await this.options.hooks?.workingState?.([...this.filesTouched]);
    return { ...this.standing, ...(workingState ? { workingState } : {}) };
  }

  /**
   * Summarize all but the last `keepTurns` turns. Returns false (and counts a failure) when
   * nothing could be summarized or the summarizer failed; the third failure in a row throws.
   */
  async compact(reason: 'threshold' | 'requested' = 'requested'): Promise<boolean> {
    const before = await this.contextTokens();
    const keep = reason === 'requested' ? Math.min(this.options.limits.keepTurns, 1) : this.options.limits.keepTurns;
    const older = this.turns.slice(0, Math.max(0, this.turns.length - keep));
    ageToolResults(this.turns, this.options.limits.toolResultBytes, 1);
    let message: string | undefined;
    let summarized = 0;
    if (older.length > 0) {
      try {
        const text = [this.summary === undefined ? undefined : `Earlier summary:\n${this.summary}`, renderTurns(older)]
          .filter(Boolean)
          .join('\n\n');
        const written = (await (this.options.summarize ?? ((prompt, signal) => this.summarizeWithModel(prompt, signal)))(text, this.options.signal)).trim();
        if (written === '') message = 'the summary came back empty';
        else {
          this.summary = written;
          this.turns.splice(0, older.length);
          summarized = older.length;
        }
      } catch (error) {
        message = `the summary could not be written: ${describeError(error)}`;
      }
    } else message = `nothing older than the last ${keep} turn(s) to summarize`;
    const after = await this.contextTokens();
    // shortening old results alone may be enough: that is a compaction too
    if (message !== undefined && after < before && after <= this.options.limits.compactAt) message = undefined;
    const ok = message === undefined && after < before;
    if (ok) this.failedCompactions = 0;
    else this.failedCompactions += 1;
    this.emit({
      type: 'compaction',
      step: this.stepNumber,
      ok,
      tokensBefore: before,
      tokensAfter: after,
      turnsSummarized: summarized,
      ...(message === undefined ? {} : { message }),
    });
    if (this.failedCompactions >= 3 && reason === 'threshold') {
      throw new MnemoError('io', `Compaction failed three times in a row (${message ?? 'the context did not shrink'}); the context stays above ${this.options.limits.compactAt} tokens.`, {
        hint: 'Raise agent.contextWindow or agent.compactAt in mnemo.config.json if the model allows it, lower agent.keepTurns, or split the task.',
      });
    }
    return ok;
  }

  private async summarizeWithModel(prompt: string, signal?: AbortSignal): Promise<string> {
    const result = await withRetries(
      this.options.modelId,
      this.retry,
      () => generateText({ model: this.options.model, system: SUMMARY_SYSTEM, prompt, maxRetries: 0, ...(signal ? { abortSignal: signal } : {}) }),
      (attempt, delayMs, error) => this.emit({ type: 'retry', step: this.stepNumber, attempt, delayMs, message: describeError(error) }),
      signal,
    );
    return result.text;
  }

  private async requestStep(): Promise<{ answer: StepAnswer; contextTokens: number }> {
    const standing = await this.standingNow();
    const messages = buildMessages(standing, this.summary, this.turns);
    const contextTokens = requestTokens(this.options.system, messages);
    const step = this.stepNumber;
    const answer = await withRetries(
      this.options.modelId,
      this.retry,
      async () => {
        const result = streamText({
          model: this.options.model,
          system: this.options.system,
          messages,
          tools: this.sdkTools,
          maxRetries: 0,
          // errors come through the stream (and are retried or reported); not logged by the SDK
          onError: () => undefined,
          ...(this.options.maxOutputTokens === undefined ? {} : { maxOutputTokens: this.options.maxOutputTokens }),
          ...(this.options.temperature === undefined ? {} : { temperature: this.options.temperature }),
          ...(this.options.signal ? { abortSignal: this.options.signal } : {}),
        });
        const collected: StepAnswer = { text: '', calls: [], usage: emptyUsage(), finishReason: 'unknown' };
        for await (const part of result.fullStream) {
          if (part.type === 'text-delta') {
            collected.text += part.text;
            this.emit({ type: 'text', step, text: part.text });
          } else if (part.type === 'tool-call') {
            collected.calls.push({ id: part.toolCallId, toolName: part.toolName, input: part.input });
          } else if (part.type === 'finish-step') {
            collected.usage = {
              inputTokens: part.usage.inputTokens ?? 0,
              outputTokens: part.usage.outputTokens ?? 0,
              totalTokens: part.usage.totalTokens ?? (part.usage.inputTokens ?? 0) + (part.usage.outputTokens ?? 0),
            };
            collected.finishReason = part.finishReason;
          } else if (part.type === 'error') {
            throw part.error;
          } else if (part.type === 'abort') {
            throw new MnemoError('io', 'The run was stopped.');
          }
        }
        return collected;
      },
      (attempt, delayMs, error) => this.emit({ type: 'retry', step, attempt, delayMs, message: describeError(error) }),
      this.options.signal,
    );
    return { answer, contextTokens };
  }

  private async runCall(call: { id: string; toolName: string; input: unknown }, step: number): Promise<ToolCallRecord> {
    this.emit({ type: 'tool-call', step, id: call.id, toolName: call.toolName, input: call.input });
    const tool = this.options.tools.find((candidate) => candidate.name === call.toolName);
    let outcome: ToolOutcome;
    let denied = false;
    if (!tool) {
      outcome = {
        ok: false,
        text: `Error: there is no tool named ${call.toolName}.\nWhat to do: use one of ${this.options.tools.map((candidate) => candidate.name).join(', ')}.`,
        error: { code: 'invalid-input', message: `no tool ${call.toolName}` },
      };
    } else {
      const decision = (await this.options.permission?.(call.toolName, call.input)) ?? { allowed: true };
      if (!decision.allowed) {
        denied = true;
        outcome = {
          ok: false,
          text: `Permission denied: ${call.toolName} was not run, ${decision.reason}.\nWhat to do: ${decision.hint}`,
          error: { code: 'permission-denied', message: decision.reason, hint: decision.hint },
        };
      } else {
        outcome = await tool.run(call.input, this.options.signal ? { signal: this.options.signal } : {});
      }
    }
    const failed = !outcome.ok || (outcome.ok && outcome.data.failed === true);
    if (outcome.ok && typeof outcome.data.path === 'string' && outcome.data.path !== '.') this.filesTouched.add(outcome.data.path);
    const record: ToolCallRecord = {
      id: call.id,
      toolName: call.toolName,
      input: call.input,
      output: outcome.text,
      ok: !failed,
      bytes: Buffer.byteLength(outcome.ok && typeof outcome.data.transcriptText === 'string' ? outcome.data.transcriptText : outcome.text),
      ...(denied ? { denied: true } : {}),
    };
    const added = await this.options.hooks?.afterToolResult?.(record, outcome, step);
    if (added) record.output = `${record.output}\n\n${added}`;
    this.emit({ type: 'tool-result', step, id: call.id, toolName: call.toolName, ok: record.ok, output: record.output, ...(denied ? { denied: true } : {}) });
    return record;
  }

  /** Run the calls of one step in order; consecutive read-only (or concurrent) calls run in parallel. */
  private async runCalls(calls: StepAnswer['calls'], step: number): Promise<ToolCallRecord[]> {
    const records: ToolCallRecord[] = [];
    const readOnly = (name: string) => this.options.concurrentTools?.has(name) === true || this.options.tools.find((tool) => tool.name === name)?.hints.readOnly === true;
    for (let index = 0; index < calls.length; ) {
      let end = index + 1;
      if (readOnly(calls[index]!.toolName)) while (end < calls.length && readOnly(calls[end]!.toolName)) end += 1;
      records.push(...(await Promise.all(calls.slice(index, end).map((call) => this.runCall(call, step)))));
      index = end;
    }
    return records;
  }

  private result(outcome: EngineResult['outcome'], answer: string, error?: unknown): EngineResult {
    const problem =
      error === undefined
        ? undefined
        : error instanceof MnemoError
          ? { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }
          : { code: 'internal', message: describeError(error) };
    const result: EngineResult = { outcome, answer, steps: [...this.steps], usage: this.usage, filesTouched: [...this.filesTouched].sort(), ...(problem ? { error: problem } : {}) };
    this.emit({ type: 'done', outcome, answer, usage: this.usage });
    return result;
  }

  /**
   * One user turn: model and tools until the model answers without calling a tool (completed),
   * a limit is hit, the signal aborts (stopped) or the model cannot be reached (failed).
   */
  async turn(userText?: string): Promise<EngineResult> {
    let pendingUser = userText;
    let answer = '';
    const { limits, signal } = this.options;
    for (let taken = 0; ; taken += 1) {
      if (signal?.aborted) return this.result('stopped', answer, new MnemoError('io', 'Stopped by the user; the task is left open.'));
      if (taken >= limits.maxSteps) {
        return this.result('limit-reached', answer, new MnemoError('io', `The step limit (${limits.maxSteps}) was reached before the task was done.`, { hint: 'Raise --max-steps, or split the task.' }));
      }
      if (limits.maxTokens !== undefined && this.usage.totalTokens >= limits.maxTokens) {
        return this.result('limit-reached', answer, new MnemoError('io', `The token limit (${limits.maxTokens}) was used up (${this.usage.totalTokens}).`, { hint: 'Raise --max-tokens, or split the task.' }));
      }
      try {
        if (pendingUser !== undefined) {
          this.turns.push({ user: pendingUser, text: '', calls: [] });
          pendingUser = undefined;
        }
        ageToolResults(this.turns, limits.toolResultBytes, limits.keepTurns);
        if ((await this.contextTokens()) > limits.compactAt) await this.compact('threshold');
        this.stepNumber += 1;
        const step = this.stepNumber;
        const { answer: reply, contextTokens } = await this.requestStep();
        answer = reply.text;
        const last = this.turns.at(-1);
        const turn: Turn = last && last.text === '' && last.calls.length === 0 && last.user !== undefined ? last : { text: '', calls: [] };
        if (turn !== last) this.turns.push(turn);
        turn.text = reply.text;
        this.usage = addUsage(this.usage, reply.usage);
        const record: StepRecord = {
          step,
          text: reply.text,
          toolCalls: [],
          usage: reply.usage,
          contextTokens,
          finishReason: reply.finishReason,
        };
        this.steps.push(record);
        turn.calls = reply.calls.length === 0 ? [] : await this.runCalls(reply.calls, step);
        record.toolCalls = turn.calls.map((call) => ({ id: call.id, toolName: call.toolName, ok: call.ok, ...(call.denied ? { denied: true } : {}) }));
        this.emit({ type: 'step', step, usage: reply.usage, contextTokens, finishReason: reply.finishReason });
        await this.options.hooks?.afterStep?.(record);
        if (reply.calls.length === 0) return this.result('completed', answer);
      } catch (error) {
        if (signal?.aborted) return this.result('stopped', answer, new MnemoError('io', 'Stopped by the user; the task is left open.'));
        return this.result('failed', answer, error);
      }
    }
  }
}
