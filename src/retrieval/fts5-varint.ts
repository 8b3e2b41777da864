/** SQLite's varints, as FTS5 writes them in its records and pages. */

/** Decode one SQLite varint (the format of FTS5's size, averages and structure records). */
export function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let index = 0; index < 9; index += 1) {
    const byte = bytes[at + index];
    if (byte === undefined) return [Number.NaN, at + index];
    if (index === 8) return [value * 256 + byte, at + 9];
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, at + index + 1];
  }
  return [value, at + 9];
}

/** The sum of the varints from `at` on: a row's length from its FTS5 size record (one count per column). */
export function sumVarints(bytes: Uint8Array, at = 0): number {
  let total = 0;
  while (at < bytes.length) {
    const [value, next] = readVarint(bytes, at);
    total += value;
    at = next;
  }
  return total;
}
