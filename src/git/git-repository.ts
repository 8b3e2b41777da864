import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { MnemoError } from '../shared/index.js';
import { gitText } from './git-process.js';

/** The git repository a memory root sits in. */
export interface GitRepository {
  /** The top of the worktree that holds the memory root. */
  topLevel: string;
  /** The folder shared by all worktrees (`git rev-parse --git-common-dir`): config and hooks live there. */
  commonDir: string;
  /** Where git runs hooks from (`core.hooksPath` when set). */
  hooksDir: string;
  /** The memory root relative to `topLevel`, with `/` separators (`.mnemo`). */
  rootPath: string;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Whether `path` is `folder` or inside it. */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Find the repository of a memory root (which must lie inside a worktree of it). */
export async function findRepository(root: string): Promise<GitRepository> {
  const output = await gitText(
    root,
    ['rev-parse', '--show-toplevel', '--git-common-dir', '--git-path', 'hooks'],
    'find the git repository',
  );
  const [topLevel = '', commonDir = '', hooks = ''] = output.split('\n').map((line) => line.trim());
  const top = real(topLevel);
  const rootReal = real(root);
  if (!isInside(top, rootReal)) {
    throw new MnemoError('invalid-input', `The memory root ${root} is not inside the git worktree ${top}.`, {
      hint: 'Team memory through git shares a memory committed to the repository: use the project memory (.mnemo/ at the git root) or pass --dir inside the repository.',
    });
  }
  return {
    topLevel: top,
    commonDir: real(resolve(root, commonDir)),
    hooksDir: resolve(root, hooks),
    rootPath: relative(top, rootReal).split(sep).join('/'),
  };
}
