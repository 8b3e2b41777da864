import { seededRandom } from '../../src/shared/index.js';

/*
 * A made-up corpus of topics for ranking comparisons: words drawn with a skewed distribution
 * (some common, most rare) into names, descriptions, tags and bodies, and queries of two or three
 * of those words. The same corpus for a seed on every run.
 */

const WORDS = `server database cache queue broker cluster deploy release rollback migration schema index
  token secret vault login session cookie header proxy gateway router socket timeout retry backoff
  metric alert dashboard trace logger parser compiler linter bundle module package registry mirror
  docker kernel volume network firewall certificate domain bucket storage backup snapshot replica
  shard tenant billing invoice payment refund customer account profile avatar upload download
  webhook scheduler worker thread memory garbage profiler benchmark latency throughput`
  .split(/\s+/)
  .filter(Boolean);

export interface CorpusTopic {
  slug: string;
  text: string;
}

function pick(random: () => number): string {
  // Squared: low indices are common words, high ones rare.
  const index = Math.floor(random() ** 2 * WORDS.length);
  return WORDS[index] as string;
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => pick(random)).join(' ');
}

export function searchCorpus(count: number, seed = 7): CorpusTopic[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const name = `${words(random, 2)} ${index}`;
    const tags = [pick(random), pick(random)];
    const text = `---\nname: ${name}\ndescription: ${words(random, 5)}\ntype: project\ntags: [${tags.join(', ')}]\n---\n${words(random, 20 + Math.floor(random() * 60))}.\n`;
    return { slug: `topic-${String(index).padStart(6, '0')}`, text };
  });
}

export function searchQueries(count: number, seed = 11): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const size = 2 + Math.floor(random() * 2);
    return Array.from({ length: size }, () => WORDS[Math.floor(random() * WORDS.length)] as string).join(' ');
  });
}
