import pc from 'picocolors';
import { MnemoError, UNWRITABLE_CODES, errnoCode, ioReason } from '../shared/index.js';
import type { CliIo } from './cli-io.js';

/** Exit codes: 0 ok, 1 a check failed, 2 bad usage or input, 3 could not complete (I/O, lock, internal). */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2, failed: 3 } as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof MnemoError)) return EXIT.failed;
  switch (error.code) {
    case 'check-failed':
      return EXIT.checkFailed;
    case 'usage':
    case 'invalid-input':
    case 'not-found':
    case 'not-initialized':
    case 'write-refused':
      return EXIT.usage;
    default:
      return EXIT.failed;
  }
}

/**
 * A write the file system refused (read-only, permissions, full disk, a file in the way), in
 * words and naming the path; undefined for anything else (a bug keeps its stack trace).
 */
export function systemFailure(error: unknown): string | undefined {
  const code = errnoCode(error);
  if (code === undefined) return undefined;
  if (code === 'SQLITE_FULL') return 'Cannot write the search index: no space is left on the device (SQLITE_FULL).';
  if (code.startsWith('SQLITE_READONLY')) return `Cannot write the search index: it is read-only (${code}).`;
  if (!UNWRITABLE_CODES.has(code)) return undefined;
  const path = typeof error === 'object' && error !== null && 'path' in error && typeof error.path === 'string' ? error.path : undefined;
  return `Cannot write ${path ?? 'to the memory'}: ${ioReason(error)}.`;
}

/** What the guard redacted, for a note on stderr: kinds and counts, never the values. */
export function describeRedactions(summary: ReadonlyArray<{ rule: string; count: number }> | undefined): string | undefined {
  if (summary === undefined || summary.length === 0) return undefined;
  const total = summary.reduce((sum, item) => sum + item.count, 0);
  return `redacted ${total} secret(s) before writing: ${summary.map((item) => `${item.count} ${item.rule}`).join(', ')} (the values never reached disk)`;
}

export interface Output {
  /** Data or the main result, on stdout. */
  line(text?: string): void;
  json(value: unknown): void;
  /** Notes, warnings and progress, on stderr. */
  note(text: string): void;
  warn(text: string): void;
  error(error: unknown): void;
  bold(text: string): string;
  dim(text: string): string;
}

export function createOutput(io: CliIo): Output {
  const colors = pc.createColors(io.isTty && pc.isColorSupported);
  return {
    line: (text = '') => io.stdout.write(`${text}\n`),
    json: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
    warn: (text) => io.stderr.write(`${colors.yellow('warning:')} ${text}\n`),
    error: (error) => {
      if (error instanceof MnemoError) {
        io.stderr.write(`${colors.red('error:')} ${error.message}\n`);
        if (error.hint) io.stderr.write(`${colors.dim('hint:')} ${error.hint}\n`);
      } else if (systemFailure(error) !== undefined) {
        io.stderr.write(`${colors.red('error:')} ${systemFailure(error)}\n`);
        io.stderr.write(`${colors.dim('hint:')} Free some space or make the memory folder writable (or choose another with --dir), then run it again; the files as they were are kept.\n`);
      } else {
        io.stderr.write(`${colors.red('error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
    },
    bold: (text) => colors.bold(text),
    dim: (text) => colors.dim(text),
  };
}

/** Fixed-width columns for plain tables. */
export { formatColumns as formatTable } from '../shared/index.js';
