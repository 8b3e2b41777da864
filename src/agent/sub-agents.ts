import { readFileSync } from 'node:fs';
import type { LanguageModel } from 'ai';
import { z } from 'zod';
import type { AgentConfig, AgentProfile } from '../config/index.js';
import type { TranscriptEventInput } from '../store/index.js';
import { MnemoError, describeError, randomToken } from '../shared/index.js';
import {
  defineTool,
  memoryTools,
  workspaceTools,
  type MemoryToolApi,
  type ToolDefinition,
  type ToolOutcome,
  type ToolTaskHandle,
} from '../tools/index.js';
import { createLimiter } from './concurrency-limiter.js';
import { emptyUsage, fullResultText, toolCallTranscript, type AgentEvent, type EngineOutcome, type TokenUsage } from './agent-events.js';
import { createPermissionPolicy, parseRule, type PermissionRules } from './permissions.js';
import type { RetryPolicy } from './provider-retry.js';
import { QueryEngine } from './query-engine.js';
import { WorktreePool, cleanDeadWorktrees, type Worktree, type WorktreeCleanup } from './worktree-pool.js';

/** The tools a sub-agent gets unless it asks for others. */
export const SUB_AGENT_DEFAULT_TOOLS = ['read', 'grep', 'glob', 'recall', 'show'] as const;
/** Tools that change files: a sub-agent gets them only when the parent's permissions allow them. */
const WRITE_TOOLS = new Set(['write', 'edit', 'bash']);
/** The tools a sub-agent may be given (always with task_note, bound to the parent's task). */
const AVAILABLE = new Set(['read', 'write', 'edit', 'bash', 'grep', 'glob', 'recall', 'show', 'list', 'task_note', 'task_observe']);
/** Bytes of a worktree's diff that the parent's model reads; the whole diff is on the branch and in the result. */
const DIFF_BYTES = 16_384;

/** What a sub-agent came to; the parent gets it as the `agent` tool's result and in the run's result. */
export interface SubAgentReport {
  /** `agent-1`, `agent-2`, … in the order they were asked for. */
  id: string;
  description: string;
  profile?: string;
  /** Its transcript: a child session of the parent's (`<parent session>.agent-N`). */
  session: string;
  isolation: 'none' | 'worktree';
  /** `refused` when it never ran (a tool not granted, an unknown profile, a worktree cap). */
  outcome: EngineOutcome | 'refused';
  answer: string;
  /** Notes it staged in the parent's task (unverified until the parent's verification passes). */
  notes: { id: string; name: string }[];
  /** With isolation "worktree": every file of its diff; otherwise the paths its write and edit calls changed. */
  filesChanged: string[];
  usage: TokenUsage;
  steps: number;
  tools: string[];
  /** Bytes of recalled memory in its first request (at most agent.subAgents.memoryBytes). */
  memoryBytes: number;
  /** With isolation "worktree" and changes: the branch holding them as one commit. */
  branch?: string;
  diff?: string;
  error?: { code: string; message: string; hint?: string };
}

/** What a caller says about a sub-agent's model: which profile and `provider:id` it asked for. */
export interface SubAgentModelRequest {
  id: string;
  description: string;
  profile?: string;
  model?: string;
}

/** How sub-agents are set up beyond the `agent.subAgents` configuration. */
export interface SubAgentOptions {
  /** Named profiles (`agents.<name>` in the configuration). */
  profiles?: Readonly<Record<string, AgentProfile>>;
  /** Where worktrees live (`<memory root>/.state/worktrees`); without it isolation "worktree" is refused. */
  worktreesDir?: string;
  /** The model of a sub-agent; undefined (or no function) means the parent's. */
  model?: (request: SubAgentModelRequest) => Promise<{ model: LanguageModel; modelId: string } | undefined>;
}

export interface SubAgentContext {
  memory: MemoryToolApi & {
    readonly workspace: string;
    agentIndexText(): Promise<string>;
    log(session: string, events: TranscriptEventInput | TranscriptEventInput[]): Promise<unknown>;
  };
  /** The parent's task: sub-agents' notes are staged there. */
  task: ToolTaskHandle;
  config: AgentConfig;
  model: LanguageModel;
  modelId: string;
  /** The parent's permission rules (configuration and command line). */
  rules: Required<PermissionRules>;
  yes: boolean;
  options: SubAgentOptions;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: AgentEvent) => void) | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  summarize?: ((text: string, signal?: AbortSignal) => Promise<string>) | undefined;
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  compactAt: number;
}

