import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceKind } from '../store/index.js';

export type Trust = 'trusted' | 'untrusted';

/** Where content came from, as trustFor reads it. */
export interface TrustSource {
  kind: SourceKind;
  /** Tool name, URL or path the content came from. */
  origin?: string | undefined;
  /** A person who approved the content (from quarantine, or when importing). */
  vouchedBy?: string | undefined;
}

export interface TrustOptions {
  /** The project the memory belongs to; files inside it are the user's own. */
  workspace: string;
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
function realPathOf(path: string): string {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(current.slice(parent.length).replace(/^[\\/]+/, ''));
      current = parent;
    }
  }
}

/**
 * Whether `origin` names a file inside `workspace`, after resolving `..` and symbolic links
 * (a link inside the workspace that points out of it is outside). A relative origin is read
 * relative to the workspace; a `file://` URL is read as its path; any other URL is outside.
 */
export function isInsideWorkspace(origin: string, workspace: string): boolean {
  let path = origin.trim();
  if (path === '' || path.includes('\0')) return false;
  if (/^file:/i.test(path)) {
    try {
      path = fileURLToPath(path);
    } catch {
      return false;
    }
  } else if (/^[a-z][a-z0-9+.-]+:\/\//i.test(path)) {
    return false;
  }
  const root = realPathOf(resolve(workspace));
  const target = realPathOf(isAbsolute(path) ? resolve(path) : resolve(workspace, path));
  const inside = relative(root, target);
  return inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
}

/**
 * How far content from `source` is trusted:
 * - `user`: trusted; `agent`: trusted (its own conclusions; still scanned); `dream`: trusted
 *   (it only recombines existing memory; callers pass a model's new text as untrusted `agent`).
 * - `tool`, `web`, `import`: untrusted unless a person vouched for it (`vouchedBy`).
 * - `file`: trusted when `origin` is a path inside the workspace (symbolic links and `..`
 *   resolved); otherwise untrusted unless vouched for.
 */
export function trustFor(source: TrustSource, options: TrustOptions): Trust {
  const vouched = typeof source.vouchedBy === 'string' && source.vouchedBy.trim() !== '';
  switch (source.kind) {
    case 'user':
    case 'agent':
    case 'dream':
      return 'trusted';
    case 'file':
      if (source.origin !== undefined && isInsideWorkspace(source.origin, options.workspace)) return 'trusted';
      return vouched ? 'trusted' : 'untrusted';
    case 'tool':
    case 'web':
    case 'import':
      return vouched ? 'trusted' : 'untrusted';
    default:
      return 'untrusted';
  }
}
