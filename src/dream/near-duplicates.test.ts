import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff.js';
import { candidatePairs } from './near-duplicates.js';
import { contentTerms } from './topic-similarity.js';
import { seededRandom } from '../../test/helpers/seeded-random.js';

/** `count` made-up words from a vocabulary of 5,000 (mulberry32, deterministic for a seed). */
function words(seed: number, count: number): string[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => `w${Math.floor(next() * 5000)}`);
}

describe('candidatePairs', () => {
  it('finds planted near-duplicates among 2,000 random topics without pairing everything', () => {
    const items = Array.from({ length: 2000 }, (_, index) => ({ group: 'project', terms: new Set(words(index + 1, 40)) }));
    // Topic 2000 + k repeats topic k with a quarter of its words changed (similarity about 0.6).
    for (let k = 0; k < 50; k += 1) {
      const base = [...(items[k]?.terms ?? [])];
      items.push({ group: 'project', terms: new Set([...base.slice(0, 30), ...words(9000 + k, 10)]) });
    }
    const pairs = candidatePairs(items);
    const found = new Set(pairs.filter(([i, j]) => j - i === 2000).map(([i]) => i));
    expect(found.size).toBe(50);
    expect(pairs.length).toBeLessThan(20_000);
  });

  it('never pairs items of different groups', () => {
    const terms = contentTerms('staging deploys are blue green');
    expect(
      candidatePairs([
        { group: 'project', terms },
        { group: 'user', terms },
      ]),
    ).toEqual([]);
    expect(
      candidatePairs([
        { group: 'project', terms },
        { group: 'project', terms },
      ]),
    ).toEqual([[0, 1]]);
  });
});

describe('lineDiff', () => {
  it('shows removed lines before added ones, with context and elisions', () => {
    expect(lineDiff('a\nb\nc\nd\ne\n', 'a\nb\nC\nd\ne\n')).toEqual(['…', ' b', '-c', '+C', ' d', '…']);
    expect(lineDiff('', 'new\n')).toEqual(['+new']);
  });
});
