import { isStopword, tokenize } from './query-terms.js';

/** A stretch of time a query names, as epoch milliseconds [start, end). */
export interface NamedPeriod {
  start: number;
  end: number;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_PATTERN =
  '(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.?';
/** `13 October 2023`, `October 13, 2023`, `October 2023`, `October` (capitalized: months are proper nouns). */
const DATE_PATTERN = new RegExp(
  `(?:\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?)?\\b${MONTH_PATTERN}(?:\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b)?(?:,?\\s+(\\d{4})\\b)?`,
  'g',
);
const YEAR_PATTERN = /\b(19\d{2}|20\d{2})\b/g;
const DAY_MS = 86_400_000;

function monthIndex(word: string): number {
  const prefix = word.toLowerCase().slice(0, 3);
  return MONTHS.findIndex((month) => month.startsWith(prefix));
}

/**
 * The days, months and years a query names. A month without a year names that month in each
 * of `years` (the years the memory has turns in). "May" and "March" count only with a day or a
 * year beside them, since they are also verbs.
 */
export function namedPeriods(query: string, years: readonly number[]): NamedPeriod[] {
  const periods: NamedPeriod[] = [];
  for (const match of query.matchAll(DATE_PATTERN)) {
    const [, dayBefore, monthWord = '', dayAfter, yearText] = match;
    const day = dayBefore ?? dayAfter;
    if (/^(may|mar|march)$/i.test(monthWord) && day === undefined && yearText === undefined) continue;
    const month = monthIndex(monthWord);
    if (month < 0) continue;
    for (const year of yearText === undefined ? years : [Number(yearText)]) {
      if (day === undefined) periods.push({ start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) });
      else {
        const start = Date.UTC(year, month, Number(day));
        periods.push({ start, end: start + DAY_MS });
      }
    }
  }
  if (periods.length === 0) {
    for (const match of query.matchAll(YEAR_PATTERN)) {
      const year = Number(match[1]);
      periods.push({ start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1) });
    }
  }
  return periods;
}

/**
 * The speakers a query names: a query word equal to one of the words of a speaker's name
 * ("Caroline" names "Caroline Smith"). Stopwords and one-letter words never name anyone.
 */
export function namedSpeakers(terms: readonly string[], speakers: readonly string[]): string[] {
  const wanted = new Set(terms);
  return speakers.filter((speaker) => tokenize(speaker).some((word) => word.length > 1 && !isStopword(word) && wanted.has(word)));
}
