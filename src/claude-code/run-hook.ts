import { existsSync } from 'node:fs';
import { openMemory, type Memory } from '../app/index.js';
import { loadConfig, type MemoryChoice } from '../config/index.js';
import { isMnemoError } from '../shared/index.js';
import { isMemoryRoot } from '../store/index.js';
import type { HookPayload } from './hook-payload.js';
import { importClaudeCodeIncrementally, pruneImportOffsets } from './incremental-import.js';
import { pruneSessionHookStates } from './hook-state.js';
import { promptContext } from './prompt-context.js';
import { sessionStartContext } from './session-context.js';

/** The `mnemo hook <event>` arguments, one per Claude Code hook event mnemo installs. */
export const HOOK_EVENTS = ['session-start', 'user-prompt-submit', 'stop', 'subagent-stop', 'session-end'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Events whose work (transcript import, the dream check) nobody waits for: the CLI runs them detached. */
export const BACKGROUND_HOOK_EVENTS: ReadonlySet<HookEvent> = new Set(['stop', 'subagent-stop', 'session-end']);

export function isHookEvent(value: string): value is HookEvent {
  return (HOOK_EVENTS as readonly string[]).includes(value);
}

export interface HookRunOptions {
  dir?: string | undefined;
  workspace?: string | undefined;
  /** `claude`: the project's Claude Code auto-memory folder is the root. */
  memory?: MemoryChoice | undefined;
  /** Where the hook runs when the payload has no `cwd`. */
  cwd: string;
  env?: NodeJS.ProcessEnv | undefined;
  /** The clock session-end prunes old hook states by (tests pass their own). */
  now?: () => Date;
}

export interface HookRun {
  /** The JSON to print on stdout for Claude Code, if any. */
  output?: { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
  /** What happened, for stderr (Claude Code's debug log). */
  notes: string[];
  /** The memory root the hook used, when there was one. */
  root?: string;
  /** Whether `dream --if-due` should be started (after a transcript import). */
  dreamCheck: boolean;
}

/**
 * Open the memory a hook works on. The root is resolved per session, from the payload's folder
 * (or its transcript, for Claude Code's memory folder); a hook that writes creates the root on
 * first use when it is the project's own place (`.mnemo/` at a git root, or Claude Code's
 * memory folder), so a user-scope setup needs no per-project init. Undefined when there is none.
 */
async function openHookMemory(payload: HookPayload, options: HookRunOptions, writes: boolean): Promise<Memory | undefined> {
  const cwd = payload.cwd ?? options.cwd;
  const { root, rootVia } = loadConfig({
    dir: options.dir,
    cwd,
    env: options.env,
    memory: options.memory,
    transcriptPath: payload.transcript_path,
  });
  const exists = existsSync(root) && isMemoryRoot(root);
  const create = writes && !exists && (rootVia === 'git-root' || rootVia === 'claude-code' || rootVia === 'found');
  if (!exists && !create) return undefined;
  return openMemory({
    dir: root,
    ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    cwd,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(create ? { create: true } : {}),
  });
}

const NO_MEMORY = 'mnemo: no memory here (run `mnemo init` to start one, or `mnemo setup claude-code`); nothing done.';

/**
 * Do the work of one Claude Code hook: the session-start context, the per-prompt context, or the
 * import of new transcript lines (main conversation and subagents). Never throws for a missing
 * memory; the CLI prints `output` and the notes.
 */
export async function runClaudeCodeHook(event: HookEvent, payload: HookPayload, options: HookRunOptions): Promise<HookRun> {
  const writes = BACKGROUND_HOOK_EVENTS.has(event);
  let memory: Memory | undefined;
  try {
    memory = await openHookMemory(payload, options, writes);
  } catch (error) {
    if (isMnemoError(error, 'not-initialized')) return { notes: [NO_MEMORY], dreamCheck: false };
    throw error;
  }
  if (!memory) return { notes: [NO_MEMORY], dreamCheck: false };
  try {
    const root = memory.root;
    if (event === 'session-start') {
      const additionalContext = await sessionStartContext(memory, { source: payload.source, session: payload.session_id });
      return { root, output: { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext } }, notes: [], dreamCheck: false };
    }
    if (event === 'user-prompt-submit') {
      const context = payload.prompt ? await promptContext(memory, payload.prompt, { session: payload.session_id }) : undefined;
      if (!context || context.text === '') return { root, notes: [], dreamCheck: false };
      return {
        root,
        output: { hookSpecificOutput: { hookEventName: 'UserPromptSubmit', additionalContext: context.text } },
        notes: [`mnemo: added ${context.topics.map((topic) => topic.slug).join(', ')} to the prompt's context`],
        dreamCheck: false,
      };
    }
    const notes: string[] = [];
    if (event === 'subagent-stop' && payload.agent_transcript_path) {
      const result = await importClaudeCodeIncrementally(memory, payload.agent_transcript_path, payload.session_id, {
        agent: payload.agent_id ?? 'subagent',
      });
      notes.push(`mnemo: ${result.imported} event(s) of the subagent's transcript added to ${result.sessions.join(', ') || 'no session'}`);
    } else if (payload.transcript_path) {
      const result = await importClaudeCodeIncrementally(memory, payload.transcript_path, payload.session_id);
      notes.push(
        `mnemo: ${result.imported} event(s) of the Claude Code transcript added to ${result.sessions.join(', ') || `session ${result.session}`}`,
      );
    }
    if (event === 'session-end') {
      const states = await pruneSessionHookStates(root, { now: (options.now ?? (() => new Date()))() });
      const offsets = await pruneImportOffsets(memory);
      if (states.removed + offsets > 0)
        notes.push(`mnemo: pruned ${states.removed} old session hook state(s) and ${offsets} offset(s) of deleted transcripts`);
    }
    return { root, notes, dreamCheck: true };
  } finally {
    memory.close();
  }
}
