import { describe, expect, it } from 'vitest';
import { createLimiter } from './concurrency-limiter.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** Let pending promise callbacks run (no timers). */
const settle = async () => {
  for (let index = 0; index < 10; index += 1) await Promise.resolve();
};

describe('concurrency limiter', () => {
  it('runs at most N tasks at once, and starts the waiting ones in order as slots free', async () => {
    const limit = createLimiter(2);
    const gates = [0, 1, 2, 3, 4].map(() => deferred());
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const results = gates.map((gate, index) =>
      limit(async () => {
        started.push(index);
        running += 1;
        most = Math.max(most, running);
        await gate.promise;
        running -= 1;
        return index * 10;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect([limit.active, limit.pending]).toEqual([2, 3]);
    gates[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    gates[4]!.resolve();
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect([limit.active, limit.pending]).toEqual([0, 0]);
  });

  it('frees the slot of a failing task and gives its error only to its caller', async () => {
    const limit = createLimiter(1);
    const failing = limit(async () => {
      throw new Error('boom');
    });
    const next = limit(async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ran');
    expect(limit.active).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});
