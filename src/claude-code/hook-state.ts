import { readdir, readFile, stat, unlink } from 'node:fs/promises';
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

function stateFolder(root: string): string {
  return join(rootPaths(root).state, 'claude-code', 'sessions');
}

function statePath(root: string, session: string): string {
  return join(stateFolder(root), `${sha256(session).slice(0, 24)}.json`);
}

/** How long a session's hook state outlives its last prompt (Claude Code keeps transcripts 30 days by default). */
export const HOOK_STATE_MAX_AGE_DAYS = 30;
/** At most this many sessions' hook states are kept; the least recently used go first. */
export const HOOK_STATE_MAX_SESSIONS = 500;

export interface HookStatePruning {
  /** The session-state files removed. */
  removed: number;
  /** Those that remain. */
  kept: number;
}

/**
 * Drop the hook states of sessions untouched for `maxAgeDays`, and the least recently used beyond
 * `maxSessions`: one small file per Claude Code session would otherwise pile up for ever. A state
 * is a cache of what the hooks already added (nothing a person wrote), so it is removed, not
 * trashed; a session resumed after that gets its topics once more.
 */
export async function pruneSessionHookStates(
  root: string,
  options: { now: Date; maxAgeDays?: number; maxSessions?: number },
): Promise<HookStatePruning> {
  const folder = stateFolder(root);
  const maxAgeMs = (options.maxAgeDays ?? HOOK_STATE_MAX_AGE_DAYS) * 86_400_000;
  const maxSessions = options.maxSessions ?? HOOK_STATE_MAX_SESSIONS;
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
  const entries: { path: string; mtimeMs: number }[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (info) entries.push({ path, mtimeMs: info.mtimeMs });
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs);
  let removed = 0;
  for (const [position, entry] of entries.entries()) {
    if (position < maxSessions && options.now.getTime() - entry.mtimeMs <= maxAgeMs) continue;
    await unlink(entry.path).then(
      () => (removed += 1),
      () => undefined,
    );
  }
  return { removed, kept: entries.length - removed };
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
