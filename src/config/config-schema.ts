import { z } from 'zod';

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
    idleHours: z.number().min(0).default(24),
    sessions: z.number().int().min(1).default(5),
    lockStaleHours: z.number().min(0).default(1),
  })
  .strict();

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
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('warn'),
  })
  .strict();

export type MnemoConfig = z.infer<typeof configSchema>;
export type MnemoConfigInput = z.input<typeof configSchema>;
export type IndexBudget = MnemoConfig['index'];
export type RecallBudget = MnemoConfig['recall'];
export type VerificationConfig = MnemoConfig['verification'];
export type DreamConfig = MnemoConfig['dream'];

/** The defaults, as a full config. */
export function defaultConfig(): MnemoConfig {
  return configSchema.parse({});
}
