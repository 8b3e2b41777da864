import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/index.js';
import { encodedRuns } from './encoded-secrets.js';

/** The three regular expressions the one-pass scanner replaced: it must find exactly their runs. */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_RUN = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){10,}(?![0-9A-Fa-f])/g;
const URL_RUN = /(?<![A-Za-z0-9%._~+-])(?=[A-Za-z0-9._~+-]{0,200}%[0-9A-Fa-f]{2})[A-Za-z0-9%._~+-]{6,}/g;

const byRegex = (text: string, pattern: RegExp) => Array.from(text.matchAll(pattern), (match) => ({ index: match.index, text: match[0] }));

/** Random texts over an alphabet dense in the characters that start, end and break runs. */
function randomText(random: () => number, size: number): string {
  const pieces = [
    'a',
    'F',
    '0',
    '9',
    '+',
    '/',
    '_',
    '-',
    '=',
    '==',
    '%',
    '%2F',
    '%zz',
    '.',
    '~',
    ' ',
    '\n',
    'é',
    'deadbeef',
    'Zm9vYmFy',
    'x'.repeat(17),
  ];
  let text = '';
  while (text.length < size) text += pieces[Math.floor(random() * pieces.length)] ?? '';
  return text;
}

describe('encoded runs', () => {
  it('are exactly the runs of the base64, hex and URL regular expressions, on many random texts', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 400; round++) {
      const text = randomText(random, 20 + Math.floor(random() * 400));
      const runs = encodedRuns(text);
      expect(runs.base64, text).toEqual(byRegex(text, BASE64_RUN));
      expect(runs.hex, text).toEqual(byRegex(text, HEX_RUN));
      expect(runs.url, text).toEqual(text.includes('%') ? byRegex(text, URL_RUN) : []);
    }
  });

  it('finds the runs of real encodings', () => {
    const secret = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const text = `a=${Buffer.from(secret).toString('base64')} b=${Buffer.from(secret).toString('hex')} c=${encodeURIComponent(`${secret}/x y`)}`;
    const runs = encodedRuns(text);
    expect(runs.base64.map((run) => Buffer.from(run.text, 'base64').toString())).toContain(secret);
    expect(runs.hex.map((run) => Buffer.from(run.text, 'hex').toString())).toEqual([secret]);
    expect(runs.url.map((run) => decodeURIComponent(run.text))).toEqual([`${secret}/x y`]);
  });
});
