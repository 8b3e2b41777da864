import { describe, expect, it } from 'vitest';
import { fuseRankings, RRF_K } from './hybrid-fusion.js';

describe('reciprocal rank fusion', () => {
  it('puts what both rankings found above what one found, keeps what only one found, ties in order of first appearance', () => {
    const fused = fuseRankings([{ keys: ['a', 'b', 'c'] }, { keys: ['c', 'd'] }]);
    expect(fused.map((entry) => entry.key)).toEqual(['c', 'a', 'b', 'd']);
    expect(fused[0]?.score).toBeCloseTo(1 / (RRF_K + 3) + 1 / (RRF_K + 1));
  });

  it('leaves a single ranking in its order', () => {
    expect(fuseRankings([{ keys: ['x', 'y', 'z'] }, { keys: [] }]).map((entry) => entry.key)).toEqual(['x', 'y', 'z']);
  });
});
