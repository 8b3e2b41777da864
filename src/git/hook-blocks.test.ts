import { describe, expect, it } from 'vitest';
import { HOOK_BEGIN, HOOK_END, addHookBlock, removeHookBlock, shellQuote } from './hook-blocks.js';

const USER_HOOK = '#!/bin/sh\necho "user check"\nnpm run lint || exit 1\nexit 0\n';

describe('hook blocks', () => {
  it('creates a shell hook holding only mnemo’s block', () => {
    const edit = addHookBlock(undefined, 'mnemo git sync --hook || true');
    expect(edit).toEqual({ kind: 'changed', text: `#!/bin/sh\n${HOOK_BEGIN}\nmnemo git sync --hook || true\n${HOOK_END}\n` });
  });

  it('keeps the user’s hook, puts the block before its exit, and is idempotent', () => {
    const first = addHookBlock(USER_HOOK, 'mnemo git pre-commit || exit 1');
    if (first.kind !== 'changed') throw new Error(first.kind);
    expect(first.text.split('\n').slice(0, 4)).toEqual(['#!/bin/sh', HOOK_BEGIN, 'mnemo git pre-commit || exit 1', HOOK_END]);
    expect(first.text).toContain('npm run lint || exit 1\nexit 0\n');
    expect(addHookBlock(first.text, 'mnemo git pre-commit || exit 1')).toEqual({ kind: 'unchanged', text: first.text });
    // a new command replaces the block in place, never a second block
    const moved = addHookBlock(first.text, '/opt/mnemo git pre-commit || exit 1');
    if (moved.kind !== 'changed') throw new Error(moved.kind);
    expect(moved.text.split(HOOK_BEGIN)).toHaveLength(2);
    expect(removeHookBlock(moved.text)).toEqual({ text: USER_HOOK, removed: true });
  });

  it('uninstall deletes a hook that was mnemo’s alone, and leaves one without a block as it is', () => {
    const edit = addHookBlock(undefined, 'mnemo git sync --hook || true');
    if (edit.kind !== 'changed') throw new Error(edit.kind);
    expect(removeHookBlock(edit.text)).toEqual({ text: undefined, removed: true });
    expect(removeHookBlock(USER_HOOK)).toEqual({ text: USER_HOOK, removed: false });
  });

  it('does not put shell lines into a hook in another language', () => {
    expect(addHookBlock('#!/usr/bin/env python3\nprint("hi")\n', 'mnemo git sync')).toEqual({
      kind: 'foreign',
      interpreter: '/usr/bin/env python3',
    });
    expect(addHookBlock('#!/usr/bin/env bash\necho hi\n', 'mnemo git sync').kind).toBe('changed');
  });

  it('quotes paths for the shell', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote("/home/o'neil/my tools/main.js")).toBe(`'/home/o'\\''neil/my tools/main.js'`);
  });
});
