import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { appendJsonLines, readJsonLines } from './jsonl-file.js';

describe('appendJsonLines', () => {
  it('creates the file and its folder, then appends one line per value', async () => {
    const path = join(await tempDir(), 'new', 'log.jsonl');
    await appendJsonLines(path, [{ a: 1 }]);
    await appendJsonLines(path, [{ a: 2 }, { a: 3 }]);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
  });

  it('after a partial last line (a crash mid-append), starts a new line so the new values stay readable', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    await writeFile(path, '{"a":1}\n{"a":');
    await appendJsonLines(path, [{ a: 2 }]);
    const { lines } = await readJsonLines(path);
    expect(lines.map((line) => line.value)).toContainEqual({ a: 2 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":\n{"a":2}\n');
  });
});
