/*
 * HTML built by a tagged template that escapes every interpolated value: memory content is
 * untrusted (a topic body may carry `<script>`), so nothing reaches a page unescaped unless it
 * was itself built here, as `SafeHtml`.
 */

/** Markup that was built by `html` (or escaped already): interpolated as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape text for an element's content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ENTITIES[character] ?? character);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly Value[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: every value is escaped; arrays are joined; SafeHtml passes through. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup from code, never from memory content (e.g. an SVG built from numbers). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Wrap each occurrence of the given excerpts in `<mark>`, escaping everything. */
export function highlight(text: string, excerpts: readonly string[]): SafeHtml {
  const needles = [...new Set(excerpts.map((excerpt) => excerpt.trim()).filter((excerpt) => excerpt.length >= 3))];
  if (needles.length === 0) return new SafeHtml(escapeHtml(text));
  const ranges: [number, number][] = [];
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) ranges.push([at, at + needle.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (start < cursor) continue;
    out += `${escapeHtml(text.slice(cursor, start))}<mark>${escapeHtml(text.slice(start, end))}</mark>`;
    cursor = end;
  }
  return new SafeHtml(out + escapeHtml(text.slice(cursor)));
}

/** A line diff (`-`, `+`, ` `, `…` lines) as a block with removed and added lines coloured. */
export function diffBlock(lines: readonly string[]): SafeHtml {
  if (lines.length === 0) return html`<p class="muted">no change</p>`;
  const rows = lines.map((line) => {
    const kind = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line === '…' ? 'gap' : 'ctx';
    return html`<span class="${kind}">${line}</span>`;
  });
  return html`<pre class="diff">${rows}</pre>`;
}

/** Wrap each case-insensitive occurrence of the query's words (3+ letters) in `<mark>`, escaping everything. */
export function highlightTerms(text: string, query: string): SafeHtml {
  const words = [...new Set(query.split(/[^\p{L}\p{N}_-]+/u).filter((word) => word.length >= 3))];
  if (words.length === 0) return new SafeHtml(escapeHtml(text));
  const pattern = new RegExp(words.map((word) => word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|'), 'giu');
  let out = '';
  let cursor = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    out += `${escapeHtml(text.slice(cursor, start))}<mark>${escapeHtml(match[0])}</mark>`;
    cursor = start + match[0].length;
  }
  return new SafeHtml(out + escapeHtml(text.slice(cursor)));
}
