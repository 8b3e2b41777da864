import { UNWRITABLE_CODES, errnoCode, ioReason, isMnemoError } from '../shared/index.js';

/** Whether an error means the place cannot be written (read-only, full, a file in the way), not a bug. */
export function isUnwritable(error: unknown): boolean {
  if (isMnemoError(error, 'io')) return true;
  const code = errnoCode(error);
  return code !== undefined && UNWRITABLE_CODES.has(code);
}

/**
 * Run a bookkeeping write (usage counts, a check's record, a guard counter) that a read must not
 * fail for: on a read-only memory or a full disk it is skipped and the reason returned; any other
 * error is thrown.
 */
export async function unlessUnwritable(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    if (!isUnwritable(error)) throw error;
    return isMnemoError(error) ? error.message : ioReason(error);
  }
}
