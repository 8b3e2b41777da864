import { createRequire } from 'node:module';
import type { pino as PinoFactory } from 'pino';
import { makeDirectorySync, type Logger } from '../shared/index.js';
import { dirname } from 'node:path';

/** A logger that appends JSON lines (pino) to a file, written synchronously: a line is on disk when the call returns. */
export function createFileLogger(path: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger & { close(): void } {
  makeDirectorySync(dirname(path));
  const { pino } = createRequire(import.meta.url)('pino') as { pino: typeof PinoFactory };
  const destination = pino.destination({ dest: path, sync: true, append: true, mkdir: true });
  const base = pino({ level, base: { pid: process.pid } }, destination);
  return {
    debug: (message, fields) => base.debug(fields ?? {}, message),
    info: (message, fields) => base.info(fields ?? {}, message),
    warn: (message, fields) => base.warn(fields ?? {}, message),
    error: (message, fields) => base.error(fields ?? {}, message),
    close: () => destination.flushSync(),
  };
}
