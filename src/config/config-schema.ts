import { z } from 'zod';
import { PROMPT_THRESHOLD } from './prompt-threshold.js';

export { PROMPT_THRESHOLD };

/*
 * The schemas are built on first use, not at import: building them costs a CLI start tens of
 * milliseconds, and `loadConfig` needs them only when there is something to validate (a config file,
 * overrides, a MNEMO_* value beyond the plain ones; see config-defaults.ts for the rest).
 */
function buildSchemas() {
  /** How long-term memory may be written. */
  const writesModeSchema = z.enum(['auto', 'confirm', 'read-only', 'off']);

  const indexSchema = z
    .object({
      /** MEMORY.md line budget. */
      maxLines: z.number().int().min(10).default(200),
      /** MEMORY.md byte budget. */
      maxBytes: z.number().int().min(1000).default(25_000),
      /** Writes warn when either budget is used beyond this ratio. */
      warnRatio: z.number().min(0).max(1).default(0.8),
    })
    .strict();

  const recallSchema = z
    .object({
      limit: z.number().int().min(1).max(100).default(5),
      topicBytes: z.number().int().min(256).default(4096),
      callBytes: z.number().int().min(256).default(20_480),
      sessionBytes: z.number().int().min(256).default(61_440),
    })
    .strict();

  const verificationSchema = z
    .object({
      /** A topic whose evidence was checked within this window is not re-checked on recall. */
      freshnessHours: z.number().min(0).default(24),
      /** Per evidence kind override of the freshness window, in hours. */
      freshnessHoursByKind: z.record(z.string(), z.number().min(0)).default({}),
      /** Time budget for all checks of one recall. */
      budgetMs: z.number().int().min(10).default(1500),
      /** Allow `command` evidence to run (trusted topics only). */
      allowCommands: z.boolean().default(false),
      /** Allow `http` evidence to run (trusted topics only, allowed hosts only). */
      allowHttp: z.boolean().default(false),
      allowedHosts: z.array(z.string()).default([]),
      commandTimeoutMs: z.number().int().min(100).default(10_000),
    })
    .strict();

  const tasksSchema = z
    .object({
      /** Timeout of a task's verification command. */
      verifyTimeoutMs: z.number().int().min(100).default(600_000),
    })
    .strict();

  /** Tombstones in the repository (`tombstones/*.json`, docs/team-memory.md). */
  const tombstonesSchema = z
    .object({
      /**
       * `mnemo dream` and `mnemo doctor --fix` prune tombstones older than this many days (a copy
       * stays in `.state/trash/tombstones/`), unless a branch still holds the topic; null: never.
       */
      keepDays: z.number().int().min(1).nullable().default(90),
    })
    .strict();

  const dreamSchema = z
    .object({
      /** Due after this many hours without activity (when something happened since the last dream). */
      idleHours: z.number().min(0).default(24),
      /** Due after this many sessions with activity since the last dream. */
      sessions: z.number().int().min(1).default(5),
      /** A dream lock older than this is taken over even if its holder seems alive. */
      lockStaleHours: z.number().min(0).default(1),
      /** Topic similarity (0..1) from which two topics of a type are merged; measured in bench/dream-threshold.ts. */
      mergeThreshold: z.number().min(0).max(1).default(0.3),
      /** Superseded topics are retired (to the trash, with a tombstone) this many days after they were superseded. */
      retireSupersededAfterDays: z.number().min(0).default(7),
      /** Suspect topics that no check healed for this many days are retired. */
      retireSuspectAfterDays: z.number().min(0).default(30),
      /** Topics nobody recalled or updated for this many days, and not verified, are retired when their confidence is low. */
      retireUnusedAfterDays: z.number().min(0).default(180),
      /** Time for the evidence re-checks of one dream. */
      checkBudgetMs: z.number().int().min(10).default(60_000),
      /** With a model configured: distil transcripts into candidate notes and rewrite merged topics. */
      useModel: z.boolean().default(true),
    })
    .strict();

  /** The Claude Code hooks (`mnemo hook …`). */
  const hooksSchema = z
    .object({
      /** Bytes the per-prompt hook may add to a prompt's context (topics, caveats, marks). */
      promptBytes: z.number().int().min(256).default(2048),
      /** Most topics the per-prompt hook adds. */
      promptTopics: z.number().int().min(1).max(10).default(3),
      /**
       * Least relevance a topic needs to be added to a prompt (BM25 with mnemo's field weights);
       * below it nothing is added. Tuned on a labelled set in bench/hook-bench.ts.
       */
      promptThreshold: z.number().min(0).default(PROMPT_THRESHOLD),
      /**
       * With hybrid recall (an `embeddings` section), a topic whose vector is at least this close
       * to the prompt's (cosine similarity) is added too, though it shares no word with it.
       */
      promptSimilarity: z.number().min(0).max(1).default(0.5),
    })
    .strict();

  /** A language model for dream (and later the agent); without this section no model is used. */
  const modelSchema = z
    .object({
      provider: z.enum(['anthropic', 'openai', 'openai-compatible', 'ollama']),
      /** The provider's model id, e.g. claude-sonnet-4-5, gpt-4.1-mini, llama3.1. */
      model: z.string().min(1),
      /** Server URL (required for openai-compatible; optional for the others). */
      baseURL: z.string().url().optional(),
      /** The name of the environment variable holding the API key, e.g. ANTHROPIC_API_KEY (never the key itself). */
      apiKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional(),
      maxOutputTokens: z.number().int().min(16).default(2048),
      temperature: z.number().min(0).max(2).default(0),
      timeoutMs: z.number().int().min(100).default(120_000),
    })
    .strict();

  /**
   * An embedding model for semantic (hybrid) recall; without this section recall is lexical only
   * and no vector code is loaded. See docs/semantic-recall.md.
   */
  const embeddingsSchema = z
    .object({
      provider: z.enum(['openai', 'openai-compatible', 'ollama', 'local']),
      /** The provider's model id (e.g. text-embedding-3-small, nomic-embed-text); for `local`, the model's folder name under `path`. */
      model: z.string().min(1),
      /** Server URL (required for openai-compatible; optional for openai and ollama). */
      baseURL: z.string().url().optional(),
      /** The name of the environment variable holding the API key (never the key itself). */
      apiKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional(),
      /** `local` only: the folder that holds model folders (transformers.js `localModelPath`); nothing is downloaded. */
      path: z.string().min(1).optional(),
      /** Texts per embedding request. */
      batchSize: z.number().int().min(1).max(2048).default(64),
      /** What recall uses by default when this section is present. */
      mode: z.enum(['lexical', 'hybrid']).default('hybrid'),
      /** Timeout of one embedding request. */
      timeoutMs: z.number().int().min(100).default(30_000),
    })
    .strict();

  const permissionRulesSchema = z
    .object({
      /** Rules like `bash(npm test*)`, `write(src/**)`, `read`: run without asking. */
      allow: z.array(z.string().min(1)).default([]),
      /** Ask a person first (denied without a terminal unless `--yes`). */
      ask: z.array(z.string().min(1)).default([]),
      /** Never run; wins over allow and ask. */
      deny: z.array(z.string().min(1)).default([]),
    })
    .strict();

  /** A sub-agent's budget: most model requests and tokens (input + output, all steps). */
  const subAgentBudgetSchema = z
    .object({
      maxSteps: z.number().int().min(1).optional(),
      maxTokens: z.number().int().min(100).optional(),
    })
    .strict();

  /** Sub-agents (the runtime's `agent` tool): parallel workers with a fresh context. */
  const subAgentsSchema = z
    .object({
      /** Offer the `agent` tool to the model of `mnemo run` / `mnemo chat`. */
      enabled: z.boolean().default(true),
      /** Sub-agents running at once; further `agent` calls of a step wait for a slot. */
      concurrency: z.number().int().min(1).max(32).default(4),
      /** Bytes of recalled memory a sub-agent's first request may carry (the index besides; never the whole memory). */
      memoryBytes: z.number().int().min(256).default(2048),
      /** Most model requests of a sub-agent unless its budget or profile says otherwise. */
      maxSteps: z.number().int().min(1).default(50),
      /** Most live worktrees (`isolation: "worktree"`), across the runs of this memory. */
      maxWorktrees: z.number().int().min(1).default(4),
      /** Most disk the live worktrees may take together (estimated from the size of HEAD), in megabytes. */
      worktreeMegabytes: z.number().int().min(1).default(2048),
    })
    .strict();

  /** A named sub-agent profile (`agents.<name>`), chosen with the `agent` tool's `agent` argument. */
  const agentProfileSchema = z
    .object({
      /** Instructions added to the sub-agent's system prompt. */
      system: z.string().min(1).max(20_000).optional(),
      /** The tools it gets (default: read, grep, glob, recall, show; task_note always). */
      tools: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a tool name')).optional(),
      /** `provider:id` over the config's model section (default: the parent's model). */
      model: z.string().min(1).optional(),
      budget: subAgentBudgetSchema.optional(),
    })
    .strict();

  /** The agent runtime (`mnemo run`, `mnemo chat`, `memory.agent()`). */
  const agentSchema = z
    .object({
      /** The model's context window, in tokens. */
      contextWindow: z.number().int().min(2000).default(200_000),
      /** Tokens kept free for the model's answer. */
      outputReserve: z.number().int().min(0).default(20_000),
      /** Further tokens kept free before compacting. */
      compactMargin: z.number().int().min(0).default(13_000),
      /** Compact above this many context tokens (default: window − output reserve − margin). */
      compactAt: z.number().int().min(500).optional(),
      /** The last turns kept verbatim by a compaction. */
      keepTurns: z.number().int().min(1).default(6),
      maxSteps: z.number().int().min(1).default(200),
      /** A tool result above this many bytes is kept as an excerpt and a pointer once it is older than the last `keepTurns` turns. */
      toolResultBytes: z.number().int().min(256).default(2048),
      /** Token budget of each recall the runtime makes for the model. */
      recallTokens: z.number().int().min(50).default(1500),
      /** Default timeout of the bash tool. */
      bashTimeoutMs: z.number().int().min(100).default(120_000),
      permissions: permissionRulesSchema.prefault({}),
      subAgents: subAgentsSchema.prefault({}),
    })
    .strict();

  /** One check the daemon runs: a command whose failure is a problem to report. */
  const daemonCheckSchema = z
    .object({
      /** Shown in notifications and `mnemo daemon status`; letters, digits, ".", "_", "-". */
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a check name is letters, digits, ".", "_" and "-", like typecheck'),
      /** Run through the shell in the workspace, like a person typed it. */
      command: z.string().min(1),
      /** When it runs: on file changes (debounced), on its `cron` schedule, or both. */
      on: z
        .array(z.enum(['change', 'schedule']))
        .min(1)
        .default(['change']),
      /** A croner expression (`*\/15 * * * *`, with an optional seconds field); needed with `on: ["schedule"]`. */
      cron: z.string().min(1).optional(),
      /** Killed (with everything it started) after this many milliseconds. */
      timeout: z.number().int().min(100, 'timeout is in milliseconds (at least 100)').default(300_000),
    })
    .strict()
    .refine((check) => !check.on.includes('schedule') || check.cron !== undefined, {
      message: 'a check that runs on "schedule" needs a "cron" expression',
      path: ['cron'],
    });

  /** Where the daemon sends what broke and what recovered; the log always gets it too. */
  const notifySinkSchema = z.discriminatedUnion('type', [
    z
      .object({
        type: z.literal('webhook'),
        url: z.string().url(),
        headers: z.record(z.string(), z.string()).default({}),
        /** Further attempts after a failed POST (network error or 5xx), with a growing pause. */
        retries: z.number().int().min(0).max(10).default(3),
      })
      .strict(),
    z.object({ type: z.literal('ntfy'), url: z.string().url(), priority: z.number().int().min(1).max(5).optional() }).strict(),
    z.object({ type: z.literal('desktop') }).strict(),
    z.object({ type: z.literal('command'), command: z.string().min(1), timeout: z.number().int().min(100).default(10_000) }).strict(),
  ]);

  /** An external agent for the daemon's patch jobs: a command given the task on stdin, run in a fresh worktree. */
  const daemonAgentSchema = z
    .object({
      /** Run through the shell with the worktree as its folder, e.g. `claude -p`, `codex exec`, `aider --yes-always --message-file /dev/stdin`. */
      command: z.string().min(1),
    })
    .strict();

  /** The bounds of the daemon's patch jobs (docs/daemon.md#patches). */
  const daemonPatchesSchema = z
    .object({
      /** Write patches when a model or `daemon.agent` is configured; false: only report. */
      enabled: z.boolean().default(true),
      /** A patch job (the agent and the reruns of every check) is stopped after this many milliseconds. */
      timeoutMs: z.number().int().min(1000, 'timeoutMs is in milliseconds (at least 1000)').default(900_000),
      /** Most patch attempts for one error signature per day (UTC); then one notification that it gave up. */
      attemptsPerDay: z.number().int().min(1).default(3),
      /** Most live patch worktrees (under `.state/daemon/worktrees/`). */
      maxWorktrees: z.number().int().min(1).default(2),
      /** Most model tokens (input + output) the patch jobs may use per day (UTC); past it no job starts. */
      dailyTokens: z.number().int().min(1000).default(1_000_000),
      /** Most model requests of one patch job. */
      maxSteps: z.number().int().min(1).default(40),
    })
    .strict();

  /** The daemon (`mnemo daemon …`): checks, watching, schedules and notifications. */
  const daemonSchema = z
    .object({
      /** Without this list the checks are found in the project (tsc, the test and lint scripts). */
      checks: z.array(daemonCheckSchema).optional(),
      /** Quiet time after the last file change before the checks run. */
      debounceMs: z.number().int().min(0).default(1500),
      /** A heartbeat line in the log (and the state file) this often. */
      heartbeatSeconds: z.number().int().min(1).default(60),
      notify: z.array(notifySinkSchema).default([]),
      /** When `dream --if-due` runs (a croner expression); null: never. */
      dreamCron: z.string().min(1).nullable().default('0 * * * *'),
      /** Extra paths (picomatch globs relative to the workspace) whose changes are ignored. */
      ignore: z.array(z.string().min(1)).default([]),
      /** An external agent command for patch jobs; without it the configured `model` writes the patches. */
      agent: daemonAgentSchema.optional(),
      patches: daemonPatchesSchema.prefault({}),
      /** Apply a verified patch to the working tree by itself (otherwise only `mnemo daemon apply` does). */
      autoApply: z.boolean().default(false),
    })
    .strict();

  /** Where the memory lives: files in the root (default), or one PostgreSQL database a fleet shares (docs/fleet-postgres.md). */
  const storeConfigSchema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('file') }).strict(),
    z
      .object({
        kind: z.literal('postgres'),
        /** A connection URL, e.g. postgres://mnemo:secret@db.internal:5432/mnemo (or set MNEMO_DATABASE_URL). */
        url: z.string().regex(/^postgres(ql)?:\/\/\S+$/i, 'a postgres:// or postgresql:// URL'),
      })
      .strict(),
  ]);

  /** The whole configuration; every field has a default, so `{}` is a valid file. */
  const configSchema = z
    .object({
      /** The project folder that evidence is checked against, relative to the memory root. */
      workspace: z.string().optional(),
      writes: writesModeSchema.default('auto'),
      index: indexSchema.prefault({}),
      recall: recallSchema.prefault({}),
      verification: verificationSchema.prefault({}),
      tasks: tasksSchema.prefault({}),
      dream: dreamSchema.prefault({}),
      tombstones: tombstonesSchema.prefault({}),
      model: modelSchema.optional(),
      embeddings: embeddingsSchema.optional(),
      hooks: hooksSchema.prefault({}),
      agent: agentSchema.prefault({}),
      /** Named sub-agent profiles, e.g. a reviewer that only reads. */
      agents: z
        .record(z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a profile name: lower-case letters, digits, "-" and "_"'), agentProfileSchema)
        .default({}),
      daemon: daemonSchema.prefault({}),
      logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('warn'),
      /** Linked git worktrees share the main worktree's memory (`shared`) or each keep their own (`own`); `MNEMO_WORKTREES` wins. */
      worktrees: z.enum(['shared', 'own']).default('shared'),
      store: storeConfigSchema.default({ kind: 'file' }),
    })
    .strict();
  return { writesModeSchema, storeConfigSchema, configSchema, agentProfileSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
const schemas = (): Schemas => (built ??= buildSchemas());

/** The whole configuration's schema; every field has a default, so `{}` is a valid file. */
export const configSchema = (): Schemas['configSchema'] => schemas().configSchema;
/** How long-term memory may be written. */
export const writesModeSchema = (): Schemas['writesModeSchema'] => schemas().writesModeSchema;
/** Where the memory lives: files in the root (default), or one PostgreSQL database a fleet shares (docs/fleet-postgres.md). */
export const storeConfigSchema = (): Schemas['storeConfigSchema'] => schemas().storeConfigSchema;

export type WritesMode = z.infer<Schemas['writesModeSchema']>;
export type StoreConfig = z.infer<Schemas['storeConfigSchema']>;
export type MnemoConfig = z.infer<Schemas['configSchema']>;
export type MnemoConfigInput = z.input<Schemas['configSchema']>;
export type IndexBudget = MnemoConfig['index'];
export type RecallBudget = MnemoConfig['recall'];
export type VerificationConfig = MnemoConfig['verification'];
export type DreamConfig = MnemoConfig['dream'];
export type ModelConfig = NonNullable<MnemoConfig['model']>;
export type EmbeddingsConfig = NonNullable<MnemoConfig['embeddings']>;
export type HooksConfig = MnemoConfig['hooks'];
export type AgentConfig = MnemoConfig['agent'];
export type AgentProfile = z.infer<Schemas['agentProfileSchema']>;
export type DaemonConfig = MnemoConfig['daemon'];
export type DaemonCheckConfig = NonNullable<DaemonConfig['checks']>[number];
export type NotifySinkConfig = DaemonConfig['notify'][number];
export type DaemonPatchesConfig = DaemonConfig['patches'];

/** The defaults, as a full config. */
export function defaultConfig(): MnemoConfig {
  return configSchema().parse({});
}
