import { describe, expect, it } from 'vitest';
import { resolveRelativeDates } from './relative-dates.js';

const session = new Date('2026-11-22T15:30:00Z'); // a Sunday

describe('resolveRelativeDates', () => {
  it.each([
    ['The deploy broke yesterday.', 'The deploy broke yesterday (2026-11-21).'],
    ['Fixed this morning.', 'Fixed this morning (2026-11-22).'],
    ['We moved it two days ago.', 'We moved it two days ago (2026-11-20).'],
    ['Seen 3 days ago and the day before yesterday.', 'Seen 3 days ago (2026-11-19) and the day before yesterday (2026-11-20).'],
    ['Switched last week.', 'Switched last week (the week of 2026-11-09).'],
    ['Released last Monday.', 'Released last Monday (2026-11-16).'],
    ['Budget set last month.', 'Budget set last month (2026-10).'],
    ['Due tomorrow.', 'Due tomorrow (2026-11-23).'],
    ['Started 2 weeks ago.', 'Started 2 weeks ago (around 2026-11-08).'],
  ])('%s', (input, expected) => {
    expect(resolveRelativeDates(input, session).text).toBe(expected);
  });

  it('is idempotent: a resolved text is not changed again', () => {
    const once = resolveRelativeDates('It failed yesterday and last week.', session).text;
    expect(resolveRelativeDates(once, session)).toEqual({ text: once, resolutions: [] });
  });

  it('leaves code, links, URLs and possessives alone', () => {
    const text =
      "Run `git log --since=yesterday`; see [yesterday](notes.md) and https://x.test/today; yesterday's build.\n```\nyesterday\n```";
    expect(resolveRelativeDates(text, session).text).toBe(text);
  });

  it('does not touch words that only contain a phrase', () => {
    expect(resolveRelativeDates('todays todayish', session).text).toBe('todays todayish');
  });

  it('names what it resolved', () => {
    expect(resolveRelativeDates('Broke yesterday.', session).resolutions).toEqual([{ phrase: 'yesterday', resolved: '2026-11-21' }]);
  });
});
