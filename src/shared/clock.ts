/** Where time comes from. Everything that ages, expires or schedules takes a Clock. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests and simulations. */
export interface ManualClock extends Clock {
  set(time: Date | string): void;
  advance(milliseconds: number): void;
}

export function createManualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (time) => {
      current = new Date(time).getTime();
    },
    advance: (milliseconds) => {
      current += milliseconds;
    },
  };
}

/**
 * A clock that starts at `start` and then moves with the wall clock: for a long-lived process
 * (the daemon) run at a chosen time (`MNEMO_NOW`), so that days and schedules stay fixed for a
 * test or a demo while timeouts and intervals still pass.
 */
export function createShiftedClock(start: Date | string, wall: () => number = () => Date.now()): Clock {
  const offset = new Date(start).getTime() - wall();
  return { now: () => new Date(wall() + offset) };
}

/** ISO-8601 UTC without milliseconds: the time format of topic frontmatter. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
