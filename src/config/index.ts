/**
 * config: the zod schema of mnemo's configuration, root resolution and `loadConfig`.
 * The only module that reads `process.env`.
 */
export { configSchema, writesModeSchema, storeConfigSchema, defaultConfig } from './config-schema.js';
export type {
  MnemoConfig,
  MnemoConfigInput,
  WritesMode,
  IndexBudget,
  RecallBudget,
  VerificationConfig,
  DreamConfig,
  ModelConfig,
  EmbeddingsConfig,
  HooksConfig,
  AgentConfig,
  AgentProfile,
  DaemonConfig,
  DaemonCheckConfig,
  NotifySinkConfig,
  DaemonPatchesConfig,
  StoreConfig,
} from './config-schema.js';
export { resolveRoot, findGitRoot, mainWorktreeOf, DEFAULT_ROOT_NAME } from './resolve-root.js';
export type { RootResolution, MemoryChoice, WorktreeMemory } from './resolve-root.js';
export { claudeConfigDir, claudeProjectKey, claudeMemoryDir, isClaudeMemoryFolder, stateDirFor } from './claude-code-paths.js';
export { loadConfig, CONFIG_FILE, modelApiKeyFor, embeddingsApiKeyFor } from './load-config.js';
export type { LoadConfigOptions, LoadedConfig } from './load-config.js';
export { environmentSettings } from './environment-settings.js';
export type { EnvironmentSettings } from './environment-settings.js';
