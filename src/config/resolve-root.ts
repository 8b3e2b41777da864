import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { claudeMemoryDir } from './claude-code-paths.js';

export const DEFAULT_ROOT_NAME = '.mnemo';

export interface RootResolution {
  /** Absolute path of the memory root. */
  root: string;
  /** How it was found, for `status` and error messages. */
  via: 'flag' | 'env' | 'found' | 'git-root' | 'cwd' | 'claude-code';
}

/** Which memory a project uses: mnemo's own `.mnemo/`, or Claude Code's auto-memory folder of the project. */
export type MemoryChoice = 'mnemo' | 'claude';

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
export function resolveRoot(options: {
  dir?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `claude` (or `MNEMO_MEMORY=claude`): the project's Claude Code auto-memory folder, unless `--dir`/`MNEMO_DIR` say otherwise. */
  memory?: MemoryChoice | undefined;
  /** A Claude Code session transcript of the project (hooks know it): its `memory/` sibling is the folder. */
  transcriptPath?: string | undefined;
}): RootResolution {
  if (options.dir !== undefined && options.dir !== '') return { root: resolve(options.cwd, options.dir), via: 'flag' };
  const fromEnv = options.env.MNEMO_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return { root: resolve(options.cwd, fromEnv), via: 'env' };
  if ((options.memory ?? memoryFromEnv(options.env)) === 'claude') {
    const projectDir = findGitRoot(options.cwd) ?? resolve(options.cwd);
    return { root: claudeMemoryDir({ projectDir, transcriptPath: options.transcriptPath, env: options.env }), via: 'claude-code' };
  }
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

/** `MNEMO_MEMORY=claude` picks Claude Code's auto-memory folder; anything else (or nothing) mnemo's own root. */
function memoryFromEnv(env: NodeJS.ProcessEnv): MemoryChoice {
  return env.MNEMO_MEMORY?.trim().toLowerCase() === 'claude' ? 'claude' : 'mnemo';
}
