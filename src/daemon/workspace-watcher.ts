import { isAbsolute, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { runProcess, type Logger, type ProcessRunner } from '../shared/index.js';

export interface WatchOptions {
  workspace: string;
  /** Absolute folders never watched (the memory root, the daemon's own state). */
  ignoredFolders: readonly string[];
  /** Extra picomatch globs, relative to the workspace. */
  ignoreGlobs: readonly string[];
  debounceMs: number;
  /** One call per quiet period, with the changed paths (relative to the workspace, not git-ignored). */
  onBatch: (paths: string[]) => void;
  logger: Logger;
  runner?: ProcessRunner;
}

export interface WorkspaceWatcher {
  /** Resolves once the initial scan is done: a change after it is seen. */
  ready: Promise<void>;
  /** Raw change events seen (before debouncing and the git-ignore filter). */
  events(): number;
  close(): Promise<void>;
}

const ALWAYS_IGNORED = new Set(['node_modules', '.git']);

/** What git ignores in the workspace now, as relative paths (folders end in `/`); empty outside a repository. */
async function gitIgnored(workspace: string, runner: ProcessRunner): Promise<string[]> {
  const outcome = await runner('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z'], {
    cwd: workspace,
    timeoutMs: 30_000,
    outputCapBytes: 4 * 1024 * 1024,
  });
  if (outcome.exitCode !== 0) return [];
  return outcome.stdoutTail.split('\0').filter((path) => path !== '');
}

/** The paths of `paths` that git ignores (one `git check-ignore` for the whole batch). */
async function filterIgnored(workspace: string, paths: readonly string[], runner: ProcessRunner): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const outcome = await runner('git', ['check-ignore', '--stdin', '-z'], {
    cwd: workspace,
    timeoutMs: 30_000,
    input: `${paths.join('\0')}\0`,
    outputCapBytes: 4 * 1024 * 1024,
  });
  // 1: none ignored; 128: not a repository
  if (outcome.exitCode !== 0) return new Set();
  return new Set(outcome.stdoutTail.split('\0').filter((path) => path !== ''));
}

/**
 * Watch the workspace with chokidar (loaded here only). node_modules, .git, the memory root and what
 * git ignored at the start are never watched; a batch's paths are checked against .gitignore again
 * when it closes (a file ignored since is dropped), and a batch with nothing left is no batch.
 */
export async function watchWorkspace(options: WatchOptions): Promise<WorkspaceWatcher> {
  const runner = options.runner ?? runProcess;
  const { workspace } = options;
  const ignoredAtStart = await gitIgnored(workspace, runner);
  const ignoredFiles = new Set(ignoredAtStart.filter((path) => !path.endsWith('/')));
  const ignoredDirs = ignoredAtStart.filter((path) => path.endsWith('/')).map((path) => path.slice(0, -1));
  const extra = options.ignoreGlobs.length > 0 ? picomatch([...options.ignoreGlobs], { dot: true }) : undefined;
  const folders = options.ignoredFolders
    .map((folder) => relative(workspace, folder))
    .filter((path) => path !== '' && !path.startsWith('..'));
  const ignored = (path: string): boolean => {
    const rel = (isAbsolute(path) ? relative(workspace, path) : path).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) return false;
    const parts = rel.split('/');
    if (parts.some((part) => ALWAYS_IGNORED.has(part))) return true;
    if (ignoredFiles.has(rel)) return true;
    const within = (folder: string) => rel === folder || rel.startsWith(`${folder}/`);
    if (folders.some(within) || ignoredDirs.some(within)) return true;
    return extra !== undefined && extra(rel);
  };
  const { watch } = await import('chokidar');
  const watcher = watch(workspace, { ignored, ignoreInitial: true, persistent: true, followSymlinks: false });
  let events = 0;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = async () => {
    timer = undefined;
    const paths = [...pending];
    pending = new Set();
    const dropped = await filterIgnored(workspace, paths, runner);
    const kept = paths.filter((path) => !dropped.has(path)).sort();
    if (kept.length > 0 && !closed) options.onBatch(kept);
  };
  const changed = (path: string) => {
    events += 1;
    pending.add(relative(workspace, path).split(sep).join('/'));
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      flush().catch((error: unknown) => options.logger.error('watch-batch-failed', { error: String(error) }));
    }, options.debounceMs);
  };
  // a new folder alone changes nothing a check reads; its files come as their own events
  watcher.on('add', changed).on('change', changed).on('unlink', changed).on('unlinkDir', changed);
  watcher.on('error', (error) => options.logger.warn('watch-error', { error: String(error) }));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    events: () => events,
    close: async () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await watcher.close();
    },
  };
}
