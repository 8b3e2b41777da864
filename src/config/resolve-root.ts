import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { claudeMemoryDir } from './claude-code-paths.js';

export const DEFAULT_ROOT_NAME = '.mnemo';

export interface RootResolution {
  /** Absolute path of the memory root. */
  root: string;
  /** How it was found, for `status` and error messages. */
  via: 'flag' | 'env' | 'found' | 'git-root' | 'cwd' | 'claude-code' | 'main-worktree';
  /** Set when `via` is `main-worktree`: the linked worktree the command runs in (its files are the workspace). */
  worktree?: string;
}

/** Whether a project's linked git worktrees share the main worktree's memory (`shared`, the default) or each use their own. */
export type WorktreeMemory = 'shared' | 'own';

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

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The main worktree of a linked git worktree, or undefined (a main worktree, a submodule, a
 * worktree of a bare repository). Reads what `git rev-parse --git-common-dir` reads — the `.git`
 * file's `gitdir:` and that folder's `commondir` — without starting git, so resolving the root
 * stays one stat and two small reads.
 */
export function mainWorktreeOf(gitRoot: string): string | undefined {
  const dotGit = join(gitRoot, '.git');
  try {
    if (!statSync(dotGit).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '')?.[1];
  if (pointer === undefined) return undefined;
  const gitDir = isAbsolute(pointer) ? pointer : resolve(gitRoot, pointer);
  const common = readText(join(gitDir, 'commondir'))?.trim();
  if (common === undefined || common === '') return undefined;
  const commonDir = isAbsolute(common) ? common : resolve(gitDir, common);
  if (basename(commonDir) !== '.git') return undefined;
  const main = dirname(commonDir);
  return resolve(main) === resolve(gitRoot) ? undefined : main;
}

/** `"worktrees"` in a config file, read without the rest (the file is parsed in full once the root is known). */
function worktreesSetting(configFile: string): WorktreeMemory | undefined {
  const text = readText(configFile);
  if (text === undefined) return undefined;
  try {
    const value = (JSON.parse(text) as { worktrees?: unknown } | null)?.worktrees;
    return value === 'own' || value === 'shared' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `MNEMO_WORKTREES=own|shared`, else the worktree's own config, else the main worktree's; `shared` by default. */
function worktreeMemory(env: NodeJS.ProcessEnv, ownRoot: string, mainRoot: string): WorktreeMemory {
  const fromEnv = env.MNEMO_WORKTREES?.trim().toLowerCase();
  if (fromEnv === 'own' || fromEnv === 'shared') return fromEnv;
  return worktreesSetting(join(ownRoot, CONFIG_FILE_NAME)) ?? worktreesSetting(join(mainRoot, CONFIG_FILE_NAME)) ?? 'shared';
}

/** The config file's name (`load-config.ts` exports it as CONFIG_FILE). */
const CONFIG_FILE_NAME = 'mnemo.config.json';

/**
 * Where the memory root is: `--dir`, else `MNEMO_DIR`, else the nearest `.mnemo/` at or above the
 * current folder (not above the git root), else `.mnemo/` at the git root, else `.mnemo/` in the
 * current folder. In a linked git worktree that root is taken in the main worktree instead (the
 * same place relative to it), so a project's worktrees share one memory; `"worktrees": "own"` in
 * the config or `MNEMO_WORKTREES=own` keeps each worktree's own. Every command resolves it the
 * same way; `init` creates it there.
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
  const own = ownRoot(options.cwd, gitRoot);
  const main = gitRoot === undefined || own.via === 'cwd' ? undefined : mainWorktreeOf(gitRoot);
  if (gitRoot === undefined || main === undefined) return own;
  const shared = join(main, relative(gitRoot, own.root));
  if (worktreeMemory(options.env, own.root, shared) === 'own') return own;
  return { root: shared, via: 'main-worktree', worktree: gitRoot };
}

/** The root as found from the current folder alone (no worktree sharing). */
function ownRoot(cwd: string, gitRoot: string | undefined): RootResolution {
  let current = resolve(cwd);
  for (;;) {
    const candidate = join(current, DEFAULT_ROOT_NAME);
    if (isDirectory(candidate)) return { root: candidate, via: 'found' };
    const parent = dirname(current);
    if (current === gitRoot || parent === current) break;
    current = parent;
  }
  if (gitRoot !== undefined) return { root: join(gitRoot, DEFAULT_ROOT_NAME), via: 'git-root' };
  return { root: join(resolve(cwd), DEFAULT_ROOT_NAME), via: 'cwd' };
}

/** `MNEMO_MEMORY=claude` picks Claude Code's auto-memory folder; anything else (or nothing) mnemo's own root. */
function memoryFromEnv(env: NodeJS.ProcessEnv): MemoryChoice {
  return env.MNEMO_MEMORY?.trim().toLowerCase() === 'claude' ? 'claude' : 'mnemo';
}