const budgetSchema = z
  .object({
    maxSteps: z.number().int().min(1).max(1000).optional().describe('Most model requests.'),
    maxTokens: z.number().int().min(100).optional().describe('Most tokens (input + output, all steps).'),
  })
  .strict();

const inputSchema = z
  .object({
    description: z.string().min(1).max(120).describe('A few words on what it does (shown in the progress).'),
    prompt: z.string().min(1).max(50_000).describe('The whole task: it sees nothing of this conversation.'),
    tools: z
      .array(z.string().min(1).max(40))
      .max(20)
      .optional()
      .describe('Its tools (default: read, grep, glob, recall, show; task_note always).'),
    isolation: z
      .enum(['none', 'worktree'])
      .optional()
      .describe('"worktree": a fresh git worktree of HEAD; its changes come back as a diff. Default "none".'),
    budget: budgetSchema.optional(),
    agent: z.string().min(1).max(40).optional().describe('A named profile from the configuration.'),
  })
  .strict();
type SubAgentInput = z.output<typeof inputSchema>;

function fence(attributes: string, text: string): string {
  return `<memory ${attributes}>\n${text.trim()}\n</memory>`;
}

const RECALL_FENCE = 'source="mnemo recall" reason="the sub-agent\'s task" trust="hint: check before relying on it"';

/** Whether the parent's permissions let a sub-agent have a tool that changes files. */
function writeToolGranted(tool: string, rules: Required<PermissionRules>, yes: boolean): boolean {
  const parsed = (texts: readonly string[], action: 'allow' | 'deny') => texts.map((text) => parseRule(text, action));
  if (parsed(rules.deny, 'deny').some((rule) => (rule.tool === tool || rule.tool === '*') && rule.pattern === undefined)) return false;
  return yes || parsed(rules.allow, 'allow').some((rule) => rule.tool === tool || rule.tool === '*');
}

function refusal(message: string, hint: string): MnemoError {
  return new MnemoError('write-refused', `Refused: ${message}; the sub-agent was not started.`, { hint });
}

function bound(tool: ToolDefinition, taskId: string): ToolDefinition {
  // the parent's task, whatever task id the model wrote: a sub-agent stages nowhere else
  return {
    ...tool,
    run: (input, context) => tool.run({ ...(typeof input === 'object' && input !== null ? input : {}), task: taskId }, context),
  };
}

/** The `agent` tool over one parent run, and what its sub-agents came to. */
export interface SubAgents {
  readonly tool: ToolDefinition;
  reports(): SubAgentReport[];
  /** Remove the worktrees dead runs left (at the start of a run). */
  cleanup(): Promise<WorktreeCleanup | undefined>;
}

