import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/index.js';
import { SECRET_RULES, assignmentStarts } from './secret-rules.js';

function randomText(random: () => number, size: number): string {
  const pieces = [
    'password',
    'db_pass',
    'API_KEY',
    'client-secret',
    'token',
    'auth',
    'x',
    '9',
    '.',
    '_',
    '-',
    ':',
    '=',
    ':=',
    '=>',
    ' ',
    '\t',
    '    ',
    '"',
    "'",
    '`',
    '\n',
    'hunter2',
    'Zx9Qw3Er7Ty1Ui5Op',
    ',',
    'é',
    '-us',
    '-us1',
    ':AA',
    '/bot',
    '12345678:AA',
    '12345678:AAabcdefghijklmnopqrstuvwxyzABCDEFG',
    ' 1234567890:AAbcdefghijklmnopqrstuvwxyzABCDEFGH ',
    '/bot123456789:AA',
    '0123456789',
    '1234',
    'deadbeefcafe0123',
    'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    '://',
    'postgres',
    'https',
    'user:pw@db.example',
    '@',
    '+',
    'abcdefghijklmnopqrstuvwxyzABCDEFG_-',
  ];
  let text = '';
  while (text.length < size) text += pieces[Math.floor(random() * pieces.length)] ?? '';
  return text;
}

describe('secret rules', () => {
  it('start every match of a rule with `starts` at an offset it gives (so trying only those loses nothing)', () => {
    const rules = SECRET_RULES.filter((rule) => rule.starts !== undefined);
    expect(rules.map((rule) => rule.id).sort()).toEqual([
      'connection-string-password',
      'generic-secret',
      'mailchimp-api-key',
      'password',
      'telegram-bot-token',
    ]);
    const random = seededRandom(11);
    const matches = new Map<string, number>();
    for (let round = 0; round < 3000; round++) {
      const text = randomText(random, 10 + Math.floor(random() * 300));
      for (const rule of rules) {
        const starts = new Set(rule.starts?.(text));
        for (const pattern of rule.patterns) {
          for (const match of text.matchAll(pattern)) {
            matches.set(rule.id, (matches.get(rule.id) ?? 0) + 1);
            expect(starts.has(match.index), `${rule.id} at ${match.index} in ${JSON.stringify(text)}`).toBe(true);
          }
        }
      }
    }
    // every rule matched often enough for the check to mean something
    for (const rule of rules) expect(matches.get(rule.id) ?? 0, rule.id).toBeGreaterThan(3);
  });

  it('gives the offsets in ascending order, once each', () => {
    const starts = assignmentStarts('a=1 b : 2 "c" = 3 d    = 4 e:=5 f=>6');
    expect(starts).toEqual([...new Set(starts)].sort((a, b) => a - b));
    // a, b, "c", e, f; not d (four blanks before its "=")
    expect(starts).toEqual([0, 4, 11, 27, 32]);
  });
});
