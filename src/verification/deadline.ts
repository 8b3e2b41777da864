/**
 * Settle with `work`, or with the fallback when `limitMs` passes or `signal` aborts first,
 * whichever comes first. The timer and the listener are always released. The work itself is
 * not cancelled here: pass the same signal to it where it can stop.
 */
export async function raceDeadline<T>(
  work: Promise<T>,
  limitMs: number,
  signal: AbortSignal | undefined,
  onTimeout: () => T,
  onAbort: () => T,
): Promise<T> {
  if (signal?.aborted) return onAbort();
  let timer: NodeJS.Timeout | undefined;
  let release = (): void => undefined;
  const stop = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), Math.max(0, limitMs));
    const aborted = (): void => resolve(onAbort());
    signal?.addEventListener('abort', aborted, { once: true });
    release = () => signal?.removeEventListener('abort', aborted);
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    release();
  }
}