export function createSubAgents(context: SubAgentContext): SubAgents {
  const settings = context.config.subAgents;
  const limit = createLimiter(settings.concurrency);
  const reports: SubAgentReport[] = [];
  const profiles = context.options.profiles ?? {};
  let pool: WorktreePool | undefined;
  let count = 0;

  const choose = (input: SubAgentInput): { profile?: AgentProfile; tools: string[] } => {
    const profile = input.agent === undefined ? undefined : profiles[input.agent];
    if (input.agent !== undefined && !profile) {
      const names = Object.keys(profiles);
      throw refusal(
        `there is no agent profile named "${input.agent}"`,
        names.length > 0
          ? `Use one of: ${names.join(', ')}, or leave out "agent".`
          : 'Leave out "agent" (no profiles are configured: agents.<name> in mnemo.config.json).',
      );
    }
    const asked = input.tools ?? profile?.tools ?? [...SUB_AGENT_DEFAULT_TOOLS];
    for (const tool of asked) {
      if (tool === 'agent')
        throw refusal('a sub-agent cannot start sub-agents (depth 1)', 'Start the sub-agents you need yourself, in parallel.');
      if (!AVAILABLE.has(tool)) throw refusal(`a sub-agent has no tool named ${tool}`, `Ask for some of: ${[...AVAILABLE].join(', ')}.`);
      if (input.tools !== undefined && profile?.tools !== undefined && !profile.tools.includes(tool)) {
        throw refusal(
          `the profile "${input.agent}" does not have ${tool}`,
          `Its tools are ${profile.tools.join(', ')}; leave out "tools" or use another profile.`,
        );
      }
      if (WRITE_TOOLS.has(tool) && !writeToolGranted(tool, context.rules, context.yes)) {
        throw refusal(
          `a sub-agent cannot have ${tool}: your permissions do not allow it`,
          `Do without ${tool} (ask for a report and make the change yourself), or the user reruns with --allow '${tool}' (or a pattern like ${tool === 'bash' ? "'bash(npm test*)'" : `'${tool}(src/**)'`}).`,
        );
      }
    }
    return { ...(profile ? { profile } : {}), tools: [...new Set([...asked, 'task_note'])] };
  };

  const memoryFor = async (prompt: string, session: string): Promise<string | undefined> => {
    const room = settings.memoryBytes - Buffer.byteLength(fence(RECALL_FENCE, ''));
    const result = await context.memory
      .recall(prompt.slice(0, 2000), { budget: room, topicBytes: room, task: context.task.id, session })
      .catch(() => undefined);
    const kept: string[] = [];
    let used = 0;
    for (const topic of result?.topics ?? []) {
      const bytes = Buffer.byteLength(topic.text) + 2;
      if (used + bytes > room) break;
      kept.push(topic.text);
      used += bytes;
    }
    return kept.length === 0 ? undefined : fence(RECALL_FENCE, kept.join('\n\n'));
  };

  const runOne = async (
    input: SubAgentInput,
    report: SubAgentReport,
    chosen: { profile?: AgentProfile; tools: string[] },
  ): Promise<void> => {
    const { memory, task } = context;
    const log = (events: TranscriptEventInput[]) =>
      memory
        .log(
          report.session,
          events.map((event) => ({ ...event, task: task.id })),
        )
        .catch(() => undefined);
    let worktree: Worktree | undefined;
    if (report.isolation === 'worktree') {
      if (!context.options.worktreesDir)
        throw refusal('isolation "worktree" is not available here (no memory root for worktrees)', 'Use isolation "none".');
      pool ??= new WorktreePool({
        dir: context.options.worktreesDir,
        workspace: memory.workspace,
        maxWorktrees: settings.maxWorktrees,
        maxBytes: settings.worktreeMegabytes * 1024 * 1024,
      });
      worktree = await pool.acquire(`${report.id}-${randomToken(6)}`);
      report.branch = worktree.branch;
    }
    const workspace = worktree?.workspace ?? memory.workspace;
    try {
      const chosenModel = await context.options.model?.({
        id: report.id,
        description: report.description,
        ...(input.agent ? { profile: input.agent } : {}),
        ...(chosen.profile?.model ? { model: chosen.profile.model } : {}),
      });
      const modelId = chosenModel?.modelId ?? context.modelId;
      const tools = [
        ...workspaceTools({ workspace, bashTimeoutMs: context.config.bashTimeoutMs }),
        ...memoryTools(memory, { origin: `agent:${modelId}:${report.id}`, session: report.session }).map((tool) =>
          tool.name === 'task_note' || tool.name === 'task_observe' ? bound(tool, task.id) : tool,
        ),
      ].filter((tool) => chosen.tools.includes(tool.name));
      const readOnly = new Set([...tools.filter((tool) => tool.hints.readOnly).map((tool) => tool.name), 'task_note', 'task_observe']);
      const index = await memory.agentIndexText();
      const recalled = await memoryFor(input.prompt, report.session);
      report.memoryBytes = recalled === undefined ? 0 : Buffer.byteLength(recalled);
      const isolationText = worktree
        ? `You work in a git worktree of your own (a checkout of HEAD on branch ${worktree.branch}): your changes do not touch the parent's files; they go back to the parent as a diff.`
        : tools.some((tool) => WRITE_TOOLS.has(tool.name))
          ? "You work in the parent's workspace, which other sub-agents may use at the same time: change only the files your task is about."
          : 'You can read but not change files.';
      const base = readFileSync(new URL('./sub-agent-prompt.md', import.meta.url), 'utf8')
        .replaceAll('{{task}}', task.id)
        .replace('{{tools}}', tools.map((tool) => tool.name).join(', '))
        .replace('{{isolation}}', isolationText)
        .trim();
      const system = [
        base,
        chosen.profile?.system,
        fence('source="MEMORY.md" kind="index" trust="hint"', index.trim() === '' ? '(the memory is empty)' : index),
      ]
        .filter(Boolean)
        .join('\n\n');
      const budget = { ...chosen.profile?.budget, ...input.budget };
      const changed = new Set<string>();
      await log([
        {
          kind: 'user',
          role: 'user',
          text: input.prompt,
          data: {
            subAgent: report.id,
            parentSession: task.session,
            parentTask: task.id,
            description: report.description,
            isolation: report.isolation,
            tools: chosen.tools,
          },
        },
      ]);
      const engine = new QueryEngine(
        {
          model: chosenModel?.model ?? context.model,
          modelId,
          system,
          tools,
          limits: {
            maxSteps: budget.maxSteps ?? settings.maxSteps,
            maxTokens: budget.maxTokens,
            compactAt: context.compactAt,
            keepTurns: context.config.keepTurns,
            toolResultBytes: context.config.toolResultBytes,
          },
          permission: createPermissionPolicy({ workspace, rules: context.rules, readOnlyTools: readOnly, yes: context.yes }),
          hooks: {
            afterToolResult: async (call, outcome: ToolOutcome) => {
              if (outcome.ok && (call.toolName === 'write' || call.toolName === 'edit') && typeof outcome.data.path === 'string')
                changed.add(outcome.data.path);
              if (outcome.ok && call.toolName === 'task_note' && typeof outcome.data.note === 'string')
                report.notes.push({ id: outcome.data.note, name: String(outcome.data.name) });
              await log(toolCallTranscript(call, fullResultText(outcome)));
              return undefined;
            },
            afterStep: async (step) => {
              if (step.text !== '') await log([{ kind: 'assistant', text: step.text, role: 'assistant' }]);
            },
          },
          ...(context.signal ? { signal: context.signal } : {}),
          ...(context.retry ? { retry: context.retry } : {}),
          ...(context.summarize ? { summarize: context.summarize } : {}),
          ...(context.maxOutputTokens === undefined ? {} : { maxOutputTokens: context.maxOutputTokens }),
          ...(context.temperature === undefined ? {} : { temperature: context.temperature }),
        },
        { goal: input.prompt, ...(recalled ? { memory: recalled } : {}) },
      );
      const result = await engine.turn();
      Object.assign(report, {
        outcome: result.outcome,
        answer: result.answer,
        usage: result.usage,
        steps: result.steps.length,
        ...(result.error ? { error: result.error } : {}),
      });
      report.filesChanged = [...changed].sort();
      await log([{ kind: 'run-stopped', text: `sub-agent ${report.id} ${result.outcome}: ${result.answer.slice(0, 500)}` }]);
    } finally {
      if (worktree && pool) {
        const changes = await pool.release(worktree, `mnemo sub-agent ${report.id}: ${report.description}`);
        report.filesChanged = changes.files;
        if (changes.branch) {
          report.branch = changes.branch;
          report.diff = changes.diff;
        } else delete report.branch;
      }
    }
  };

  const render = (report: SubAgentReport): string => {
    const status =
      report.outcome === 'completed' ? 'completed' : report.outcome === 'refused' ? 'was refused' : `did not complete (${report.outcome})`;
    const lines = [
      `Sub-agent ${report.id} (${report.description}) ${status}: ${report.steps} step(s), ${report.usage.inputTokens} input + ${report.usage.outputTokens} output tokens.`,
      report.error ? `Error: ${report.error.message}${report.error.hint ? `\nWhat to do: ${report.error.hint}` : ''}` : undefined,
      report.answer.trim() === '' ? undefined : `Its answer:\n${report.answer.trim()}`,
      report.notes.length === 0
        ? undefined
        : `Notes it staged in task ${context.task.id} (unverified; this task's verification promotes them): ${report.notes.map((note) => `${note.name} (${note.id})`).join(', ')}.`,
      report.filesChanged.length === 0
        ? 'Files changed: none.'
        : `Files changed${report.isolation === 'worktree' ? ' (in its worktree, not in yours)' : ''}: ${report.filesChanged.join(', ')}.`,
      report.branch && report.diff !== undefined
        ? `Its changes are one commit on branch ${report.branch}: apply them with \`git merge ${report.branch}\` (or \`git apply\` the diff below), or drop them (\`git branch -D ${report.branch}\`).\n\`\`\`diff\n${Buffer.byteLength(report.diff) > DIFF_BYTES ? `${report.diff.slice(0, DIFF_BYTES)}\n[… the rest is on the branch …]` : report.diff}\n\`\`\``
        : undefined,
      `Its transcript: session ${report.session} (recall with deep: true searches it).`,
    ];
    return lines.filter((line) => line !== undefined).join('\n');
  };

  const tool = defineTool({
    name: 'agent',
    title: 'Start a sub-agent',
    description: [
      readFileSync(new URL('./agent-tool.md', import.meta.url), 'utf8').trim(),
      Object.keys(profiles).length === 0
        ? undefined
        : `Profiles (\`agent\`): ${Object.entries(profiles)
            .map(([name, profile]) => `${name}${profile.tools ? ` (tools: ${profile.tools.join(', ')})` : ''}`)
            .join('; ')}.`,
    ]
      .filter(Boolean)
      .join('\n\n'),
    inputSchema,
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
    execute: async (input) => {
      count += 1;
      const id = `agent-${count}`;
      const suffix = `.${id}`;
      const report: SubAgentReport = {
        id,
        description: input.description,
        ...(input.agent ? { profile: input.agent } : {}),
        session: `${context.task.session.slice(0, 96 - suffix.length)}${suffix}`,
        isolation: input.isolation ?? 'none',
        outcome: 'refused',
        answer: '',
        notes: [],
        filesChanged: [],
        usage: emptyUsage(),
        steps: 0,
        tools: [],
        memoryBytes: 0,
      };
      reports.push(report);
      const emit = (status: 'running' | 'done' | 'failed') =>
        context.onEvent?.({
          type: 'sub-agent',
          id,
          description: report.description,
          session: report.session,
          status,
          ...(status === 'running' ? {} : { usage: report.usage, steps: report.steps }),
          ...(status === 'failed' && report.error ? { message: report.error.message } : {}),
        });
      const fail = (error: unknown) => {
        const problem = error instanceof MnemoError ? error : new MnemoError('internal', describeError(error));
        // a refusal before the model ran (a cap, no git repository) stays `refused`; anything else failed
        if (report.steps > 0 || (problem.code !== 'write-refused' && problem.code !== 'invalid-input')) report.outcome = 'failed';
        report.error = { code: problem.code, message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) };
        return problem;
      };
      let chosen: ReturnType<typeof choose>;
      try {
        chosen = choose(input);
      } catch (error) {
        throw fail(error);
      }
      report.tools = chosen.tools;
      await limit(async () => {
        emit('running');
        try {
          await runOne(input, report, chosen);
        } catch (error) {
          fail(error);
        }
        emit(report.outcome === 'completed' ? 'done' : 'failed');
      });
      if (report.outcome === 'refused' && report.error)
        throw new MnemoError(
          report.error.code === 'invalid-input' ? 'invalid-input' : 'write-refused',
          report.error.message,
          report.error.hint ? { hint: report.error.hint } : {},
        );
      const ok = report.outcome === 'completed';
      const { diff: _diff, ...summary } = report;
      return { text: render(report), data: { ...summary, ...(ok ? {} : { failed: true }) } };
    },
  });

  return {
    tool,
    reports: () => reports.map((report) => ({ ...report, notes: [...report.notes], filesChanged: [...report.filesChanged] })),
    cleanup: async () => (context.options.worktreesDir ? cleanDeadWorktrees(context.options.worktreesDir) : undefined),
  };
}
