/** Runs tasks with at most `concurrency` of them at once; the others wait, first come first served. */
export interface ConcurrencyLimiter {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
}

/**
 * A small limiter (what p-limit does, without a dependency): a failing or throwing task frees
 * its slot like one that succeeds, and its error reaches only its own caller.
 */
export function createLimiter(concurrency: number): ConcurrencyLimiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${concurrency}`);
  const waiting: (() => void)[] = [];
  let active = 0;
  const limit = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    // a slot handed over by `next` keeps `active` as it is: the finished task's slot becomes this one
    try {
      return await task();
    } finally {
      if (waiting.length > 0) waiting.shift()!();
      else active -= 1;
    }
  };
  return Object.defineProperties(limit, {
    active: { get: () => active },
    pending: { get: () => waiting.length },
  }) as ConcurrencyLimiter;
}
