import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, createManualClock, isoSeconds } from '../shared/index.js';
import { describeAge, describeElapsed, isDue } from './freshness.js';

const config = { freshnessHours: 24, freshnessHoursByKind: { command: 168, file: 1 } };

describe('freshness', () => {
  it('is due when never verified, and again once the window has passed', () => {
    const clock = createManualClock('2026-11-22T12:00:00.000Z');
    const verified = isoSeconds(clock.now());
    expect(isDue(undefined, ['symbol'], clock.now(), config)).toBe(true);
    expect(isDue('not a date', ['symbol'], clock.now(), config)).toBe(true);
    expect(isDue(verified, ['symbol'], clock.now(), config)).toBe(false);
    clock.advance(23 * HOUR_MS);
    expect(isDue(verified, ['symbol'], clock.now(), config)).toBe(false);
    clock.advance(HOUR_MS);
    expect(isDue(verified, ['symbol'], clock.now(), config)).toBe(true);
  });

  it('uses the shortest window among the topic kinds', () => {
    const clock = createManualClock('2026-11-22T12:00:00.000Z');
    const verified = isoSeconds(clock.now());
    clock.advance(2 * HOUR_MS);
    expect(isDue(verified, ['command'], clock.now(), config)).toBe(false);
    expect(isDue(verified, ['command', 'file'], clock.now(), config)).toBe(true);
    clock.advance(7 * DAY_MS);
    expect(isDue(verified, ['command'], clock.now(), config)).toBe(true);
    expect(isDue(verified, [], clock.now(), { freshnessHours: 0, freshnessHoursByKind: {} })).toBe(true);
  });

  it('does not believe a verified time far in the future', () => {
    const clock = createManualClock('2026-11-22T12:00:00.000Z');
    expect(isDue('2026-11-22T12:03:00Z', ['file'], clock.now(), { freshnessHours: 24, freshnessHoursByKind: {} })).toBe(false);
    expect(isDue('2027-01-01T00:00:00Z', ['file'], clock.now(), config)).toBe(true);
  });

  it('describes ages for caveats', () => {
    const clock = createManualClock('2026-11-22T12:00:00.000Z');
    const written = isoSeconds(clock.now());
    clock.advance(47 * DAY_MS);
    expect(describeAge(written, 'now', clock.now())).toBe('written 47 days ago, checked now');
    const clock2 = createManualClock('2026-11-22T12:00:00.000Z');
    const checked = isoSeconds(new Date(clock2.now().getTime() + HOUR_MS));
    clock2.advance(3 * HOUR_MS + 5 * 60_000);
    expect(describeAge(written, checked, clock2.now())).toBe('written 3 hours ago, last checked 2 hours ago');
    expect(describeAge(undefined, undefined, clock2.now())).toBe('written at an unknown time, never checked');
    expect([30_000, 60_000, 5 * 60_000, HOUR_MS, 120 * DAY_MS, 800 * DAY_MS].map(describeElapsed)).toEqual([
      'just now',
      '1 minute ago',
      '5 minutes ago',
      '1 hour ago',
      '4 months ago',
      '2 years ago',
    ]);
  });
});
