import type Database from 'better-sqlite3';
import { readVarint } from './fts5-varint.js';
import { StatementCache } from './statement-cache.js';

/**
 * One token's postings read straight from an FTS5 table's pages (`<table>_data`, the format
 * described at the top of SQLite's fts5_index.c), for term columns (term-columns.ts): the rows
 * that have the token, ascending, and its column-weighted count in each. fts5vocab's `instance`
 * table gives the same answer a row per position, through the virtual-table machinery: ~0.7 µs
 * per posting, 70 ms for a token in every row of 100k; decoding the pages here costs a few.
 *
 * What is read, as FTS5 reads it for a query of the token:
 * - the structure record (id 10): the segments, level 0 first, each level's newest first;
 * - in each segment, the leaf page the token's doclist starts on (`<table>_idx`, the segment's
 *   b-tree of first terms), then the doclist through the following pages: an absolute rowid,
 *   then for each entry a position-list size (bytes × 2, plus 1 for the delete flag) and the
 *   position list (a 0x01 byte and a column number start each column after the first; every
 *   other varint is a position), then a rowid delta; a doclist that goes on to the next page
 *   starts there again with an absolute rowid at the offset in the page header;
 * - for a rowid in more than one segment the first segment in that order wins; an entry with an
 *   empty position list (a delete) means the row does not have the token.
 *
 * Anything else (a V2 structure of a contentless-delete table, rowids beyond 32 bits, a page or
 * term where none should be) answers undefined, and the caller asks fts5vocab. The caller must
 * hold one read snapshot for the whole read, with no FTS5 writes of its own pending in it: they
 * live in FTS5's in-memory hash, not in the pages, until the transaction commits or something
 * flushes them (opening an fts5vocab cursor does; nothing here relies on it).
 */

/** The main index's terms start with this byte in the pages (prefix indexes use others). */
const MAIN_INDEX = 0x30;
/** The structure record's id in `<table>_data`. */
const STRUCTURE_ID = 10n;
/** A leaf's id: segment id above the 31 page bits, the height bits and the doclist-index bit. */
const SEGMENT_SHIFT = 37n;
/** The first bytes after the cookie of a V2 structure (contentless_delete tables, with tombstones). */
const STRUCTURE_V2 = [0xff, 0x00, 0x00, 0x01];

export interface Postings {
  rowids: Int32Array;
  freqs: Float32Array;
}

interface Segment {
  id: number;
  first: number;
  last: number;
}

/** A doclist unlike FTS5's layout: the caller falls back to fts5vocab. */
class NotReadable extends Error {}

function fail(): never {
  throw new NotReadable();
}

function u16(page: Uint8Array, at: number): number {
  return (page[at]! << 8) | page[at + 1]!;
}

/** One varint, failing on a truncated one. */
function varint(bytes: Uint8Array, at: number): [value: number, next: number] {
  const [value, next] = readVarint(bytes, at);
  if (Number.isNaN(value) || next > bytes.length) fail();
  return [value, next];
}

/** Where the first term on a page starts (the first varint of its footer), or past its end when it has none. */
function firstTermAt(page: Uint8Array, size: number): number {
  return size < page.length ? varint(page, size)[0] : page.length + 1;
}

/** The segments in FTS5's order of precedence: level 0 first, and in each level the newest first. */
function segmentsOf(structure: Uint8Array): Segment[] {
  if (structure.length < 5) fail();
  if (STRUCTURE_V2.every((byte, index) => structure[4 + index] === byte)) fail();
  const [levels, afterLevels] = varint(structure, 4);
  const [total, afterTotal] = varint(structure, afterLevels);
  let [, at] = varint(structure, afterTotal); // the write counter
  let seen = 0;
  const ordered: Segment[] = [];
  for (let level = 0; level < levels; level += 1) {
    let count: number;
    [, at] = varint(structure, at); // segments in an ongoing merge
    [count, at] = varint(structure, at);
    const segments: Segment[] = [];
    seen += count;
    for (let index = 0; index < count; index += 1) {
      let id: number;
      let first: number;
      let last: number;
      [id, at] = varint(structure, at);
      [first, at] = varint(structure, at);
      [last, at] = varint(structure, at);
      if (id <= 0 || id > 0xffff || last < first) fail();
      // Page 0: the output of a merge still in progress, with no leaf yet (FTS5 skips it too).
      if (first > 0) segments.push({ id, first, last });
      else if (last !== 0) fail();
    }
    ordered.push(...segments.reverse());
  }
  if (seen !== total) fail();
  return ordered;
}

/** One segment's entries for the term, or a merge of several: rowids ascending, counts (-1: deleted there). */
export interface Entries {
  rowids: ArrayLike<number>;
  freqs: ArrayLike<number>;
}

