import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Memory } from '../app/index.js';
import { convertClaudeCodeTranscript, groupBySubagent } from '../importers/index.js';
import { randomToken, withLock, writeFileAtomic } from '../shared/index.js';
import { isValidSessionId, rootPaths } from '../store/index.js';

interface ImportState {
  [transcriptPath: string]: { offset: number; session: string; mnemoToolUses?: string[] };
}

export interface IncrementalImport {
  /** The session the main conversation's lines went to. */
  session: string;
  /** Every session written to (child sessions of subagents included). */
  sessions: string[];
  imported: number;
  /** Bytes of the transcript read so far. */
  offset: number;
}

export interface IncrementalImportOptions {
  /** A subagent's own transcript (SubagentStop): every line goes to this agent's child session of `sessionId`. */
  agent?: string | undefined;
}

async function readState(path: string): Promise<ImportState> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as ImportState) : {};
  } catch {
    return {};
  }
}

/** The complete lines of a file from byte `start` (a torn last line waits for the next call). */
async function completeLines(path: string, start: number, size: number): Promise<string> {
  if (size <= start) return '';
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    const chunk = buffer.subarray(0, bytesRead);
    const end = chunk.lastIndexOf(0x0a);
    return end < 0 ? '' : chunk.subarray(0, end + 1).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Append the lines a Claude Code transcript gained since the last call to the session's mnemo
 * transcript (layer 3); subagent (sidechain) lines go to a child session linked to it. The
 * offset per transcript is kept in `.state/claude-code-imports.json` under a lock, so concurrent
 * hooks never import a line twice; a partial last line waits for the next call; a transcript
 * that shrank is read again from the start.
 */
export async function importClaudeCodeIncrementally(
  memory: Memory,
  transcriptPath: string,
  sessionId: string | undefined,
  options: IncrementalImportOptions = {},
): Promise<IncrementalImport> {
  const paths = rootPaths(memory.root);
  const statePath = join(paths.state, 'claude-code-imports.json');
  return withLock(join(paths.locks, 'claude-code-import.lock'), { purpose: 'import a Claude Code transcript' }, async () => {
    const state = await readState(statePath);
    const known = state[transcriptPath];
    const session = known?.session ?? (sessionId && isValidSessionId(sessionId) ? sessionId : `claude-code-${randomToken(8)}`);
    const size = (await stat(transcriptPath)).size;
    const start = known && known.offset <= size ? known.offset : 0;
    const text = await completeLines(transcriptPath, start, size);
    const offset = start + Buffer.byteLength(text);
    const mnemoToolUses = new Set(known?.mnemoToolUses ?? []);
    let { events } = convertClaudeCodeTranscript(text, { mnemoToolUses });
    if (options.agent) events = events.map((event) => ({ ...event, data: { ...event.data, agent: options.agent } }));
    const groups = groupBySubagent(events, session);
    for (const [target, grouped] of groups) await memory.log(target, grouped);
    state[transcriptPath] = { offset, session, mnemoToolUses: [...mnemoToolUses].slice(-200) };
    await writeFileAtomic(statePath, JSON.stringify(state, null, 2));
    return { session, sessions: [...groups.keys()], imported: events.length, offset };
  });
}

/**
 * Forget the import offsets of transcripts that no longer exist (Claude Code deletes old ones):
 * `.state/claude-code-imports.json` would otherwise grow by one entry per session for ever. An
 * offset of a transcript still on disk is always kept, so nothing is ever imported twice.
 */
export async function pruneImportOffsets(memory: Memory): Promise<number> {
  const paths = rootPaths(memory.root);
  const statePath = join(paths.state, 'claude-code-imports.json');
  return withLock(join(paths.locks, 'claude-code-import.lock'), { purpose: 'prune Claude Code import offsets' }, async () => {
    const state = await readState(statePath);
    let removed = 0;
    for (const transcript of Object.keys(state)) {
      if (
        await stat(transcript).then(
          () => false,
          (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
        )
      ) {
        delete state[transcript];
        removed += 1;
      }
    }
    if (removed > 0) await writeFileAtomic(statePath, JSON.stringify(state, null, 2));
    return removed;
  });
}
