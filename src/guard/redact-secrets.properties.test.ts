import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets, placeholderFor, redactDeep, redactSecrets } from './redact-secrets.js';

const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
const UPPER27 = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'];

const run = (alphabet: string[], min: number, max = min): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });

/** Secret-shaped values (built here, never real) and the punctuation that surrounds secrets. */
const secretShaped = fc.oneof(
  run(UPPER27, 16).map((body) => 'AKIA' + body),
  run(ALNUM, 36, 40).map((body) => 'ghp_' + body),
  run(ALNUM, 24, 48).map((body) => 'sk-proj-' + body),
  run(ALNUM, 20, 30).map((body) => 'glpat-' + body),
  run(ALNUM, 35).map((body) => 'AIza' + body),
  run(ALNUM, 20, 40).map((body) => `eyJ${body}.eyJ${body}.${body}`),
  run(ALNUM, 8, 30),
);
const fragments = fc.constantFrom(
  'password=',
  'password: ',
  'api_key: ',
  'SECRET_TOKEN=',
  '"client_secret": "',
  'Bearer ',
  'Basic ',
  'Authorization: ',
  'postgres://user:',
  '://',
  '@',
  ':',
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '\\n',
  '[REDACTED:',
  ']',
  '[REDACTED:password]',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  '$',
  '{',
  '}',
  '-u ',
  '--password ',
  'bot',
  'sig=',
  'AccountKey=',
);
const text = fc
  .array(fc.oneof(secretShaped, fragments, fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('redactSecrets, for any input', () => {
  it('never throws and leaves no match of any rule in its output', () => {
    fc.assert(
      fc.property(text, (input) => {
        const { text: output } = redactSecrets(input);
        expect(findSecrets(output)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('never increases the number of secret matches', () => {
    fc.assert(
      fc.property(text, (input) => {
        expect(findSecrets(redactSecrets(input).text).length).toBeLessThanOrEqual(findSecrets(input).length);
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(text, (input) => {
        const once = redactSecrets(input).text;
        expect(redactSecrets(once)).toEqual({ text: once, redactions: [] });
      }),
      { numRuns: 400 },
    );
  });

  it('reports sorted, disjoint spans of the input that rebuild the output', () => {
    fc.assert(
      fc.property(text, (input) => {
        const { text: output, redactions } = redactSecrets(input);
        let rebuilt = '';
        let cursor = 0;
        for (const redaction of redactions) {
          expect(redaction.start).toBeGreaterThanOrEqual(cursor);
          expect(redaction.end).toBeGreaterThan(redaction.start);
          expect(redaction.end).toBeLessThanOrEqual(input.length);
          rebuilt += input.slice(cursor, redaction.start) + placeholderFor(redaction.rule);
          cursor = redaction.end;
        }
        expect(rebuilt + input.slice(cursor)).toBe(output);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary Unicode, and redactDeep never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (input) => {
        expect(typeof redactSecrets(input).text).toBe('string');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = redactDeep(value).value;
        expect(redactDeep(once).redactions).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
