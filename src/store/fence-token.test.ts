import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { readFenceToken } from './fence-token.js';

describe('fence token', () => {
  it('is made once per memory, random, and kept in .state/fence-token', async () => {
    const root = await tempDir();
    const first = await readFenceToken(root);
    expect(first).toMatch(/^[a-z0-9]{20}$/);
    expect(await readFenceToken(root)).toBe(first);
    expect((await readFile(join(root, '.state', 'fence-token'), 'utf8')).trim()).toBe(first);
    const other = await readFenceToken(await tempDir());
    expect(other).not.toBe(first);
  });

  it('is the same for callers that make it at the same time', async () => {
    const root = await tempDir();
    const tokens = await Promise.all(Array.from({ length: 8 }, () => readFenceToken(root)));
    expect(new Set(tokens).size).toBe(1);
  });

  it('is made again when the file is broken (too short, or not a token)', async () => {
    const root = await tempDir();
    await mkdir(join(root, '.state'));
    await writeFile(join(root, '.state', 'fence-token'), 'abc\n');
    const token = await readFenceToken(root);
    expect(token).toMatch(/^[a-z0-9]{20}$/);
    expect((await readFile(join(root, '.state', 'fence-token'), 'utf8')).trim()).toBe(token);
  });
});
