/*
 * Candidate pairs for merging without comparing every pair: MinHash signatures of the topics'
 * content words, banded (locality-sensitive hashing). Two topics whose word sets have Jaccard
 * similarity s share a band with probability 1 - (1 - s^ROWS)^BANDS: 0.999 at s = 0.6,
 * 0.9 at s = 0.3, 0.2 at s = 0.1. Candidates are then scored exactly.
 */
const BANDS = 24;
const ROWS = 2;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function mix(value: number, seed: number): number {
  let hash = (value ^ seed) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

const SEEDS = Array.from({ length: BANDS * ROWS }, (_, index) => mix(index + 1, 0x9e3779b9));

function signature(terms: ReadonlySet<string>): number[] {
  const values = [...terms].map(fnv1a);
  return SEEDS.map((seed) => {
    let min = 0xffffffff;
    for (const value of values) {
      const hashed = mix(value, seed);
      if (hashed < min) min = hashed;
    }
    return min;
  });
}

/** One item to pair: only items of the same `group` are paired (topics of one type). */
export interface PairingItem {
  group: string;
  terms: ReadonlySet<string>;
}

/** Index pairs `[i, j]` (i < j) of items likely to be similar; each pair once. */
export function candidatePairs(items: readonly PairingItem[]): [number, number][] {
  const buckets = new Map<string, number[]>();
  items.forEach((item, index) => {
    if (item.terms.size === 0) return;
    const values = signature(item.terms);
    for (let band = 0; band < BANDS; band += 1) {
      const key = `${item.group}\u0000${band}\u0000${values.slice(band * ROWS, band * ROWS + ROWS).join(',')}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    }
  });
  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  for (const bucket of buckets.values()) {
    for (let a = 0; a < bucket.length; a += 1) {
      for (let b = a + 1; b < bucket.length; b += 1) {
        const i = bucket[a] as number;
        const j = bucket[b] as number;
        const key = i * items.length + j;
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push([i, j]);
      }
    }
  }
  return pairs;
}
