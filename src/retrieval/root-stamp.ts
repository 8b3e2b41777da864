import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../shared/index.js';
import { rootPaths } from '../store/index.js';

/** `.state/writes`: a counter every mnemo write of topic files bumps. */
const COUNTER_FILE = 'writes';

function counterPath(root: string): string {
  return join(rootPaths(root).state, COUNTER_FILE);
}

function readCounter(root: string): string {
  try {
    return readFileSync(counterPath(root), 'utf8').trim();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return '0';
    return `unreadable-${Date.now()}`;
  }
}

/**
 * What tells, for the price of one stat and one tiny read, whether the topic files may have
 * changed since the index last looked: the root folder's modification time (any file created,
 * removed or renamed in it, which includes every atomic write) and mnemo's write counter (so a
 * write by another mnemo process is seen even where folder times are coarse). An edit in place
 * of an existing file changes neither: recall stats its candidates before use for that.
 */
export function readRootStamp(root: string): string {
  let folder: string;
  try {
    folder = String(statSync(root, { bigint: true }).mtimeNs);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') folder = 'missing';
    else throw error;
  }
  return `${folder}:${readCounter(root)}`;
}

/**
 * Bump the write counter (under the memory lock). A torn or unreadable counter only reads as a
 * different stamp, which costs one full scan, never a missed change.
 */
export function bumpWriteCounter(root: string): void {
  const current = Number.parseInt(readCounter(root), 10);
  try {
    writeFileSync(counterPath(root), String(Number.isFinite(current) ? current + 1 : 1));
  } catch (error) {
    // A read-only .state: other processes then rely on the folder time alone.
    if (errnoCode(error) !== 'EROFS' && errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'ENOENT') throw error;
  }
}
