import { isAscii } from 'node:buffer';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';

/*
 * The per-prompt commands (recall and the session-start and user-prompt-submit hooks) run from one
 * CommonJS bundle (dist/cli/lean-cli.cjs, made by scripts/bundle-cli.mjs) compiled through V8's code
 * cache: Node 20 has no compile cache for ES modules, and parsing and compiling mnemo's code was the
 * larger part of a hook's start. The first run compiles the bundle as usual and, when it exits,
 * writes what V8 compiled (every function that ran) to mnemo's cache folder; later runs hand it
 * back to V8, which skips that work. V8 checks the data against the source and its own version and
 * flags, and rejects data that does not fit (another Node, a torn file): that run compiles as usual
 * and writes fresh data. Nothing here is needed for correctness: without a writable cache folder,
 * or with MNEMO_COMPILE_CACHE=0, every run compiles from scratch. This module imports node's own
 * modules only (it runs before anything else of mnemo is loaded).
 */

/** Where the compiled code of `bundle` is kept, or undefined when caching is off. */
export function compileCachePath(bundle: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.MNEMO_COMPILE_CACHE === '0') return undefined;
  const xdg = env.XDG_CACHE_HOME?.trim();
  const home = env.HOME || env.USERPROFILE || homedir();
  const base = xdg ? resolve(xdg) : home ? join(home, '.cache') : undefined;
  if (!base) return undefined;
  const stat = statSync(bundle);
  // The bundle's size and time, and the Node that compiled it: a rebuilt bundle or another Node
  // gets a file of its own (V8 would reject the old data anyway; this keeps several side by side).
  const key = `${stat.size}-${Math.trunc(stat.mtimeMs)}-${process.version}-${process.arch}`;
  return join(base, 'mnemo', 'compile-cache', `${cacheKeyPrefix(bundle)}${key.replace(/[^\w.-]/g, '_')}.bin`);
}

/** The start of the cache file names of one bundle (its file name), whatever build or Node. */
function cacheKeyPrefix(bundle: string): string {
  return `${basename(bundle).replace(/[^\w.-]/g, '_')}-`;
}

function readCache(path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** How many cache files of one bundle name are kept (builds and Node versions side by side); older ones go. */
export const CACHE_FILES_KEPT = 4;

function pruneCache(path: string, bundle: string): void {
  const folder = dirname(path);
  const prefix = cacheKeyPrefix(bundle);
  const files = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.bin'))
    .map((name) => ({ path: join(folder, name), time: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of files.slice(CACHE_FILES_KEPT)) if (old.path !== path) rmSync(old.path, { force: true });
}

/** Write atomically (a reader sees the old file or the new one, never half of one); best effort. */
function writeCache(path: string, bundle: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, path);
    pruneCache(path, bundle);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was written (the folder is not one)
    }
  }
}

export interface CompiledBundle<T> {
  exports: T;
  /** Whether V8 took the cached code (false on a first run, after a rebuild, or when the cache was rejected). */
  cacheUsed: boolean;
  /** Where the compiled code is kept (undefined when caching is off or there is no cache folder). */
  cachePath: string | undefined;
  /**
   * Write what V8 has compiled of the bundle so far to `cachePath` (atomically, best effort).
   * Done at exit when the cache was not used; a test may call it sooner.
   */
  saveCache(): void;
}

/**
 * Load a CommonJS bundle as `require` would, through V8's code cache (see above). The file holds
 * the function Node wraps a CommonJS module in, `(function (exports, require, module, __filename,
 * __dirname) { … })`, written so by the build, so that it is compiled as read. Its `require`
 * resolves from the bundle's folder, and `__filename` is the bundle. The bundle must not call
 * `import()`: in Node 20 a script compiled from cached data loses its dynamic-import callback
 * (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the build turns those into `require()` and fails
 * on any that is left (scripts/bundle-cli.mjs).
 */
export function loadCompiledBundle<T>(bundle: string, env: NodeJS.ProcessEnv, options: { saveAtExit?: boolean } = {}): CompiledBundle<T> {
  const bytes = readFileSync(bundle);
  // esbuild writes ASCII (it escapes the rest), which is read fastest as Latin-1.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  let cachePath: string | undefined;
  try {
    cachePath = compileCachePath(bundle, env);
  } catch {
    cachePath = undefined;
  }
  const cachedData = readCache(cachePath);
  const script = new Script(source, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  const saveCache = (): void => {
    if (cachePath) writeCache(cachePath, bundle, script.createCachedData());
  };
  // At exit, so that the data holds every function this run compiled, not only the top level.
  if (cachePath && !cacheUsed && options.saveAtExit !== false) process.once('exit', saveCache);
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (
    exports: T,
    require: NodeJS.Require,
    module: { exports: T },
    filename: string,
    dirname: string,
  ) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return { exports: module.exports, cacheUsed, cachePath, saveCache };
}
