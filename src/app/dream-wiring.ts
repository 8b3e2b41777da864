import { loadConfig } from '../config/index.js';
import type {
  DreamDependencies,
  DreamDue,
  DreamOptions,
  DreamOutcome,
  DreamPhase,
  DreamStatus,
  RollbackResult,
} from '../dream/index.js';
import type { LanguageModelPort } from '../providers/index.js';

/**
 * dream/ and the model providers, loaded when a dream, its status or a rollback is asked for:
 * opening a memory for a recall or a write does not load them.
 */
const dreamModule = () => import('../dream/index.js');
const providersModule = () => import('../providers/index.js');
import { createManualClock, describeError, systemClock } from '../shared/index.js';
import { isMemoryRoot } from '../store/index.js';

/** The dream part of the library API. */
export interface DreamApi {
  /**
   * Run one consolidation now (`propose: true`: compute and return the plan as a diff, change
   * nothing; `ifDue: true`: only when due, else `not-due`/`busy`). The tools' `{ apply: false }`
   * proposes too.
   */
  dream(options?: DreamOptions): Promise<DreamOutcome>;
  /** When the last dream ran, what it did, whether one is due and why. */
  dreamStatus(): Promise<DreamStatus>;
  /** Restore the memory exactly as it was before a dream (default: the last one applied). */
  rollbackDream(id?: string, options?: { force?: boolean }): Promise<RollbackResult>;
}

/** What the app hands over: the dream's dependencies, the key config/ resolved, and test hooks. */
export interface DreamWiring
  extends Pick<DreamDependencies, 'root' | 'workspace' | 'config' | 'clock' | 'logger' | 'search' | 'writer' | 'newId' | 'usage' | 'environment'> {
  /** The API key config/ resolved for the configured model. */
  modelApiKey: string | undefined;
  /** A model to use instead of the configured one (a scripted model in tests). */
  model?: LanguageModelPort | undefined;
  onDreamPhase?: ((phase: DreamPhase, detail?: string) => void | Promise<void>) | undefined;
}

/** The configured model, built when a dream needs it; a section that cannot work is reported, not fatal. */
async function resolveModel(wiring: DreamWiring): Promise<{ model?: LanguageModelPort; problem?: string }> {
  if (wiring.model) return { model: wiring.model };
  if (!wiring.config.model || !wiring.config.dream.useModel) return {};
  const { createModel } = await providersModule();
  try {
    return { model: createModel(wiring.config.model, { apiKey: wiring.modelApiKey }) };
  } catch (error) {
    return { problem: describeError(error) };
  }
}

/** Compose dream from the pieces of an open memory. */
export function createDreamApi(wiring: DreamWiring): DreamApi {
  const { root, config, clock, writer } = wiring;
  return {
    dream: async (options = {}) => {
      const [{ model, problem }, { runDream }] = await Promise.all([resolveModel(wiring), dreamModule()]);
      return runDream(
        {
          root,
          workspace: wiring.workspace,
          config,
          clock,
          logger: wiring.logger,
          search: wiring.search,
          writer,
          newId: wiring.newId,
          usage: wiring.usage,
          environment: wiring.environment,
          model,
          modelProblem: problem,
          onPhase: wiring.onDreamPhase,
        },
        options,
      );
    },
    dreamStatus: async () => (await dreamModule()).dreamStatus(root, config.dream, clock),
    rollbackDream: async (id, options = {}) => (await dreamModule()).rollbackDream({ root, clock, writer, lockStaleHours: config.dream.lockStaleHours }, id, options),
  };
}

/**
 * Whether a dream is due for the memory that these options name, without opening it (the
 * trigger reads a few small files): what every command checks cheaply. Undefined when there is
 * no memory there or its configuration cannot be read.
 */
export async function checkDreamDueFor(options: { dir?: string; cwd: string; env?: NodeJS.ProcessEnv }): Promise<DreamDue | undefined> {
  try {
    const loaded = loadConfig({ dir: options.dir, cwd: options.cwd, env: options.env });
    if (!isMemoryRoot(loaded.root)) return undefined;
    const clock = loaded.fixedNow ? createManualClock(loaded.fixedNow) : systemClock;
    const { checkDreamDue } = await dreamModule();
    return await checkDreamDue(loaded.root, loaded.config.dream, clock);
  } catch {
    return undefined;
  }
}
