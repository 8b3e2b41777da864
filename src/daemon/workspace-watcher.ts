import { readFileSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { errnoCode, runProcess, type Logger, type ProcessRunner } from '../shared/index.js';

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
  /**
   * Starts the quiet-period wait (`debounceMs`) and returns its cancel; every event cancels the
   * wait under way and starts a new one. Default: `setTimeout`. Tests pass one they fire by hand.
   */
  debounce?: (fire: () => void, ms: number) => () => void;
  /**
   * A batch with at least this many raw events lists every watched folder again, not only the
   * touched ones: the kernel's event queue (`fs.inotify.max_queued_events`, 16,384 by default)
   * may have overflowed, and inotify then drops events without saying for which folders.
   * Default: half that queue.
   */
  fullRescanEvents?: number;
}

export interface WorkspaceWatcher {
  /** Resolves once the initial scan is done: a change after it is seen. */
  ready: Promise<void>;
  /** Raw change events seen (before debouncing and the git-ignore filter; events in ignored folders are never seen). */
  events(): number;
  /** Folders watched now (one `fs.watch`, i.e. one inotify watch, each). */
  folders(): number;
  /** Resolves once the batch being closed now (if any) has been reported. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const ALWAYS_IGNORED = new Set(['node_modules', '.git']);
/** The entry of a folder in a folder's listing (a file's is its mtime and size). */
const FOLDER = 'd';

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

interface Folder {
  watcher: FSWatcher | undefined;
  /** name → FOLDER, or `mtimeMs:size` of a file (a symlink's own, never followed). */
  entries: Map<string, string>;
}

const child = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);

const startTimer = (fire: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
};

/** Half the kernel's inotify queue (16,384 events unless raised); 8,192 where it cannot be read. */
function defaultFullRescanEvents(): number {
  try {
    const queued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    return Number.isFinite(queued) && queued > 0 ? Math.floor(queued / 2) : 8192;
  } catch {
    return 8192;
  }
}

/**
 * Watch the workspace one folder at a time: one `fs.watch` per folder (inotify reports what
 * happens to the entries of a watched folder, so files need no watch of their own), and a listing
 * of each folder (names, and the mtime and size of each file). node_modules, .git, the memory root
 * and what git ignored at the start are neither listed nor watched.
 *
 * An event names a path and marks its folder touched. When the batch closes (after `debounceMs`
 * without an event), every touched folder is listed again and compared with what it held: what
 * was added, removed or modified joins the batch, so a burst whose events the kernel or the
 * platform coalesced or dropped still yields every path that changed (a batch big enough to have
 * overflowed the kernel's queue lists every folder: `fullRescanEvents`). A new folder is watched
 * and listed (its files are in the batch); a folder git ignores is not watched; a folder that is
 * gone is dropped (its files are in the batch). The batch's paths are checked against .gitignore
 * once more (a file ignored since is dropped), and a batch with nothing left is no batch.
 *
 * Why not chokidar, and why not `fs.watch(root, { recursive: true })`:
 * - chokidar (v4/v5) keeps an `fs.watch` handle and its bookkeeping per file: 67 MB of heap for a
 *   10,000-file workspace, and it lost ~10% of the paths of a 2,000-file burst (docs/benchmarks.md).
 * - `recursive` on Linux is not the kernel's (inotify has no recursive watch): Node ≥ 19.1 emulates
 *   it in JavaScript (lib/internal/fs/recursive_watch.js), with one `fs.watch` and a kept `Stats`
 *   per file and per folder, a synchronous `statSync` on every event, and (in Node 20, our floor) no
 *   way to leave a folder out, so it walks and watches node_modules and .git too. On macOS and
 *   Windows it is native (FSEvents, ReadDirectoryChangesW) and cheap, but the ignore problem stays.
 * So: one watch per folder we want, none per file, and nothing under an ignored folder; the cost is
 * one inotify watch per folder (`fs.inotify.max_user_watches`; when it runs out a warning says so
 * and that folder is seen only through its parent's events).
 */
