import { MnemoError } from '../shared/index.js';
import { resolveWorkspacePath } from '../verification/index.js';

/** How the workspace tools (read, write, edit, bash, grep, glob) are built. */
export interface WorkspaceToolsOptions {
  /** The folder every path is confined to (symlinks that lead out of it are refused). */
  workspace: string;
  /** Default timeout of `bash`; a call may ask for less or more up to 10 minutes. */
  bashTimeoutMs?: number;
  /** Bytes of a command's output the model sees (head and tail); the full text goes to the transcript. */
  outputCapBytes?: number;
  /** Called with every path a tool read or changed (the runtime's "files touched"). */
  onPath?: (path: string, change: 'read' | 'write') => void;
}

/** A path inside the workspace, or a refusal the model can act on. */
export async function confinedPath(workspace: string, path: string): Promise<{ absolute: string; relative: string }> {
  const resolved = await resolveWorkspacePath(workspace, path);
  if (!resolved.ok) {
    throw new MnemoError('invalid-input', `Refused: ${resolved.reason}.`, {
      hint: 'Use a path relative to the workspace root; files outside it cannot be read or changed.',
    });
  }
  return { absolute: resolved.absolute, relative: resolved.relative === '' ? '.' : resolved.relative };
}

/** Keep the head and the tail of a long text within `cap` bytes, saying how much was left out. */
export function excerpt(text: string, cap: number): { text: string; cut: number } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= cap) return { text, cut: 0 };
  const buffer = Buffer.from(text);
  const head = buffer.subarray(0, Math.floor(cap * 0.3)).toString('utf8').replace(/\uFFFD+$/, '');
  const tail = buffer
    .subarray(bytes - Math.floor(cap * 0.7))
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
  const cut = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail);
  return { text: `${head}\n[… ${cut} bytes left out …]\n${tail}`, cut };
}
