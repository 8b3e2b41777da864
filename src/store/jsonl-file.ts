import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode, makeDirectory, quoteExcerpt, recordFileChange } from '../shared/index.js';

/**
 * Append JSON lines with one write (O_APPEND). If the file ends in a partial line (a crash
 * mid-append), a newline is written first so the new lines stay readable.
 */
export async function appendJsonLines(path: string, values: readonly unknown[]): Promise<void> {
  if (values.length === 0) return;
  const text = values.map((value) => `${JSON.stringify(value)}\n`).join('');
  // One open for the check of the last byte and the append (a recall appends to the usage log).
  let handle;
  try {
    handle = await open(path, 'a+');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    await makeDirectory(dirname(path));
    handle = await open(path, 'a+');
  }
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(prefix + text, 'utf8');
  } finally {
    await handle.close();
    recordFileChange(path);
  }
}

export interface JsonLine {
  value: unknown;
  /** 1-based line number in the file. */
  line: number;
}

export interface JsonLinesRead {
  lines: JsonLine[];
  problems: { line: number; message: string }[];
  /** Byte offset after the last complete line read. */
  nextOffset: number;
  /** The line number the next complete line will have. */
  nextLine: number;
}

/**
 * Read complete JSON lines from byte `offset` on. A trailing line without newline is left for
 * later (it may still be being written); a line that is not JSON is reported and skipped.
 */
export async function readJsonLines(path: string, offset = 0, firstLine = 1): Promise<JsonLinesRead> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { lines: [], problems: [], nextOffset: 0, nextLine: 1 };
    throw error;
  }
  const lines: JsonLine[] = [];
  const problems: JsonLinesRead['problems'] = [];
  let start = Math.min(offset, buffer.length);
  let lineNumber = firstLine;
  for (;;) {
    const end = buffer.indexOf(0x0a, start);
    if (end === -1) break;
    const text = buffer.subarray(start, end).toString('utf8').trim();
    if (text !== '') {
      try {
        lines.push({ value: JSON.parse(text) as unknown, line: lineNumber });
      } catch {
        problems.push({ line: lineNumber, message: `not a JSON line (${quoteExcerpt(text, 40)})` });
      }
    }
    lineNumber += 1;
    start = end + 1;
  }
  return { lines, problems, nextOffset: start, nextLine: lineNumber };
}
