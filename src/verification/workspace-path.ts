import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { errnoCode } from '../shared/index.js';

export type WorkspacePath = { ok: true; absolute: string; relative: string } | { ok: false; reason: string };

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Real path of `target`, or of its deepest existing ancestor when it does not exist. */
async function realpathOfExisting(target: string, stop: string): Promise<string> {
  let probe = target;
  for (;;) {
    try {
      return await realpath(probe);
    } catch (error) {
      const code = errnoCode(error);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || probe === stop || dirname(probe) === probe) throw error;
      probe = dirname(probe);
    }
  }
}

/**
 * Resolve a path stored in evidence against the workspace. Refuses paths that escape it, either
 * by their text (`../x`, `/etc/passwd`) or through a symlink that leads out of it. A path that
 * does not exist resolves (its deepest existing folder is what is checked).
 */
export async function resolveWorkspacePath(workspace: string, path: string): Promise<WorkspacePath> {
  if (path.includes('\0')) return { ok: false, reason: 'the path contains a NUL character' };
  const root = resolve(workspace);
  const absolute = resolve(root, path);
  if (!isInside(root, absolute)) return { ok: false, reason: `${path} is outside the workspace; only paths inside it are checked` };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, reason: `the workspace ${workspace} does not exist` };
  }
  let real: string;
  try {
    real = await realpathOfExisting(absolute, root);
  } catch (error) {
    return { ok: false, reason: `cannot resolve ${path}: ${errnoCode(error) ?? String(error)}` };
  }
  if (!isInside(realRoot, real)) return { ok: false, reason: `${path} leads outside the workspace through a symlink; not followed` };
  return { ok: true, absolute, relative: relative(root, absolute).split(sep).join('/') };
}
