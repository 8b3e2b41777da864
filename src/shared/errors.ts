/**
 * Error codes a caller may branch on. `invalid-input` and `usage` map to exit code 2 in the CLI,
 * `check-failed` to 1; everything else is an unexpected failure.
 */
export type MnemoErrorCode =
  'usage' | 'invalid-input' | 'not-found' | 'not-initialized' | 'check-failed' | 'lock-timeout' | 'write-refused' | 'io' | 'internal';

export interface MnemoErrorOptions {
  /** What the person should do about it; printed after the message. */
  hint?: string;
  cause?: unknown;
}

/**
 * The one error type of mnemo. Its message says what was wrong; `hint` says what to do.
 * Expected outcomes (not found, rejected writes, verdicts) are returned as data, not thrown.
 */
export class MnemoError extends Error {
  readonly code: MnemoErrorCode;
  readonly hint: string | undefined;

  constructor(code: MnemoErrorCode, message: string, options: MnemoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MnemoError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** True when `error` is a MnemoError, optionally with the given code. */
export function isMnemoError(error: unknown, code?: MnemoErrorCode): error is MnemoError {
  return error instanceof MnemoError && (code === undefined || error.code === code);
}

/** The message of any thrown value, for logs and caveats. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Node's errno code of a thrown value (`ENOENT`, `EEXIST`, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
