/**
 * shared: the bottom layer. Errors, ids, the clock and logger ports, atomic writes, the
 * cross-process file lock and the process runner. Imports nothing from mnemo.
 */
export { MnemoError, isMnemoError, describeError, errnoCode } from './errors.js';
export type { MnemoErrorCode, MnemoErrorOptions } from './errors.js';
export { systemClock, createManualClock, createShiftedClock, isoSeconds, HOUR_MS, DAY_MS } from './clock.js';
export type { Clock, ManualClock } from './clock.js';
export { createIdGenerator, randomToken, slugify, isValidSlug } from './ids.js';
export { sha256 } from './hash.js';
export { seededRandom } from './seeded-random.js';
export { isLoopbackHost, listenHttp } from './listen-http.js';
export { formatColumns } from './text-table.js';
export { excerptOf, quoteExcerpt } from './excerpt.js';
export { fenceOpen, fenceClose, fenceText, neutralizeFenced } from './data-fence.js';
export type { DataFence } from './data-fence.js';
export { silentLogger, createStderrLogger, createMemoryLogger } from './logger.js';
export type { Logger, LogFields, LogLevel, LogRecord } from './logger.js';
export { writeFileAtomic, fsyncDirectory } from './atomic-write.js';
export type { WrittenFile } from './atomic-write.js';
export { watchFileChanges, recordFileChange } from './file-changes.js';
export { makeDirectory, makeDirectorySync, withFolderMade, ioReason, UNWRITABLE_CODES } from './make-directory.js';
export { acquireLock, tryAcquireLock, withLock, readLockOwner, isLockStale, isProcessAlive } from './file-lock.js';
export type { LockOwner, LockOptions, LockHandle, LockAttempt } from './file-lock.js';
export { runProcess, tailText } from './process-runner.js';
export { batchContents, runGit } from './run-git.js';
export type { GitOutcome } from './run-git.js';
export type { ProcessRunner, RunProcessOptions, ProcessOutcome } from './process-runner.js';