/** Entries being read: grown as they come. */
interface ReadEntries {
  rowids: number[];
  freqs: number[];
}

export class Fts5Pages {
  private cache: StatementCache | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
  ) {}

  private statement(sql: string): Database.Statement {
    return (this.cache ??= new StatementCache(this.db)).get(sql);
  }

  /**
   * The token's postings, each row's count weighted by `weights` (by column number; 1 beyond
   * them); undefined when the pages are not as this reader knows them. Inside a read snapshot.
   */
  postings(token: string, weights: readonly number[]): Postings | undefined {
    try {
      const structure = this.statement(`SELECT block FROM ${this.table}_data WHERE id = ?`).pluck().get(STRUCTURE_ID) as
        Uint8Array | undefined;
      if (structure === undefined) return { rowids: new Int32Array(0), freqs: new Float32Array(0) };
      const term = Buffer.concat([Buffer.of(MAIN_INDEX), Buffer.from(token, 'utf8')]);
      // Merged from the most precedent segment to the least: each older one fills in the rowids
      // the newer ones do not have (an older segment is usually the larger, so each merge costs
      // about what it adds).
      let merged: Entries = { rowids: [], freqs: [] };
      for (const segment of segmentsOf(structure)) {
        const older = this.segmentEntries(segment, term, weights);
        if (older.rowids.length > 0) merged = mergeOlder(merged, older);
      }
      return withoutDeleted(merged);
    } catch (error) {
      if (error instanceof NotReadable) return undefined;
      throw error;
    }
  }

  /** The segment's entries for the term (none when it is not there). */
  private segmentEntries(segment: Segment, term: Buffer, weights: readonly number[]): ReadEntries {
    const entries: ReadEntries = { rowids: [], freqs: [] };
    const found = this.statement(`SELECT pgno FROM ${this.table}_idx WHERE segid = ? AND term <= ? ORDER BY term DESC LIMIT 1`)
      .pluck()
      .get(segment.id, term) as number | undefined;
    const start = Math.max(segment.first, found === undefined ? 0 : Math.floor(found / 2));
    const base = BigInt(segment.id) << SEGMENT_SHIFT;
    const rows = this.statement(`SELECT id, block FROM ${this.table}_data WHERE id >= ? AND id <= ? ORDER BY id`)
      .raw()
      .iterate(base + BigInt(start), base + BigInt(segment.last)) as IterableIterator<[number, Uint8Array]>;
    let expected = start;
    const nextPage = (): Uint8Array | undefined => {
      const next = rows.next();
      if (next.done === true) return undefined;
      const [id, page] = next.value;
      if (id !== Number(base) + expected || page.length < 4) fail();
      expected += 1;
      if (u16(page, 2) > page.length || u16(page, 2) < 4) fail();
      return page;
    };
    try {
      let page = nextPage();
      if (page === undefined) fail();
      // The term on its page: the first term is whole, each next one shares a prefix with the one before.
      let size = u16(page, 2);
      if (size >= page.length) fail(); // no term on the page the b-tree points at
      let footer = size;
      let termAt: number;
      [termAt, footer] = varint(page, footer);
      let current = Buffer.alloc(0);
      let at = -1;
      let end = page.length + 1;
      for (let first = true; ; first = false) {
        let keep = 0;
        let offset = termAt;
        if (!first) [keep, offset] = varint(page, offset);
        const [fresh, termBytes] = varint(page, offset);
        offset = termBytes;
        if (keep > current.length || fresh === 0 || offset + fresh > size) fail();
        current = Buffer.concat([current.subarray(0, keep), page.subarray(offset, offset + fresh)]);
        const order = Buffer.compare(current, term);
        if (order > 0) return entries;
        const hasNext = footer < page.length;
        let nextTermAt = page.length + 1;
        if (hasNext) {
          let delta: number;
          [delta, footer] = varint(page, footer);
          nextTermAt = termAt + delta;
        }
        if (order === 0) {
          at = offset + fresh;
          end = nextTermAt;
          break;
        }
        if (!hasNext) return entries;
        termAt = nextTermAt;
      }
      // The doclist: its first rowid may be on the next page (a term that ends its page).
      while (at >= size) {
        page = nextPage();
        if (page === undefined) fail();
        size = u16(page, 2);
        at = 4;
        end = firstTermAt(page, size);
      }
      let rowid: number;
      [rowid, at] = varint(page, at);
      for (;;) {
        if (rowid >= 2 ** 31) fail();
        // Sizes and deltas are mostly one byte: read those without the general decoder.
        let sizeField = page[at] ?? 0x80;
        if (sizeField < 0x80) at += 1;
        else [sizeField, at] = varint(page, at);
        let left = Math.floor(sizeField / 2);
        const empty = left === 0;
        // The position list, over as many pages as it takes.
        let f = 0;
        let column = 0;
        let pending: 'none' | 'position' | 'column' = 'none';
        let columnValue = 0;
        let moved = false;
        while (left > 0) {
          if (at >= size) {
            page = nextPage();
            if (page === undefined) fail();
            size = u16(page, 2);
            at = 4;
            moved = true;
            continue;
          }
          // One byte at a time: a varint may end on the next page.
          const byte = page[at]!;
          at += 1;
          left -= 1;
          if (pending === 'column') {
            columnValue = columnValue * 128 + (byte & 0x7f);
            if ((byte & 0x80) === 0) {
              column = columnValue;
              pending = 'none';
            }
            continue;
          }
          if (pending === 'position') {
            if ((byte & 0x80) === 0) pending = 'none';
            continue;
          }
          if (byte === 0x01) {
            pending = 'column';
            columnValue = 0;
            continue;
          }
          // A position: counted once, at its first byte.
          f += weights[column] ?? 1;
          if ((byte & 0x80) !== 0) pending = 'position';
        }
        if (pending !== 'none') fail();
        entries.rowids.push(rowid);
        entries.freqs.push(empty ? -1 : f);
        // The next entry: a delta on this page, or an absolute rowid on a later one.
        if (moved) {
          // A position list that went on to this page: what follows is the header's rowid, or a term.
          end = firstTermAt(page, size);
        }
        const onPage = at < size && (!moved || u16(page, 0) === at);
        if (onPage) {
          if (at >= end) return entries; // the next term
          if (moved) {
            [rowid, at] = varint(page, at);
          } else {
            let delta = page[at]!;
            if (delta < 0x80) at += 1;
            else [delta, at] = varint(page, at);
            if (delta <= 0) fail();
            rowid += delta;
          }
          continue;
        }
        if (moved && at < size) {
          // Neither a rowid nor the first term where the list ended: not a layout this reads.
          if (!(size < page.length && end === at)) fail();
          return entries;
        }
        // The doclist goes on to a later page, at the offset in its header, unless a term comes first.
        let next: number | undefined;
        for (;;) {
          page = nextPage();
          if (page === undefined) return entries;
          size = u16(page, 2);
          const rowidAt = u16(page, 0);
          if (rowidAt !== 0 && rowidAt < size) {
            next = rowidAt;
            break;
          }
          if (size < page.length) return entries; // a term before any rowid: the doclist ended
        }
        end = firstTermAt(page, size);
        [rowid, at] = varint(page, next);
      }
    } finally {
      rows.return?.();
    }
  }
}

