import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../shared/index.js';
import { rootPaths } from '../store/index.js';

/** `.state/writes`: a counter every mnemo write of topic files bumps. */
const COUNTER_FILE = 'writes';

function counterPath(root: string): string {
  return join(rootPaths(root).state, COUNTER_FILE);
}

/** The write counter as `.state/writes` holds it ('0' when there is none). */
export function readWriteCounter(root: string): string {
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
export function readRootStamp(root: string, counter?: string): string {
  let folder: string;
  try {
    folder = String(statSync(root, { bigint: true }).mtimeNs);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') folder = 'missing';
    else throw error;
  }
  return `${folder}:${counter ?? readWriteCounter(root)}`;
}

/**
 * Bump the write counter (under the memory lock) and return what the file holds now. `known`:
 * its value as read earlier under the same lock (nobody else bumps it meanwhile). A torn or
 * unreadable counter only reads as a different stamp, which costs one full scan, never a missed change.
 */
export function bumpWriteCounter(root: string, known?: string): string {
  const before = known ?? readWriteCounter(root);
  const current = Number.parseInt(before, 10);
  const next = String(Number.isFinite(current) ? current + 1 : 1);
  try {
    writeFileSync(counterPath(root), next);
    return next;
  } catch (error) {
    // A read-only .state: other processes then rely on the folder time alone.
    if (errnoCode(error) !== 'EROFS' && errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'ENOENT') throw error;
    return before;
  }
}
