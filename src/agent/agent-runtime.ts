import { readFileSync } from 'node:fs';
import type { LanguageModel } from 'ai';
import type { AgentConfig } from '../config/index.js';
import type { TranscriptEventInput } from '../store/index.js';
import { MnemoError, describeError } from '../shared/index.js';
import { memoryTools, workspaceTools, type MemoryToolApi, type ToolDefinition, type ToolTaskHandle } from '../tools/index.js';
import { fullResultText, toolCallTranscript, type AgentEvent, type EngineResult } from './agent-events.js';
import { createPermissionPolicy, type PermissionPrompt, type PermissionRules } from './permissions.js';
import type { RetryPolicy } from './provider-retry.js';
import { QueryEngine, type EngineLimits } from './query-engine.js';
import { createSubAgents, type SubAgentOptions, type SubAgentReport } from './sub-agents.js';

/** What the runtime needs of a memory: the library's `Memory` satisfies it. */
export interface AgentMemory extends MemoryToolApi {
  readonly workspace: string;
  /** MEMORY.md as an agent may see it: untrusted topics' lines fenced as data. */
  agentIndexText(): Promise<string>;
  log(session: string, events: TranscriptEventInput | TranscriptEventInput[]): Promise<unknown>;
}

/** Budgets of a run; what is left out comes from the `agent` section of the configuration. */
export interface AgentLimits {
  maxSteps?: number;
  maxTokens?: number;
  contextWindow?: number;
  compactAt?: number;
  keepTurns?: number;
}

/** How a run ended: the engine's outcomes, and `verification-failed` when `verify` did not pass. */
export type AgentOutcome = EngineResult['outcome'] | 'verification-failed';

export interface AgentRunResult extends Omit<EngineResult, 'outcome'> {
  outcome: AgentOutcome;
  /** The task the run worked in; left open unless its verification passed. */
  task: string;
  session: string;
  verification?: { passed: boolean; check: string; exitCode?: number | undefined; outputTail: string };
  promoted: { slug: string; action: string }[];
  /** What each sub-agent (the `agent` tool) came to, in the order they were asked for. */
  subAgents: SubAgentReport[];
}

export interface AgentRunOptions {
  memory: AgentMemory;
  model: LanguageModel;
  modelId: string;
  config: AgentConfig;
  /** A command run in the workspace at the end; only its passing promotes the notes staged. */
  verify?: string | undefined;
  limits?: AgentLimits;
  /** Rules on top of the configuration's (`--allow`). */
  permissions?: PermissionRules;
  yes?: boolean;
  prompt?: PermissionPrompt;
  /** More tools for the model (a sub-agent tool, say). */
  tools?: readonly ToolDefinition[];
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  retry?: Partial<RetryPolicy>;
  summarize?: (text: string, signal?: AbortSignal) => Promise<string>;
  maxOutputTokens?: number;
  temperature?: number;
  session?: string;
  /** Sub-agents (the `agent` tool, when `agent.subAgents.enabled`): profiles, where worktrees live, their models. */
  subAgents?: SubAgentOptions & { enabled?: boolean };
}

const MEMORY_TOOLS = ['recall', 'show', 'remember', 'task_note', 'task_observe'];
/** Tools that change nothing outside the task's working set: run without asking. */
const STAGING_TOOLS = ['task_note', 'task_observe', 'remember'];

function fence(attributes: string, text: string): string {
  return `<memory ${attributes}>\n${text.trim()}\n</memory>`;
}

/** The compaction threshold: the configured one, else window − output reserve − margin. */
export function compactThreshold(config: AgentConfig, limits: AgentLimits = {}): number {
  if (limits.compactAt !== undefined) return limits.compactAt;
  if (limits.contextWindow === undefined && config.compactAt !== undefined) return config.compactAt;
  const window = limits.contextWindow ?? config.contextWindow;
  return Math.max(1000, window - config.outputReserve - config.compactMargin);
}

class MemoryLoop {
  private readonly injected = new Set<string>();

  constructor(
    private readonly options: AgentRunOptions,
    private readonly task: ToolTaskHandle,
  ) {}

  log(events: TranscriptEventInput[]): Promise<unknown> {
    return this.options.memory.log(
      this.task.session,
      events.map((event) => ({ ...event, task: this.task.id })),
    );
  }

