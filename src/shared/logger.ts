import { createRequire } from 'node:module';
import type { Logger as PinoLogger, pino as PinoFactory } from 'pino';

export type LogFields = Record<string, unknown>;

/** The logging port. Library code logs here, never to stdout. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** JSON lines on stderr (file descriptor 2), through pino. */
export function createStderrLogger(level: LogLevel = 'warn'): Logger {
  // pino is loaded (synchronously, it is CommonJS) by the first record, not by every process start.
  let base: PinoLogger | undefined;
  const logger = () => {
    if (base === undefined) {
      const { pino } = createRequire(import.meta.url)('pino') as { pino: typeof PinoFactory };
      base = pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
    }
    return base;
  };
  const enabled = (wanted: Exclude<LogLevel, 'silent'>) => LEVELS.indexOf(wanted) >= LEVELS.indexOf(level);
  return {
    debug: (message, fields) => (enabled('debug') ? logger().debug(fields ?? {}, message) : undefined),
    info: (message, fields) => (enabled('info') ? logger().info(fields ?? {}, message) : undefined),
    warn: (message, fields) => (enabled('warn') ? logger().warn(fields ?? {}, message) : undefined),
    error: (message, fields) => (enabled('error') ? logger().error(fields ?? {}, message) : undefined),
  };
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export interface LogRecord {
  level: Exclude<LogLevel, 'silent'>;
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps its records in memory; for tests. */
export function createMemoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const push = (level: LogRecord['level']) => (message: string, fields?: LogFields) => {
    records.push({ level, message, fields });
  };
  return { records, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
