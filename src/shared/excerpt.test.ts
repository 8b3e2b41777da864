import { describe, expect, it } from 'vitest';
import { excerptOf, quoteExcerpt } from './excerpt.js';

describe('quoteExcerpt', () => {
  it('spells out control and invisible characters, so nothing reaches a terminal raw', () => {
    const garbage = `a\u001b[2J\u0000b\u200bc\ufffd`;
    expect(quoteExcerpt(garbage)).toBe('"a⟨U+001B⟩[2J⟨U+0000⟩b⟨U+200B⟩c⟨U+FFFD⟩"');
  });

  it('quotes a long text short, with its length', () => {
    const quoted = quoteExcerpt('word '.repeat(24_000));
    expect(quoted).toMatch(/^"word word .*…" \(120,000 characters\)$/);
    expect(quoted.length).toBeLessThan(100);
  });

  it('excerptOf keeps a span of a text, cut at its limit', () => {
    expect(excerptOf('one\ntwo three', 0, 7)).toBe('one⏎two');
    expect(excerptOf('x'.repeat(500))).toBe(`${'x'.repeat(120)}…`);
  });
});
