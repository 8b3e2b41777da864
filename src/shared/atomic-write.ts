import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chown, lstat, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { onExit } from 'signal-exit';
import { errnoCode } from './errors.js';
import { withFolderMade } from './make-directory.js';
import { recordFileChange } from './file-changes.js';

/**
 * Write a whole file atomically: temp file in the same folder, fsync, rename, fsync of the folder.
 * A reader sees the old content or the new one, never a mix; a crash leaves at most a stray temp
 * file (`<name>.<number>`), a failed write none, and the old content as it was. The folder is
 * created when missing. Callers must have redacted secrets before calling: the temp file is on disk too.
 *
 * As write-file-atomic did before it: a file that is a symbolic link is written through (its
 * target is replaced); an existing file keeps its mode and, where the process may set it, its
 * owner; writes to the same path from one process land in the order they were called; a process
 * that exits or dies of a signal mid-write (SIGINT, SIGTERM, … where nothing else handles it)
 * removes its temp file first (signal-exit, which then lets the signal take its course).
 *
 * `syncFolder: false` leaves out the fsync of the folder: the rename is atomic but may be lost in
 * a power cut (the previous, complete file is then what is found). Only for files derived from
 * others that are detected as out of date and rebuilt (MEMORY.md).
 *
 * Returns the size and modification time of the file as written (from the temp file's handle, so
 * they are those of these bytes even if someone changes the file right after).
 *
 * File-system calls, for a file that does not exist yet: lstat, open, write, fstat, fsync, close,
 * rename, and open, fsync, close of the folder. No mkdir unless the folder is missing.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Buffer,
  options: { syncFolder?: boolean } = {},
): Promise<WrittenFile> {
  const written = await inOrder(resolve(path), () => replaceFile(path, content));
  recordFileChange(path);
  if (options.syncFolder !== false) await fsyncDirectory(dirname(written.target));
  return { size: written.size, mtimeMs: written.mtimeMs };
}

/** What `writeFileAtomic` wrote: the file's size and modification time right after. */
export interface WrittenFile {
  size: number;
  mtimeMs: number;
}

/** Make a rename or create in `directory` durable. Best effort where the platform refuses. */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

// Process-wide by nature: the writes of this process still under way, by absolute path, so that
// two writes of one file land in the order they were called (each waits for the one before).
const writesUnderWay = new Map<string, Promise<unknown>>();

async function inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = writesUnderWay.get(key);
  const run = before === undefined ? work() : before.then(work, work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  writesUnderWay.set(key, settled);
  try {
    return await run;
  } finally {
    if (writesUnderWay.get(key) === settled) writesUnderWay.delete(key);
  }
}

/** The file to replace (a link's target) and what it has that the new file keeps. */
interface Target {
  path: string;
  keep?: { mode: number; uid: number; gid: number };
}

async function findTarget(path: string): Promise<Target> {
  let stats;
  try {
    stats = await lstat(path);
  } catch {
    return { path }; // missing (or unreadable: then open or rename says why)
  }
  if (stats.isSymbolicLink()) {
    const target = await realpath(path).catch(() => undefined);
    if (target === undefined) return { path }; // a dangling link is replaced
    stats = await stat(target).catch(() => undefined);
    if (stats === undefined) return { path: target };
    path = target;
  }
  return { path, keep: { mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid } };
}

function tempName(path: string): string {
  return `${path}.${randomBytes(4).readUInt32BE(0)}`;
}

/** Create the temp file (never an existing one); the folder is made when it is missing. */
async function createTemp(path: string, mode: number): Promise<{ temp: string; handle: FileHandle }> {
  for (let attempt = 0; ; attempt += 1) {
    const temp = tempName(path);
    try {
      // A folder removed since (or never made) is made (a MnemoError naming it when it cannot be).
      return { temp, handle: await withFolderMade(dirname(path), () => open(temp, 'wx', mode)) };
    } catch (error) {
      if (errnoCode(error) === 'EEXIST' && attempt < 5) continue;
      throw error;
    }
  }
}

/** The owner could not be kept: not permitted (not root) or not supported. As write-file-atomic judged it. */
function ownerErrorIsFine(error: unknown): boolean {
  const code = errnoCode(error);
  if (code === 'ENOSYS') return true;
  const root = process.getuid?.() === 0;
  return !root && (code === 'EINVAL' || code === 'EPERM');
}

async function replaceFile(path: string, content: string | Buffer): Promise<WrittenFile & { target: string }> {
  const target = await findTarget(path);
  let temp: string | undefined;
  let handle: FileHandle | undefined;
  // Registered before the temp file exists, removed after it is renamed or removed.
  const stopCleanup = onExit(() => {
    try {
      if (temp !== undefined) unlinkSync(temp);
    } catch {
      // already renamed, or removed
    }
  });
  try {
    ({ temp, handle } = await createTemp(target.path, target.keep?.mode ?? 0o666));
    await handle.writeFile(content);
    const stats = await handle.stat();
    const keep = target.keep;
    // The umask may have taken bits of the mode away; the owner is this process's unless it is root.
    if (keep !== undefined && (stats.mode & 0o7777) !== keep.mode) await handle.chmod(keep.mode).catch(rethrowUnlessOwnerError);
    if (keep !== undefined && (stats.uid !== keep.uid || stats.gid !== keep.gid))
      await chown(temp, keep.uid, keep.gid).catch(rethrowUnlessOwnerError);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target.path);
    temp = undefined;
    return { target: target.path, size: stats.size, mtimeMs: stats.mtimeMs };
  } finally {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    if (temp !== undefined) await unlink(temp).catch(() => undefined);
    stopCleanup();
  }
}

function rethrowUnlessOwnerError(error: unknown): void {
  if (!ownerErrorIsFine(error)) throw error;
}