  /** Recall within the budget; only topics not put in the context before. */
  async recall(query: string, reason: 'turn' | 'failure', step: number): Promise<string | undefined> {
    const result = await this.options.memory
      .recall(query.slice(0, 2000), { budgetTokens: this.options.config.recallTokens, task: this.task.id, session: this.task.session })
      .catch(() => undefined);
    const fresh = (result?.topics ?? []).filter((topic) => !this.injected.has(topic.slug));
    if (fresh.length === 0) return undefined;
    for (const topic of fresh) this.injected.add(topic.slug);
    const text = fence(
      `source="mnemo recall" reason="${reason === 'turn' ? 'the user turn' : 'the failure above'}" trust="hint: check before relying on it"`,
      fresh.map((topic) => topic.text).join('\n\n'),
    );
    await this.log([{ kind: 'memory', text, injected: true, data: { reason, slugs: fresh.map((topic) => topic.slug) } }]);
    this.options.onEvent?.({ type: 'memory', step, reason, slugs: fresh.map((topic) => topic.slug) });
    return text;
  }
}

function systemPrompt(task: ToolTaskHandle, index: string, verify: string | undefined, concurrency: number | undefined): string {
  const base = readFileSync(new URL('./system-prompt.md', import.meta.url), 'utf8')
    .replaceAll('{{task}}', task.id)
    .trim();
  return [
    base,
    concurrency === undefined
      ? undefined
      : `Sub-agents: for independent pieces of work, the agent tool starts a sub-agent with a fresh context (it sees only the prompt you give it) and returns its report; several agent calls in one step run in parallel (${concurrency} at a time). What sub-agents stage with task_note lands in task ${task.id}, unverified, like your own notes.`,
    verify ? `When you are done, the command \`${verify}\` is run in the workspace to verify the task.` : undefined,
    fence('source="MEMORY.md" kind="index" trust="hint"', index.trim() === '' ? '(the memory is empty)' : index),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** A conversation with the agent: one task, one engine, several user turns (what `mnemo chat` drives). */
export interface AgentSession {
  readonly task: string;
  readonly session: string;
  /** One user turn: the model and tools until it answers. The first turn's text is the goal. */
  send(text: string): Promise<EngineResult>;
  /** Compact now (`/compact`): older turns into a summary. */
  compact(): Promise<boolean>;
  /** Estimated tokens of the next request. */
  contextTokens(): Promise<number>;
  /** Run the verification (when one was given) and promote on success; else leave the task open. */
  finish(last: EngineResult): Promise<AgentRunResult>;
}

/**
 * Open a session with memory in the loop: a task under the write discipline, MEMORY.md in the
 * system prompt, a recall before each user turn and after each failing tool result (lessons for
 * the error first), every call and result in the transcript. `goal` is verbatim in every request.
 */
export async function openAgentSession(goal: string, options: AgentRunOptions): Promise<AgentSession> {
  const { memory, config } = options;
  const task = await memory.beginTask({ goal, verify: options.verify, session: options.session });
  const loop = new MemoryLoop(options, task);
  const filesTouched = new Set<string>();
  const baseTools = [
    ...workspaceTools({ workspace: memory.workspace, bashTimeoutMs: config.bashTimeoutMs }),
    ...memoryTools(memory, { origin: `agent:${options.modelId}`, session: task.session }).filter((tool) =>
      MEMORY_TOOLS.includes(tool.name),
    ),
  ];
  const rules = {
    allow: [...config.permissions.allow, ...(options.permissions?.allow ?? [])],
    ask: [...config.permissions.ask, ...(options.permissions?.ask ?? [])],
    deny: [...config.permissions.deny, ...(options.permissions?.deny ?? [])],
  };
  const compactAt = compactThreshold(config, options.limits);
  const subAgents =
    config.subAgents.enabled && options.subAgents?.enabled !== false
      ? createSubAgents({
          memory,
          task,
          config,
          model: options.model,
          modelId: options.modelId,
          rules,
          yes: options.yes === true,
          options: options.subAgents ?? {},
          signal: options.signal,
          onEvent: options.onEvent,
          retry: options.retry,
          summarize: options.summarize,
          maxOutputTokens: options.maxOutputTokens,
          temperature: options.temperature,
          compactAt,
        })
      : undefined;
  // what a run killed with SIGKILL left (its worktrees) goes before this run makes its own
  const cleaned = await subAgents?.cleanup().catch(() => undefined);
  if (cleaned && cleaned.removed.length > 0) {
    await loop.log([
      {
        kind: 'note',
        text: `Removed ${cleaned.removed.length} worktree(s) left by runs that ended${cleaned.keptBranches.length > 0 ? `; their unfinished changes are on ${cleaned.keptBranches.join(', ')}` : ''}.`,
        data: { ...cleaned },
      },
    ]);
  }
  const tools = [...baseTools, ...(subAgents ? [subAgents.tool] : []), ...(options.tools ?? [])];
  // `agent` runs without asking: what a sub-agent may change is decided by these same rules when it starts
  const readOnly = new Set([
    ...tools.filter((tool) => tool.hints.readOnly).map((tool) => tool.name),
    ...STAGING_TOOLS,
    ...(subAgents ? ['agent'] : []),
  ]);
  const permission = createPermissionPolicy({
    workspace: memory.workspace,
    rules,
    readOnlyTools: readOnly,
    ...(options.yes ? { yes: true } : {}),
    ...(options.prompt ? { prompt: options.prompt } : {}),
  });
  const limits: EngineLimits = {
    maxSteps: options.limits?.maxSteps ?? config.maxSteps,
    maxTokens: options.limits?.maxTokens,
    compactAt,
    keepTurns: options.limits?.keepTurns ?? config.keepTurns,
    toolResultBytes: config.toolResultBytes,
  };
  const engine = new QueryEngine(
    {
      model: options.model,
      modelId: options.modelId,
      system: systemPrompt(task, await memory.agentIndexText(), options.verify, subAgents ? config.subAgents.concurrency : undefined),
      tools,
      limits,
      permission,
      filesTouched,
      ...(subAgents ? { concurrentTools: new Set(['agent']) } : {}),
      hooks: {
        afterToolResult: async (call, outcome, step) => {
          const full = fullResultText(outcome);
          await loop.log(toolCallTranscript(call, full));
          if (call.ok || call.denied) return undefined;
          if (call.toolName === 'bash') {
            const command =
              typeof (call.input as { command?: unknown }).command === 'string' ? (call.input as { command: string }).command : '';
            await task.observe('error', `$ ${command}\n${full.slice(-4000)}`).catch(() => undefined);
          }
          return loop.recall(full.slice(-2000), 'failure', step);
        },
        afterStep: async (step) => {
          if (step.text !== '') await loop.log([{ kind: 'assistant', text: step.text, role: 'assistant' }]);
        },
        workingState: async (files) => {
          const record = await task.show().catch(() => undefined);
          const notes = record?.notes.map((note) => `- ${note.name}: ${note.description}`) ?? [];
          return [
            `Task ${task.id}${options.verify ? ` (verified by \`${options.verify}\` at the end)` : ''}.`,
            notes.length > 0 ? `Notes staged so far (unverified):\n${notes.join('\n')}` : undefined,
            files.length > 0 ? `Files touched so far: ${files.join(', ')}` : undefined,
          ]
            .filter(Boolean)
            .join('\n');
        },
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.summarize ? { summarize: options.summarize } : {}),
      ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    },
    { goal, ...(await loop.recall(goal, 'turn', 0).then((memoryText) => (memoryText ? { memory: memoryText } : {}))) },
  );
  let turns = 0;
  return {
    task: task.id,
    session: task.session,
    send: async (text) => {
      await loop.log([{ kind: 'user', text, role: 'user' }]);
      turns += 1;
      if (turns === 1) return engine.turn();
      const recalled = await loop.recall(text, 'turn', 0);
      return engine.turn(recalled ? `${text}\n\n${recalled}` : text);
    },
    compact: () => engine.compact('requested'),
    contextTokens: () => engine.contextTokens(),
    finish: async (result) => {
      const reports = subAgents?.reports() ?? [];
      const changedHere = reports.filter((report) => report.isolation === 'none').flatMap((report) => report.filesChanged);
      const base = {
        ...result,
        filesTouched: [...new Set([...result.filesTouched, ...changedHere])].sort(),
        task: task.id,
        session: task.session,
        promoted: [] as { slug: string; action: string }[],
        subAgents: reports,
      };
      if (result.outcome !== 'completed') {
        await loop.log([{ kind: 'run-stopped', text: `${result.outcome}: ${result.error?.message ?? ''}; the task is left open`.trim() }]);
        return base;
      }
      if (!options.verify) return base;
      try {
        const completed = await task.complete({ summary: result.answer.slice(0, 500) || goal });
        const attempt = completed.attempt;
        const verification = attempt
          ? { passed: attempt.passed, check: attempt.check, exitCode: attempt.exitCode, outputTail: attempt.outputTail }
          : undefined;
        return {
          ...base,
          outcome: completed.outcome === 'verification-failed' ? 'verification-failed' : 'completed',
          ...(verification ? { verification } : {}),
          promoted: completed.promoted.map((item) => ({ slug: item.slug, action: item.action })),
        };
      } catch (error) {
        const problem = error instanceof MnemoError ? error : new MnemoError('io', describeError(error));
        return {
          ...base,
          outcome: 'failed',
          error: { code: problem.code, message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) },
        };
      }
    },
  };
}

/**
 * One task run to its end: the session's first turn is the goal; `verify` at the end, and only a
 * passing verification promotes. Anything else leaves the task open and the attempt in the transcript.
 */
export async function runAgentTask(goal: string, options: AgentRunOptions): Promise<AgentRunResult> {
  const session = await openAgentSession(goal, options);
  return session.finish(await session.send(goal));
}
