/**
 * A unified-style line diff of two texts for reports: `-` removed, `+` added, ` ` unchanged
 * context (up to `context` lines around each change). Longest common subsequence; texts longer
 * than `maxLines` are shown as a whole replacement.
 */
export function lineDiff(before: string, after: string, options: { context?: number; maxLines?: number } = {}): string[] {
  const context = options.context ?? 1;
  const maxLines = options.maxLines ?? 400;
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  if (a.length > maxLines || b.length > maxLines) return [...a.map((line) => `-${line}`), ...b.map((line) => `+${line}`)];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    const row = lcs[i] as number[];
    const below = lcs[i + 1] as number[];
    for (let j = b.length - 1; j >= 0; j -= 1)
      row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
  }
  const ops: { sign: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ sign: ' ', line: a[i] as string });
      i += 1;
      j += 1;
    } else if (i < a.length && (j >= b.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ sign: '-', line: a[i] as string });
      i += 1;
    } else {
      ops.push({ sign: '+', line: b[j] as string });
      j += 1;
    }
  }
  const near = ops.map((op, index) => ops.slice(Math.max(0, index - context), index + context + 1).some((other) => other.sign !== ' '));
  const out: string[] = [];
  ops.forEach((op, index) => {
    if (near[index]) out.push(`${op.sign}${op.line}`);
    else if (out.at(-1) !== '…') out.push('…');
  });
  return out;
}
