import { pino } from 'pino';

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
  const base = pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
  return {
    debug: (message, fields) => base.debug(fields ?? {}, message),
    info: (message, fields) => base.info(fields ?? {}, message),
    warn: (message, fields) => base.warn(fields ?? {}, message),
    error: (message, fields) => base.error(fields ?? {}, message),
  };
}

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
