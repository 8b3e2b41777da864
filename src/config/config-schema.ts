import { z } from 'zod';

/** The per-prompt hook's default relevance threshold (bench/hook-bench.ts tunes it). */
export const PROMPT_THRESHOLD = 2.1;

/** How long-term memory may be written. */
export const writesModeSchema = z.enum(['auto', 'confirm', 'read-only', 'off']);
export type WritesMode = z.infer<typeof writesModeSchema>;

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
  })
  .strict();

/** Where the memory lives: files in the root (default), or one PostgreSQL database a fleet shares (docs/fleet-postgres.md). */
export const storeConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file') }).strict(),
  z
    .object({
      kind: z.literal('postgres'),
      /** A connection URL, e.g. postgres://mnemo:secret@db.internal:5432/mnemo (or set MNEMO_DATABASE_URL). */
      url: z.string().regex(/^postgres(ql)?:\/\/\S+$/i, 'a postgres:// or postgresql:// URL'),
    })
    .strict(),
]);
export type StoreConfig = z.infer<typeof storeConfigSchema>;

/** The whole configuration; every field has a default, so `{}` is a valid file. */
export const configSchema = z
  .object({
    /** The project folder that evidence is checked against, relative to the memory root. */
    workspace: z.string().optional(),
    writes: writesModeSchema.default('auto'),
    index: indexSchema.prefault({}),
    recall: recallSchema.prefault({}),
    verification: verificationSchema.prefault({}),
    tasks: tasksSchema.prefault({}),
    dream: dreamSchema.prefault({}),
    model: modelSchema.optional(),
    hooks: hooksSchema.prefault({}),
    agent: agentSchema.prefault({}),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('warn'),
    store: storeConfigSchema.default({ kind: 'file' }),
  })
  .strict();

export type MnemoConfig = z.infer<typeof configSchema>;
export type MnemoConfigInput = z.input<typeof configSchema>;
export type IndexBudget = MnemoConfig['index'];
export type RecallBudget = MnemoConfig['recall'];
export type VerificationConfig = MnemoConfig['verification'];
export type DreamConfig = MnemoConfig['dream'];
export type ModelConfig = NonNullable<MnemoConfig['model']>;
export type HooksConfig = MnemoConfig['hooks'];
export type AgentConfig = MnemoConfig['agent'];

/** The defaults, as a full config. */
export function defaultConfig(): MnemoConfig {
  return configSchema.parse({});
}
