import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MnemoError, errnoCode } from '../shared/index.js';
import { LOG_LEVELS, WRITES_MODES, plainDefaults } from './config-defaults.js';
import { configSchema, type MnemoConfig } from './config-schema.js';
import { resolveRoot, DEFAULT_ROOT_NAME, type MemoryChoice, type RootResolution } from './resolve-root.js';

export const CONFIG_FILE = 'mnemo.config.json';

export interface LoadConfigOptions {
  /** `--dir`; wins over the environment. */
  dir?: string | undefined;
  /** `--memory claude`: Claude Code's auto-memory folder of the project is the root (see `resolveRoot`). */
  memory?: MemoryChoice | undefined;
  /** A Claude Code transcript path (hooks): locates that folder exactly. */
  transcriptPath?: string | undefined;
  /** `--workspace`; wins over the config file. */
  workspace?: string | undefined;
  cwd?: string;
  /** Defaults to `process.env`: config/ is the only reader of the environment. */
  env?: NodeJS.ProcessEnv;
  /** Values that win over the file (from flags or the API). */
  overrides?: Partial<MnemoConfig>;
}

export interface LoadedConfig {
  config: MnemoConfig;
  root: string;
  rootVia: RootResolution['via'];
  /** The project folder evidence is checked against. */
  workspace: string;
  /** The config file read, if there was one. */
  configFile: string | undefined;
  /** The environment, for `env` evidence (the rest of mnemo never reads process.env). */
  environment: Record<string, string | undefined>;
  /** `MNEMO_NOW`: a fixed time for this process (scripted demos and tests of freshness). */
  fixedNow: Date | undefined;
  /** The model's API key, read from the variable `model.apiKeyEnv` names; undefined without one. */
  modelApiKey: string | undefined;
  /** The embedder's API key, read from the variable `embeddings.apiKeyEnv` names (OPENAI_API_KEY for openai); undefined without one. */
  embeddingsApiKey: string | undefined;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw new MnemoError('io', `Cannot read ${path}: ${String(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MnemoError('invalid-input', `${path} is not valid JSON: ${(error as Error).message}`, {
      hint: `Fix the file or remove it to use the defaults.`,
    });
  }
}

/** The conventional key variable of each hosted provider, used when `model.apiKeyEnv` is not set. */
const DEFAULT_KEY_ENV: Record<string, string | undefined> = { anthropic: 'ANTHROPIC_API_KEY', openai: 'OPENAI_API_KEY' };

function modelApiKey(config: MnemoConfig, env: NodeJS.ProcessEnv): string | undefined {
  return modelApiKeyFor(config.model, env);
}

/** The API key of a `model` section (another one than the file's, e.g. after `--model`), from the environment. */
export function modelApiKeyFor(model: MnemoConfig['model'], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = model ? (model.apiKeyEnv ?? DEFAULT_KEY_ENV[model.provider]) : undefined;
  const value = name === undefined ? undefined : env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The API key of an `embeddings` section, from the environment. */
export function embeddingsApiKeyFor(embeddings: MnemoConfig['embeddings'], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = embeddings ? (embeddings.apiKeyEnv ?? DEFAULT_KEY_ENV[embeddings.provider]) : undefined;
  const value = name === undefined ? undefined : env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The configuration `input` makes, validated by the schema, or without building it when `input`
 * holds nothing but a plain writes mode and log level on no file (the defaults with those two).
 */
function validConfig(input: Record<string, unknown>, noFile: boolean, path: string): MnemoConfig {
  const plain =
    noFile &&
    Object.keys(input).every((key) => key === 'writes' || key === 'logLevel') &&
    (input.writes === undefined || (typeof input.writes === 'string' && WRITES_MODES.has(input.writes))) &&
    (input.logLevel === undefined || (typeof input.logLevel === 'string' && LOG_LEVELS.has(input.logLevel)));
  if (plain) {
    const config = plainDefaults();
    if (input.writes !== undefined) config.writes = input.writes as MnemoConfig['writes'];
    if (input.logLevel !== undefined) config.logLevel = input.logLevel as MnemoConfig['logLevel'];
    return config;
  }
  const result = configSchema().safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new MnemoError('invalid-input', `Invalid configuration in ${path}: ${problems}`, {
      hint: 'Fix or remove the named fields; every field has a default.',
    });
  }
  return result.data;
}

/**
 * Resolve the memory root and parse its configuration once, at the edge: defaults, then
 * `<root>/mnemo.config.json`, then `MNEMO_*` variables, then explicit overrides.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { root, via, worktree } = resolveRoot({
    dir: options.dir,
    cwd,
    env,
    memory: options.memory,
    transcriptPath: options.transcriptPath,
  });
  const path = join(root, CONFIG_FILE);
  const fromFile = readConfigFile(path);
  const raw: Record<string, unknown> = { ...((fromFile as Record<string, unknown> | undefined) ?? {}) };
  if (env.MNEMO_WRITES !== undefined && env.MNEMO_WRITES !== '') {
    if (!WRITES_MODES.has(env.MNEMO_WRITES)) {
      throw new MnemoError('invalid-input', `MNEMO_WRITES=${env.MNEMO_WRITES} is not a writes mode.`, {
        hint: 'Use one of auto, confirm, read-only, off.',
      });
    }
    raw.writes = env.MNEMO_WRITES;
  }
  if (env.MNEMO_LOG_LEVEL) raw.logLevel = env.MNEMO_LOG_LEVEL;
  if (env.MNEMO_DATABASE_URL) raw.store = { kind: 'postgres', url: env.MNEMO_DATABASE_URL };
  const config = validConfig({ ...raw, ...(options.overrides ?? {}) }, fromFile === undefined, path);
  const workspaceSetting = options.workspace ?? config.workspace;
  const workspace =
    workspaceSetting !== undefined
      ? resolve(options.workspace !== undefined ? cwd : root, workspaceSetting)
      : worktree !== undefined
        ? worktree // a linked worktree sharing the main worktree's memory checks evidence against its own files
        : basename(root) === DEFAULT_ROOT_NAME
          ? dirname(root)
          : resolve(cwd);
  let fixedNow: Date | undefined;
  if (env.MNEMO_NOW) {
    fixedNow = new Date(env.MNEMO_NOW);
    if (Number.isNaN(fixedNow.getTime())) {
      throw new MnemoError('invalid-input', `MNEMO_NOW=${env.MNEMO_NOW} is not a date.`, {
        hint: 'Use an ISO time like 2026-11-20T09:00:00Z, or unset it.',
      });
    }
  }
  return {
    config,
    root,
    rootVia: via,
    workspace,
    configFile: fromFile === undefined ? undefined : path,
    environment: { ...env },
    fixedNow,
    modelApiKey: modelApiKey(config, env),
    embeddingsApiKey: embeddingsApiKeyFor(config.embeddings, env),
  };
}
