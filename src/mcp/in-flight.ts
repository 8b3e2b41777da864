/**
 * Counts the calls a server is running, so that it can close the memory only after the last
 * one finished: a client that disconnects mid-call never leaves a write half done.
 */
export class InFlight {
  private running = 0;
  private waiters: (() => void)[] = [];

  /** Run `work`, counted until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Resolves once no call is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
