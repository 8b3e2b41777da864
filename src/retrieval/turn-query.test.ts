import { describe, expect, it } from 'vitest';
import { namedPeriods, namedSpeakers } from './turn-query.js';

const day = (iso: string) => Date.parse(iso);

describe('namedPeriods', () => {
  it('reads a day with its year in either order', () => {
    expect(namedPeriods('What did Ada paint on October 13, 2023?', [])).toEqual([{ start: day('2023-10-13'), end: day('2023-10-14') }]);
    expect(namedPeriods('what happened on 13 October 2023', [])).toEqual([{ start: day('2023-10-13'), end: day('2023-10-14') }]);
  });

  it('reads a month without a year as that month in each year the memory has', () => {
    expect(namedPeriods('When did Bruno go camping in June?', [2022, 2023])).toEqual([
      { start: day('2022-06-01'), end: day('2022-07-01') },
      { start: day('2023-06-01'), end: day('2023-07-01') },
    ]);
  });

  it('does not read the verb "may" (or "march") as a month', () => {
    expect(namedPeriods('What may Ada think about it?', [2023])).toEqual([]);
    expect(namedPeriods('Did they march in the parade?', [2023])).toEqual([]);
    expect(namedPeriods('the deploy of 2 May 2024', [])).toEqual([{ start: day('2024-05-02'), end: day('2024-05-03') }]);
  });

  it('reads a bare year when no month is named', () => {
    expect(namedPeriods('what did we decide in 2022?', [])).toEqual([{ start: day('2022-01-01'), end: day('2023-01-01') }]);
    expect(namedPeriods('no dates here', [2023])).toEqual([]);
  });
});

describe('namedSpeakers', () => {
  it('finds speakers by any word of their name, never by stopwords', () => {
    expect(namedSpeakers(['caroline', 'research'], ['Caroline', 'Melanie'])).toEqual(['Caroline']);
    expect(namedSpeakers(['smith'], ['Ada Smith', 'Bruno'])).toEqual(['Ada Smith']);
    expect(namedSpeakers(['the'], ['The Doctor'])).toEqual([]);
    expect(namedSpeakers(['deploy'], ['Caroline'])).toEqual([]);
  });
});
