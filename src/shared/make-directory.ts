import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MnemoError, errnoCode } from './errors.js';

/*
 * Node's `mkdir(path, { recursive: true })` loops for ever where a file system answers ENOENT for
 * a folder whose parent exists (`/proc/nope/x`), and its errors name no reason a person can act
 * on. These create one level at a time from the nearest existing folder, a bounded loop, and
 * fail with a MnemoError (`io`, exit 3) that names the folder and why.
 */

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted there',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file (not a folder) is in the way',
  ENOENT: 'the file system does not allow new folders there',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has a symbolic-link loop',
};

/** Why a file-system call failed, in words, with its errno code: `the file system is read-only (EROFS)`. */
export function ioReason(error: unknown): string {
  const code = errnoCode(error);
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  return `${REASONS[code] ?? (error instanceof Error ? error.message : code)} (${code})`;
}

/** Errno codes that mean "this place cannot be written", as opposed to a bug. */
export const UNWRITABLE_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'ENOENT']);

function cannotCreate(path: string, error: unknown): MnemoError {
  return new MnemoError('io', `Cannot create the folder ${path}: ${ioReason(error)}.`, {
    hint: 'Choose a folder you can write to (--dir DIR or MNEMO_DIR), or fix its permissions; nothing was written.',
    cause: error,
  });
}

function isDirectoryError(path: string): MnemoError {
  return new MnemoError('io', `Cannot create the folder ${path}: ${REASONS.ENOTDIR} (ENOTDIR).`, {
    hint: 'Choose a folder you can write to (--dir DIR or MNEMO_DIR); nothing was written.',
  });
}

/** The folders of `path` that do not exist yet, outermost first (at most the path's depth). */
function missingFolders(path: string, exists: (folder: string) => 'folder' | 'file' | 'missing'): string[] {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    const state = exists(current);
    if (state === 'folder') break;
    if (state === 'file') throw isDirectoryError(path);
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing;
}

function syncState(folder: string): 'folder' | 'file' | 'missing' {
  try {
    return statSync(folder).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return 'missing';
    throw cannotCreate(folder, error);
  }
}

/** Create `path` and its missing parents; never loops, throws a MnemoError naming the folder. */
export async function makeDirectory(path: string): Promise<void> {
  for (const folder of missingFolders(path, syncState)) {
    try {
      await mkdir(folder);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST' && (await stat(folder).catch(() => undefined))?.isDirectory()) continue;
      throw cannotCreate(folder === resolve(path) ? folder : path, error);
    }
  }
}

/** makeDirectory, synchronously (for code that opens a database synchronously). */
export function makeDirectorySync(path: string): void {
  for (const folder of missingFolders(path, syncState)) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST' && syncState(folder) === 'folder') continue;
      throw cannotCreate(folder === resolve(path) ? folder : path, error);
    }
  }
}

/**
 * Run `work`, and once more after making `folder` when it fails because the folder (or one above
 * it) is missing: for writers that make their folder on first use (or after it was removed by
 * hand) instead of checking it before every write.
 */
export async function withFolderMade<T>(folder: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    await makeDirectory(folder);
    return work();
  }
}
