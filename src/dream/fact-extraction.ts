import { queryTerms } from '../retrieval/index.js';
import { stem } from './topic-similarity.js';

/** A value a topic states for a thing: "the API port is 8080" → key `api port`, value `8080`. */
export interface StatedFact {
  /** The thing, as stemmed content words in order. */
  key: string;
  /** How many content words the key has (more words, more specific). */
  keyTerms: number;
  /** The value as written. */
  value: string;
  /** The value compared across topics: lower case, quotes and trailing punctuation removed. */
  normalized: string;
  /** The sentence it came from, for the report. */
  sentence: string;
}

const VERBS = String.raw`(?:is|are|was|were|equals|=|:|uses|use|runs on|listens on|is set to|defaults to|is now|lives at|lives in|points to)`;
/** Values worth comparing: code, versions, numbers with units, paths, URLs, quoted text. */
const VALUE = String.raw`(?<value>\x60[^\x60\n]{1,80}\x60|"[^"\n]{1,80}"|https?:\/\/[^\s,;)]+|v?\d+(?:\.\d+)+[\w.-]*|\d+(?:[.,]\d+)?(?:\s?(?:ms|s|sec|seconds|min|minutes|h|hours|days|kb|mb|gb|%|px|rpm|qps))?\b|[\w.-]*\/[\w./-]+|[\w-]+\.(?:json|ya?ml|toml|ts|js|py|md|env|conf|lock))`;
/** A noun between the verb and the value names the thing: "listens on port 8080" → key `… port`. */
const NOUN = String.raw`(?:(?<noun>port|version|timeout|host|region|branch|node|python|database|schema|replicas?)\s+)?`;
const FACT = new RegExp(
  String.raw`(?<subject>[A-Za-z][\w .'/-]{1,60}?)\s*(?:\s${VERBS}\s|\s?[:=]\s)\s*(?:the |a |an |now |still |at |on |to )?${NOUN}${VALUE}`,
  'gi',
);

function sentences(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?(?:```|$)/g, ' ');
  return withoutCode
    .split(/\n+|(?<=[.!?;])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0 && !/^\*\*(?:why|how to apply)/i.test(sentence));
}

function normalizeValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/^[`"]|[`"]$/g, '')
    .replace(/[.,;:]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The values a topic states, from its description and body (code blocks and the Why / How to
 * apply lines are skipped). Only value-like values count (code, numbers, versions, paths, URLs,
 * quoted text), so that "deploys are blue-green" and "deploys are blue-green and fast" are not
 * told apart while "the port is 8080" and "the port is 9090" are. The key is the last four
 * content words before the verb.
 */
export function extractFacts(description: string, body: string): StatedFact[] {
  const facts: StatedFact[] = [];
  const seen = new Set<string>();
  for (const sentence of sentences(`${description}\n${body}`).slice(0, 40)) {
    for (const match of sentence.matchAll(FACT)) {
      const subject = match.groups?.subject ?? '';
      const value = match.groups?.value ?? '';
      const noun = match.groups?.noun;
      const subjectTerms = queryTerms(subject).filter((term) => !/^\d+$/.test(term));
      const terms = [...subjectTerms, ...(noun && !subjectTerms.includes(noun.toLowerCase()) ? [noun.toLowerCase()] : [])]
        .map(stem)
        .slice(-4);
      if (terms.length === 0 || value === '') continue;
      const key = terms.join(' ');
      const normalized = normalizeValue(value);
      if (seen.has(`${key}=${normalized}`)) continue;
      seen.add(`${key}=${normalized}`);
      facts.push({ key, keyTerms: terms.length, value, normalized, sentence: sentence.slice(0, 200) });
    }
  }
  return facts;
}
