/** A push queue read as an async iterator: one writer (the engine), one reader (a UI). */
export interface EventChannel<T> extends AsyncIterable<T> {
  push(value: T): void;
  close(): void;
}

/** Unbounded: a reader that never reads only costs memory, and the run never waits for it. */
export function createEventChannel<T>(): EventChannel<T> {
  const queue: T[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  return {
    push(value) {
      if (closed) return;
      queue.push(value);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
  };
}
