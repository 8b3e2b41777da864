import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderIndexText, type IndexEntryInput } from '../store/index.js';
import { mergeIndexFiles, mergeIndexTexts } from './index-merge.js';

const BUDGET = { maxLines: 200, maxBytes: 25_000 };

function entry(slug: string, hook: string, type: IndexEntryInput['type'] = 'project', rank = 30): IndexEntryInput {
  return { slug, title: slug.replace(/-/g, ' '), hook, type, rank };
}

function render(entries: IndexEntryInput[]): string {
  return renderIndexText(entries, BUDGET).text;
}

describe('the MEMORY.md merge driver', () => {
  const base = [entry('deploys', 'blue-green'), entry('package-manager', 'pnpm'), entry('editor', 'tabs', 'user')];

  it('keeps what either side added, drops what either side removed, takes a one-sided change', () => {
    const ours = [entry('package-manager', 'pnpm 9'), entry('editor', 'tabs', 'user'), entry('tests', 'vitest', 'reference')];
    const theirs = [
      entry('deploys', 'blue-green'),
      entry('package-manager', 'pnpm'),
      entry('editor', 'tabs', 'user'),
      entry('ci', 'github actions'),
    ];
    const merged = mergeIndexTexts(render(base), render(ours), render(theirs));
    // what rendering the merged topics gives, byte for byte: deploys forgotten by us, ci added by them, our change kept
    expect(merged).toBe(
      render([
        entry('package-manager', 'pnpm 9'),
        entry('editor', 'tabs', 'user'),
        entry('tests', 'vitest', 'reference'),
        entry('ci', 'github actions'),
      ]),
    );
    expect(merged).not.toContain('<<<<<<<');
  });

  it('gives the same bytes whichever side is ours, even when both changed one line', () => {
    const ours = [entry('deploys', 'canary now'), entry('package-manager', 'pnpm'), entry('editor', 'tabs', 'user')];
    const theirs = [entry('deploys', 'rolling now'), entry('package-manager', 'pnpm'), entry('editor', 'tabs', 'user')];
    const one = mergeIndexTexts(render(base), render(ours), render(theirs));
    const other = mergeIndexTexts(render(base), render(theirs), render(ours));
    expect(one).toBe(other);
    expect(one.match(/\(deploys\.md\)/g)).toHaveLength(1);
  });

  it('merges renders whose ranks differ (another clock, other usage) to the render of the topics', () => {
    const oursRanks = [entry('b-topic', 'b', 'project', 10), entry('a-topic', 'a', 'project', 90)];
    const theirsRanks = [entry('b-topic', 'b', 'project', 90), entry('a-topic', 'a', 'project', 10), entry('c-topic', 'c', 'lesson')];
    const merged = mergeIndexTexts('', render(oursRanks), render(theirsRanks));
    expect(merged).toBe(render([...oursRanks, entry('c-topic', 'c', 'lesson')]));
    expect(render(oursRanks)).toBe(render(theirsRanks.slice(0, 2))); // rank never changes the order of lines
  });

  it('an index every side emptied stays empty', () => {
    expect(mergeIndexTexts(render(base), '', '')).toBe('');
  });

  it('as a driver, writes the result over %A', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mnemo-merge-'));
    try {
      const [o, a, b] = ['base', 'ours', 'theirs'].map((name) => join(dir, name)) as [string, string, string];
      await writeFile(o, render(base));
      await writeFile(a, render([...base, entry('ours-only', 'x')]));
      await writeFile(b, render([...base, entry('theirs-only', 'y')]));
      await mergeIndexFiles(o, a, b);
      expect(await readFile(a, 'utf8')).toBe(render([...base, entry('ours-only', 'x'), entry('theirs-only', 'y')]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
