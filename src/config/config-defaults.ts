import type { MnemoConfig } from './config-schema.js';
import { PROMPT_THRESHOLD } from './prompt-threshold.js';

/*
 * What `configSchema().parse({})` gives, without building the schema: most starts (no config file,
 * no overrides) need the defaults only, and building zod's schema costs a CLI start tens of
 * milliseconds. config-defaults.test.ts holds this equal to the schema's own defaults.
 */
const DEFAULTS: MnemoConfig = {
  writes: 'auto',
  index: {
    maxLines: 200,
    maxBytes: 25_000,
    warnRatio: 0.8,
  },
  recall: {
    limit: 5,
    topicBytes: 4096,
    callBytes: 20_480,
    sessionBytes: 61_440,
  },
  verification: {
    freshnessHours: 24,
    freshnessHoursByKind: {},
    budgetMs: 1500,
    allowCommands: false,
    allowHttp: false,
    allowedHosts: [],
    commandTimeoutMs: 10_000,
  },
  tasks: {
    verifyTimeoutMs: 600_000,
  },
  dream: {
    idleHours: 24,
    sessions: 5,
    lockStaleHours: 1,
    mergeThreshold: 0.3,
    retireSupersededAfterDays: 7,
    retireSuspectAfterDays: 30,
    retireUnusedAfterDays: 180,
    checkBudgetMs: 60_000,
    useModel: true,
  },
  tombstones: {
    keepDays: 90,
  },
  hooks: {
    promptBytes: 2048,
    promptTopics: 3,
    promptThreshold: PROMPT_THRESHOLD,
    promptSimilarity: 0.5,
  },
  agent: {
    contextWindow: 200_000,
    outputReserve: 20_000,
    compactMargin: 13_000,
    keepTurns: 6,
    maxSteps: 200,
    toolResultBytes: 2048,
    recallTokens: 1500,
    bashTimeoutMs: 120_000,
    permissions: {
      allow: [],
      ask: [],
      deny: [],
    },
    subAgents: {
      enabled: true,
      concurrency: 4,
      memoryBytes: 2048,
      maxSteps: 50,
      maxWorktrees: 4,
      worktreeMegabytes: 2048,
    },
  },
  agents: {},
  daemon: {
    debounceMs: 1500,
    heartbeatSeconds: 60,
    notify: [],
    dreamCron: '0 * * * *',
    ignore: [],
    patches: {
      enabled: true,
      timeoutMs: 900_000,
      attemptsPerDay: 3,
      maxWorktrees: 2,
      dailyTokens: 1_000_000,
      maxSteps: 40,
    },
    autoApply: false,
  },
  logLevel: 'warn',
  worktrees: 'shared',
  store: {
    kind: 'file',
  },
};

/** The values of `MNEMO_WRITES` and `MNEMO_LOG_LEVEL` that need no schema to apply. */
export const WRITES_MODES: ReadonlySet<string> = new Set(['auto', 'confirm', 'read-only', 'off']);
export const LOG_LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error', 'silent']);

/** A fresh copy of the defaults (callers may change theirs). */
export function plainDefaults(): MnemoConfig {
  return structuredClone(DEFAULTS);
}