/** The entries that are postings (a count above 0), as arrays of their own. */
export function withoutDeleted(entries: Entries): Postings {
  let count = 0;
  for (let index = 0; index < entries.freqs.length; index += 1) if (entries.freqs[index]! > 0) count += 1;
  const rowids = new Int32Array(count);
  const freqs = new Float32Array(count);
  let at = 0;
  for (let index = 0; index < entries.rowids.length; index += 1) {
    const f = entries.freqs[index]!;
    if (f <= 0) continue;
    rowids[at] = entries.rowids[index]!;
    freqs[at] = f;
    at += 1;
  }
  return { rowids, freqs };
}

/** `newer` with `older`'s entries for the rowids it lacks (for a rowid in both, the newer wins); both ascending. */
export function mergeOlder(newer: Entries, older: Entries): Entries {
  if (newer.rowids.length === 0) return older;
  const rowids = new Int32Array(newer.rowids.length + older.rowids.length);
  const freqs = new Float32Array(rowids.length);
  let a = 0;
  let b = 0;
  let at = 0;
  while (a < newer.rowids.length && b < older.rowids.length) {
    const left = newer.rowids[a]!;
    const right = older.rowids[b]!;
    if (left <= right) {
      rowids[at] = left;
      freqs[at] = newer.freqs[a]!;
      a += 1;
      if (left === right) b += 1;
    } else {
      rowids[at] = right;
      freqs[at] = older.freqs[b]!;
      b += 1;
    }
    at += 1;
  }
  for (; a < newer.rowids.length; a += 1, at += 1) {
    rowids[at] = newer.rowids[a]!;
    freqs[at] = newer.freqs[a]!;
  }
  for (; b < older.rowids.length; b += 1, at += 1) {
    rowids[at] = older.rowids[b]!;
    freqs[at] = older.freqs[b]!;
  }
  return { rowids: rowids.subarray(0, at), freqs: freqs.subarray(0, at) };
}
