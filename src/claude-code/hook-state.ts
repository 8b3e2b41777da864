import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootPaths } from '../store/index.js';
import { sha256, writeFileAtomic } from '../shared/index.js';

/** What the hooks remember about one Claude Code session (`.state/claude-code/sessions/<hash>.json`). */
export interface SessionHookState {
  /** Topics the per-prompt hook added since the session started or was last compacted: never repeated. */
  injected: string[];
  /** Lessons the session met (added by the per-prompt hook): re-added after a compaction. */
  lessons: string[];
}

function statePath(root: string, session: string): string {
  return join(rootPaths(root).state, 'claude-code', 'sessions', `${sha256(session).slice(0, 24)}.json`);
}

/** The hook state of a session; empty for a new one (or an unreadable file, which is rebuilt). */
export async function readSessionHookState(root: string, session: string): Promise<SessionHookState> {
  try {
    const value = JSON.parse(await readFile(statePath(root, session), 'utf8')) as Partial<SessionHookState>;
    return {
      injected: Array.isArray(value.injected) ? value.injected.filter((slug) => typeof slug === 'string') : [],
      lessons: Array.isArray(value.lessons) ? value.lessons.filter((slug) => typeof slug === 'string') : [],
    };
  } catch {
    return { injected: [], lessons: [] };
  }
}

/** Save a session's hook state (atomically; the state folder lives outside a Claude Code memory folder). */
export async function writeSessionHookState(root: string, session: string, state: SessionHookState): Promise<void> {
  await writeFileAtomic(statePath(root, session), `${JSON.stringify(state)}\n`);
}
