import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const DEFAULT_ROOT_NAME = '.mnemo';

export interface RootResolution {
  /** Absolute path of the memory root. */
  root: string;
  /** How it was found, for `status` and error messages. */
  via: 'flag' | 'env' | 'found' | 'git-root' | 'cwd';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest folder at or above `start` that holds `.git`, if any. */
export function findGitRoot(start: string): string | undefined {
  let current = resolve(start);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Where the memory root is: `--dir`, else `MNEMO_DIR`, else the nearest `.mnemo/` at or above the
 * current folder (not above the git root), else `.mnemo/` at the git root, else `.mnemo/` in the
 * current folder. Every command resolves it the same way; `init` creates it there.
 */
export function resolveRoot(options: { dir?: string | undefined; cwd: string; env: NodeJS.ProcessEnv }): RootResolution {
  if (options.dir !== undefined && options.dir !== '') return { root: resolve(options.cwd, options.dir), via: 'flag' };
  const fromEnv = options.env.MNEMO_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return { root: resolve(options.cwd, fromEnv), via: 'env' };
  const gitRoot = findGitRoot(options.cwd);
  let current = resolve(options.cwd);
  for (;;) {
    const candidate = join(current, DEFAULT_ROOT_NAME);
    if (isDirectory(candidate)) return { root: candidate, via: 'found' };
    const parent = dirname(current);
    if (current === gitRoot || parent === current) break;
    current = parent;
  }
  if (gitRoot !== undefined) return { root: join(gitRoot, DEFAULT_ROOT_NAME), via: 'git-root' };
  return { root: join(resolve(options.cwd), DEFAULT_ROOT_NAME), via: 'cwd' };
}
