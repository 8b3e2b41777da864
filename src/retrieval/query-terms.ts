/** English function words that carry no topic: dropped from queries. */
const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers herself him himself
  his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
  ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
  those through to too under until up very was we were what when where which while who whom why will with would you your
  yours yourself yourselves s t d ll m re ve y o don doesn didn isn wasn weren won wouldn shouldn couldn aren hasn haven hadn
  also ever get got let lets may might must shall us via`.split(/\s+/),
);

/** Lower-case word tokens of a text (letters and digits, Unicode-aware). */
export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((token) => token.length > 0);
}

/** The searchable terms of a query: tokens without stopwords, deduplicated, in order. */
export function queryTerms(query: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const token of tokenize(query)) {
    if (STOPWORDS.has(token) || (token.length < 2 && !/\d/.test(token)) || seen.has(token)) continue;
    seen.add(token);
    terms.push(token);
  }
  return terms;
}

export function isStopword(token: string): boolean {
  return STOPWORDS.has(token);
}

/**
 * An FTS5 MATCH expression: every term quoted (so no FTS syntax from the query is interpreted),
 * joined with OR so that partial matches still rank. Undefined when nothing is searchable.
 */
export function ftsQuery(terms: readonly string[]): string | undefined {
  if (terms.length === 0) return undefined;
  return terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ');
}
