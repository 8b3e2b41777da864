/** The lines that open and close mnemo's part of a hook, so it can be found, replaced and removed alone. */
export const HOOK_BEGIN = '# >>> mnemo git hook (installed by `mnemo git setup`; `mnemo git setup --uninstall` removes it)';
export const HOOK_END = '# <<< mnemo git hook';

const SHELLS = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/\S*\/)?(?:sh|bash|dash|zsh|ksh)\b/;

export type HookEdit =
  | { kind: 'unchanged'; text: string }
  | { kind: 'changed'; text: string }
  /** An existing hook in another language: mnemo's shell lines cannot go into it. */
  | { kind: 'foreign'; interpreter: string };

function withoutBlock(text: string): { text: string; at: number | undefined } {
  const lines = text.split('\n');
  const start = lines.indexOf(HOOK_BEGIN);
  if (start < 0) return { text, at: undefined };
  const end = lines.indexOf(HOOK_END, start);
  const removed = [...lines.slice(0, start), ...lines.slice(end < 0 ? start + 1 : end + 1)];
  return { text: removed.join('\n'), at: start };
}

/**
 * A hook's text with mnemo's block (`body`, shell lines) in it: in place of an earlier block, else
 * right after the `#!` line, so it runs even when the user's part ends with `exit`. A new hook is
 * a `#!/bin/sh` script holding only the block. What else is in the hook stays as it is.
 */
export function addHookBlock(current: string | undefined, body: string): HookEdit {
  const block = [HOOK_BEGIN, body, HOOK_END];
  if (current === undefined || current.trim() === '') return { kind: 'changed', text: `#!/bin/sh\n${block.join('\n')}\n` };
  const first = current.split('\n')[0] ?? '';
  if (first.startsWith('#!') && !SHELLS.test(first)) return { kind: 'foreign', interpreter: first.slice(2).trim() };
  const { text, at } = withoutBlock(current);
  const lines = text.split('\n');
  const insertAt = at ?? (first.startsWith('#!') ? 1 : 0);
  const next = [...lines.slice(0, insertAt), ...block, ...lines.slice(insertAt)].join('\n');
  return next === current ? { kind: 'unchanged', text: current } : { kind: 'changed', text: next };
}

/**
 * A hook's text without mnemo's block; `undefined` when nothing but a `#!` line would be left (the
 * hook was mnemo's alone and can be deleted).
 */
export function removeHookBlock(current: string): { text: string | undefined; removed: boolean } {
  const { text, at } = withoutBlock(current);
  if (at === undefined) return { text: current, removed: false };
  const rest = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^#!/.test(line))
    .join('');
  return { text: rest === '' ? undefined : text, removed: true };
}

/** Quote a word for /bin/sh. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