export async function watchWorkspace(options: WatchOptions): Promise<WorkspaceWatcher> {
  const runner = options.runner ?? runProcess;
  const { workspace, logger } = options;
  const debounce = options.debounce ?? startTimer;
  const fullRescanEvents = options.fullRescanEvents ?? defaultFullRescanEvents();
  const ignoredAtStart = await gitIgnored(workspace, runner);
  const ignoredFiles = new Set(ignoredAtStart.filter((path) => !path.endsWith('/')));
  const ignoredDirs = ignoredAtStart.filter((path) => path.endsWith('/')).map((path) => path.slice(0, -1));
  const extra = options.ignoreGlobs.length > 0 ? picomatch([...options.ignoreGlobs], { dot: true }) : undefined;
  const memoryFolders = options.ignoredFolders
    .map((folder) => relative(workspace, folder).split(sep).join('/'))
    .filter((path) => path !== '' && !path.startsWith('..'));
  const ignored = (path: string): boolean => {
    const rel = (isAbsolute(path) ? relative(workspace, path) : path).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) return false;
    const parts = rel.split('/');
    if (parts.some((part) => ALWAYS_IGNORED.has(part))) return true;
    if (ignoredFiles.has(rel)) return true;
    const within = (folder: string) => rel === folder || rel.startsWith(`${folder}/`);
    if (memoryFolders.some(within) || ignoredDirs.some(within)) return true;
    return extra !== undefined && extra(rel);
  };

  const folders = new Map<string, Folder>();
  let events = 0;
  let named = new Set<string>();
  let touched = new Set<string>();
  let batchEvents = 0;
  let cancelWait: (() => void) | undefined;
  let closed = false;
  let warnedLimit = false;

  /** (Re)start the quiet-period wait: the batch closes `debounceMs` after the last event. */
  const restartWait = () => {
    cancelWait?.();
    cancelWait = debounce(closeBatch, options.debounceMs);
  };

  const onEvent = (folder: string, name: string | null) => {
    if (closed) return;
    const path = name === null ? undefined : child(folder, name.split(sep).join('/'));
    if (path !== undefined && ignored(path)) return;
    events += 1;
    batchEvents += 1;
    touched.add(folder);
    if (path !== undefined) named.add(path);
    restartWait();
  };

  const startWatching = (folder: string): FSWatcher | undefined => {
    try {
      const watcher = watch(join(workspace, folder), { persistent: true }, (_type, name) => onEvent(folder, name));
      // the folder went away (its parent's event lists it again) or the platform gave up on it
      watcher.on('error', () => {
        watcher.close();
        if (closed) return;
        touched.add(folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '');
        touched.add(folder);
        restartWait();
      });
      return watcher;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (!warnedLimit) {
        warnedLimit = true;
        logger.warn('watch-limit', {
          folder,
          error: String(error),
          hint:
            code === 'ENOSPC'
              ? 'the inotify watch limit is reached: raise fs.inotify.max_user_watches (sysctl), or ignore big folders in daemon.ignore'
              : 'changes in this folder are seen only when its parent folder changes',
        });
      }
      return undefined;
    }
  };

  /** The listing of one folder now; undefined when it is gone (or is not a folder any more). */
  const list = async (folder: string): Promise<Map<string, string> | undefined> => {
    let dirents: Dirent[];
    try {
      dirents = await readdir(join(workspace, folder), { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      // unreadable (EACCES, ...): watched, seen as empty
      logger.warn('watch-list-failed', { folder, error: String(error) });
      return new Map();
    }
    const entries = new Map<string, string>();
    await Promise.all(
      dirents.map(async (dirent) => {
        const path = child(folder, dirent.name);
        if (ignored(path)) return;
        if (dirent.isDirectory()) return void entries.set(dirent.name, FOLDER);
        if (!dirent.isFile() && !dirent.isSymbolicLink()) return;
        try {
          const info = await lstat(join(workspace, path));
          entries.set(dirent.name, `${info.mtimeMs}:${info.size}`);
        } catch {
          // gone between the listing and the lstat: its own event follows
        }
      }),
    );
    return entries;
  };

  /** Watch, then list, a folder and everything under it (watching first: nothing created meanwhile is missed). */
  const addTree = async (root: string, added: Set<string> | undefined): Promise<void> => {
    const pending = [root];
    for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
      if (closed || folders.has(folder)) continue;
      const watcher = startWatching(folder);
      const entries = await list(folder);
      if (entries === undefined) {
        watcher?.close();
        continue;
      }
      folders.set(folder, { watcher, entries });
      for (const [name, entry] of entries) {
        if (entry === FOLDER) pending.push(child(folder, name));
        else added?.add(child(folder, name));
      }
    }
  };

  /** Forget a folder and everything under it; its files and itself are removed paths. */
  const removeTree = (root: string, removed: Set<string>): void => {
    removed.add(root);
    const folder = folders.get(root);
    if (folder === undefined) return;
    folders.delete(root);
    folder.watcher?.close();
    for (const [name, entry] of folder.entries) {
      if (entry === FOLDER) removeTree(child(root, name), removed);
      else removed.add(child(root, name));
    }
  };

  /** List a touched folder again: what differs from its last listing is changed; new folders are returned. */
  const relist = async (path: string, changed: Set<string>, newFolders: string[]): Promise<void> => {
    const folder = folders.get(path);
    if (folder === undefined) return;
    const entries = await list(path);
    if (entries === undefined) return removeTree(path, changed);
    for (const [name, before] of folder.entries) {
      const now = entries.get(name);
      if (now === before) continue;
      if (before === FOLDER) removeTree(child(path, name), changed);
      else changed.add(child(path, name));
    }
    for (const [name, now] of entries) {
      const before = folder.entries.get(name);
      if (now === FOLDER && before !== FOLDER) newFolders.push(child(path, name));
      else if (before === undefined) changed.add(child(path, name));
    }
    folder.entries = entries;
  };

  const flush = async () => {
    const names = named;
    // a burst that may have overflowed the kernel's queue: its lost events named no folder, so list them all
    const folderList = batchEvents >= fullRescanEvents ? [...folders.keys()] : [...touched];
    if (batchEvents >= fullRescanEvents) logger.info('watch-full-rescan', { events: batchEvents, folders: folderList.length });
    named = new Set();
    touched = new Set();
    batchEvents = 0;
    // a path an event named that existed before or exists now (not a temp file that came and went)
    const known = (path: string): boolean => {
      const slash = path.lastIndexOf('/');
      const entries = folders.get(slash < 0 ? '' : path.slice(0, slash))?.entries;
      return entries?.has(slash < 0 ? path : path.slice(slash + 1)) ?? false;
    };
    const changed = new Set([...names].filter(known));
    const newFolders: string[] = [];
    for (const folder of folderList) await relist(folder, changed, newFolders);
    for (const path of names) if (known(path)) changed.add(path);
    if (newFolders.length > 0) {
      // a folder git ignores (a build output created since the start) is not watched
      const gitIgnoredNow = await filterIgnored(
        workspace,
        newFolders.map((folder) => `${folder}/`),
        runner,
      );
      for (const folder of newFolders) {
        if (gitIgnoredNow.has(`${folder}/`)) {
          ignoredDirs.push(folder);
          const slash = folder.lastIndexOf('/');
          folders.get(slash < 0 ? '' : folder.slice(0, slash))?.entries.delete(folder.slice(slash + 1));
        } else await addTree(folder, changed);
      }
    }
    // a folder alone changes nothing a check reads (its files are in the batch); a removed one is a change
    const paths = [...changed].filter((path) => !folders.has(path) && !ignored(path));
    const dropped = await filterIgnored(workspace, paths, runner);
    const kept = paths.filter((path) => !dropped.has(path)).sort();
    if (kept.length > 0 && !closed) options.onBatch(kept);
  };

  // one batch at a time: events during a flush make the next batch
  let flushing = Promise.resolve();
  const closeBatch = () => {
    cancelWait = undefined;
    flushing = flushing.then(flush).catch((error: unknown) => logger.error('watch-batch-failed', { error: String(error) }));
  };

  const ready = addTree('', undefined);
  return {
    ready,
    events: () => events,
    folders: () => folders.size,
    settled: () => flushing,
    close: async () => {
      closed = true;
      cancelWait?.();
      cancelWait = undefined;
      await ready.catch(() => undefined);
      for (const folder of folders.values()) folder.watcher?.close();
      folders.clear();
      await flushing;
    },
  };
}
