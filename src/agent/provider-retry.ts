import { MnemoError, describeError } from '../shared/index.js';

/** How provider failures are retried; `sleep` is injected so tests never wait. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). */
  attempts: number;
  /** Delay before the second attempt; doubled each time (default 1000 ms), capped at 30 s. */
  baseDelayMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export function defaultRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { attempts: 4, baseDelayMs: 1000, sleep: realSleep, ...overrides };
}

/** The HTTP status of a provider error (AI SDK APICallError and the like), when it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** 429 and 5xx are worth another try; so is a connection that failed before any answer. */
export function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 429 || status === 408 || status >= 500;
  if (typeof error === 'object' && error !== null && (error as { isRetryable?: unknown }).isRetryable === true) return true;
  return /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up/i.test(describeError(error));
}

/** The server's Retry-After, in ms, when it sent one (seconds or a date). */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { responseHeaders?: Record<string, string> } | undefined)?.responseHeaders;
  const value = headers?.['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/**
 * Call `attempt` until it succeeds, retrying retryable failures with exponential backoff.
 * A failure that is not retryable, or the last one, becomes a MnemoError `io` naming the model.
 */
export async function withRetries<T>(
  modelId: string,
  policy: RetryPolicy,
  attempt: (number: number) => Promise<T>,
  onRetry: (number: number, delayMs: number, error: unknown) => void,
  signal?: AbortSignal,
): Promise<T> {
  for (let number = 1; ; number += 1) {
    try {
      return await attempt(number);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (!isRetryable(error) || number >= policy.attempts) {
        const status = statusOf(error);
        throw new MnemoError(
          'io',
          `The model ${modelId} did not answer${number > 1 ? ` after ${number} attempts` : ''}: ${status === undefined ? '' : `HTTP ${status}: `}${describeError(error)}`,
          {
            hint: 'Check the "model" section of mnemo.config.json (provider, model, baseURL, apiKeyEnv), the key, and that the server is reachable.',
            cause: error,
          },
        );
      }
      const delayMs = Math.min(30_000, retryAfterMs(error) ?? policy.baseDelayMs * 2 ** (number - 1));
      onRetry(number, delayMs, error);
      await policy.sleep(delayMs, signal);
    }
  }
}
