import { join } from 'node:path';
import type { LanguageModel } from 'ai';
import type {
  AgentEvent,
  AgentLimits,
  AgentMemory,
  AgentRunOptions,
  AgentRunResult,
  AgentSession,
  PermissionPrompt,
  PermissionRules,
  RetryPolicy,
  SubAgentModelRequest,
} from '../agent/index.js';
import { modelApiKeyFor, type MnemoConfig } from '../config/index.js';
import { MnemoError } from '../shared/index.js';
import { rootPaths } from '../store/index.js';
import type { ToolDefinition } from '../tools/index.js';

/** How `memory.agent()` is set up. */
export interface AgentOptions {
  /** An AI SDK model object, or a string `provider:id` applied over the config's `model` section; the configured model when left out. */
  model?: LanguageModel;
  /** More tools, beside read, write, edit, bash, grep, glob and the memory tools. */
  tools?: readonly ToolDefinition[];
  permissions?: PermissionRules & { yes?: boolean; prompt?: PermissionPrompt };
  limits?: AgentLimits;
  /** Provider retries (tests inject `sleep`). */
  retry?: Partial<RetryPolicy>;
  /** Writes compaction summaries (default: the model). */
  summarize?: (text: string, signal?: AbortSignal) => Promise<string>;
  /** The `agent` tool (sub-agents); default: `agent.subAgents.enabled` of the configuration. */
  subAgents?: boolean;
  /** The model of a sub-agent (tests script one per sub-agent); default: its profile's `model`, else the run's model. */
  subAgentModel?: (request: SubAgentModelRequest) => LanguageModel | undefined | Promise<LanguageModel | undefined>;
}

/** One run: `verify` promotes the staged notes only when it passes. */
export interface AgentRunRequest {
  verify?: string;
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  session?: string;
}

/** An agent over one memory. */
export interface Agent {
  /** Run a task to its end: outcome, steps, token usage, the task and what was promoted. */
  run(task: string, request?: AgentRunRequest): Promise<AgentRunResult>;
  /** The same, with the events as an async iterator for a UI. */
  stream(task: string, request?: Omit<AgentRunRequest, 'onEvent'>): { events: AsyncIterable<AgentEvent>; result: Promise<AgentRunResult> };
  /** A conversation (what `mnemo chat` drives): `goal` opens the task; send it first, then further turns. */
  open(goal: string, request?: AgentRunRequest): Promise<AgentSession>;
}

async function resolveModel(config: MnemoConfig, env: NodeJS.ProcessEnv | undefined, wanted: AgentOptions['model']): Promise<{ model: LanguageModel; id: string; maxOutputTokens?: number; temperature?: number }> {
  if (wanted !== undefined && typeof wanted !== 'string') return { model: wanted, id: `${wanted.provider}:${wanted.modelId}` };
  const { applyModelOverride, createLanguageModel } = await import('../providers/index.js');
  const section = wanted === undefined ? config.model : applyModelOverride(config.model, wanted);
  if (!section) {
    throw new MnemoError('invalid-input', 'No model is configured for the agent.', {
      hint: 'Add a "model" section to mnemo.config.json (provider, model, and baseURL or apiKeyEnv), or pass --model provider:id.',
    });
  }
  return {
    model: await createLanguageModel(section, { apiKey: modelApiKeyFor(section, env) }),
    id: `${section.provider}:${section.model}`,
    maxOutputTokens: section.maxOutputTokens,
    temperature: section.temperature,
  };
}

/** `memory.agent()`: the runtime is imported only when a run starts (it loads the AI SDK). */
export function createAgent(memory: AgentMemory & { readonly root: string }, config: MnemoConfig, env: NodeJS.ProcessEnv | undefined, options: AgentOptions = {}): Agent {
  const runOptions = async (request: AgentRunRequest): Promise<AgentRunOptions> => {
    const model = await resolveModel(config, env, options.model);
    const { yes, prompt, ...rules } = options.permissions ?? {};
    return {
      memory,
      model: model.model,
      modelId: model.id,
      config: config.agent,
      ...(request.verify === undefined ? {} : { verify: request.verify }),
      ...(options.limits ? { limits: options.limits } : {}),
      permissions: rules,
      ...(yes ? { yes } : {}),
      ...(prompt ? { prompt } : {}),
      ...(options.tools ? { tools: options.tools } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onEvent ? { onEvent: request.onEvent } : {}),
      ...(request.session ? { session: request.session } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.summarize ? { summarize: options.summarize } : {}),
      ...(model.maxOutputTokens === undefined ? {} : { maxOutputTokens: model.maxOutputTokens }),
      ...(model.temperature === undefined ? {} : { temperature: model.temperature }),
      subAgents: {
        ...(options.subAgents === undefined ? {} : { enabled: options.subAgents }),
        profiles: config.agents,
        worktreesDir: join(rootPaths(memory.root).state, 'worktrees'),
        model: async (subAgent) => {
          const given = await options.subAgentModel?.(subAgent);
          if (given) return { model: given, modelId: typeof given === 'string' ? given : `${given.provider}:${given.modelId}` };
          if (subAgent.model === undefined) return undefined;
          const resolved = await resolveModel(config, env, subAgent.model);
          return { model: resolved.model, modelId: resolved.id };
        },
      },
    };
  };
  const run = async (task: string, request: AgentRunRequest = {}): Promise<AgentRunResult> => {
    const [{ runAgentTask }, prepared] = await Promise.all([import('../agent/index.js'), runOptions(request)]);
    return runAgentTask(task, prepared);
  };
  return {
    run,
    open: async (goal, request = {}) => {
      const [{ openAgentSession }, prepared] = await Promise.all([import('../agent/index.js'), runOptions(request)]);
      return openAgentSession(goal, prepared);
    },
    stream: (task, request = {}) => {
      const queue: AgentEvent[] = [];
      let wake: (() => void) | undefined;
      let finished = false;
      const result = run(task, {
        ...request,
        onEvent: (event) => {
          queue.push(event);
          wake?.();
        },
      }).finally(() => {
        finished = true;
        wake?.();
      });
      const events: AsyncIterable<AgentEvent> = {
        async *[Symbol.asyncIterator]() {
          for (;;) {
            const next = queue.shift();
            if (next !== undefined) yield next;
            else if (finished) return;
            else await new Promise<void>((resolve) => (wake = resolve));
          }
        },
      };
      return { events, result };
    },
  };
}
