import { describe, expect, it } from 'vitest';
import { createShiftedClock } from './clock.js';

describe('createShiftedClock', () => {
  it('starts at the given time and moves on with the wall clock', () => {
    let wall = 1_000_000;
    const clock = createShiftedClock('2026-06-01T09:00:00Z', () => wall);
    expect(clock.now().toISOString()).toBe('2026-06-01T09:00:00.000Z');
    wall += 90_000;
    expect(clock.now().toISOString()).toBe('2026-06-01T09:01:30.000Z');
  });
});
