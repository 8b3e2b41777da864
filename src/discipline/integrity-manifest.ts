import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, recordFileChange, sha256, writeFileAtomic } from '../shared/index.js';
import { INDEX_FILE, rootPaths } from '../store/index.js';

/** No such file, or a file where a folder should be (`.state` is not a folder): either way there is no manifest to read. */
function isAbsent(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * `.state/manifest.json` and `.state/manifest.jsonl`: the content hash of every topic and of
 * MEMORY.md as mnemo last wrote them. A file whose hash differs was changed outside mnemo: fine
 * for a person, but shown by `mnemo doctor` and scanned by the guard before its next use.
 *
 * A write appends one line per file it changed to the `.jsonl` log (O(changed)); the log is
 * folded into `manifest.json` once it outgrows it, so the cost of that rewrite is spread over as
 * many writes as the manifest has entries. The log replays over the base, line by line, so a
 * crash between the fold and the log's truncation changes nothing.
 */
export interface Manifest {
  v: 1;
  files: Record<string, string>;
}

interface LogLine {
  f: string;
  /** The hash, or null when the file is gone. */
  h: string | null;
  /** How the file came to be as recorded, when not written by mnemo here: `git` (a pull, a checkout, a rebase). */
  via?: 'git';
}

/** The log is folded into the base once it is larger than this and than the base. */
const FOLD_MIN_BYTES = 64 * 1024;

function manifestPath(root: string): string {
  return join(rootPaths(root).state, 'manifest.json');
}

function logPath(root: string): string {
  return join(rootPaths(root).state, 'manifest.jsonl');
}

function parseBase(text: string): Manifest | undefined {
  try {
    const value = JSON.parse(text) as Manifest;
    return value && typeof value.files === 'object' && value.files !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function replay(files: Record<string, string>, text: string): void {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: Partial<LogLine>;
    try {
      entry = JSON.parse(line) as Partial<LogLine>;
    } catch {
      continue;
    }
    if (typeof entry.f !== 'string') continue;
    if (typeof entry.h === 'string') files[entry.f] = entry.h;
    else delete files[entry.f];
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
}

/** The manifest, or undefined when mnemo has not recorded one yet (a folder it never wrote). */
export async function readManifest(root: string): Promise<Manifest | undefined> {
  const [baseText, logText] = await Promise.all([
    readText(manifestPath(root)).catch(() => undefined),
    readText(logPath(root)).catch(() => undefined),
  ]);
  const base = baseText === undefined ? undefined : parseBase(baseText);
  if (base === undefined && logText === undefined) return undefined;
  const manifest: Manifest = { v: 1, files: { ...(base?.files ?? {}) } };
  if (logText !== undefined) replay(manifest.files, logText);
  return manifest;
}

async function hashOf(path: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(path));
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Record the current hashes of these topic slugs (removed when the file is gone) and of MEMORY.md.
 * Under the memory lock. `known`: the hashes of what the caller just wrote (topics by slug, the
 * index), taken instead of reading those files back; the others are read.
 */
export async function recordInManifest(
  root: string,
  slugs: readonly string[],
  known: { topics?: ReadonlyMap<string, string>; index?: string } = {},
): Promise<void> {
  const lines: LogLine[] = [];
  for (const slug of new Set(slugs)) {
    lines.push({ f: `${slug}.md`, h: known.topics?.get(slug) ?? (await hashOf(join(root, `${slug}.md`))) ?? null });
  }
  const indexHash = known.index ?? (await hashOf(join(root, INDEX_FILE)));
  if (indexHash !== undefined) lines.push({ f: INDEX_FILE, h: indexHash });
  if (lines.length === 0) return;
  await appendFile(logPath(root), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  recordFileChange(logPath(root));
  const [logBytes, baseBytes] = await Promise.all([sizeOf(logPath(root)), sizeOf(manifestPath(root))]);
  if (logBytes > FOLD_MIN_BYTES && logBytes > baseBytes) await foldManifest(root);
}

/**
 * Record topics as they arrived through git (a teammate's write, pulled), with the hash of the
 * bytes the guard scanned. MEMORY.md is left alone. Under the memory lock.
 */
export async function recordArrivedInManifest(root: string, topics: readonly { slug: string; hash: string }[]): Promise<void> {
  if (topics.length === 0) return;
  const lines: LogLine[] = topics.map(({ slug, hash }) => ({ f: `${slug}.md`, h: hash, via: 'git' }));
  await appendFile(logPath(root), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  recordFileChange(logPath(root));
  const [logBytes, baseBytes] = await Promise.all([sizeOf(logPath(root)), sizeOf(manifestPath(root))]);
  if (logBytes > FOLD_MIN_BYTES && logBytes > baseBytes) await foldManifest(root);
}

/** Fold the log into `manifest.json` and empty the log. */
async function foldManifest(root: string): Promise<void> {
  const manifest = (await readManifest(root)) ?? { v: 1, files: {} };
  await writeFileAtomic(manifestPath(root), JSON.stringify(manifest, null, 1));
  await writeFileAtomic(logPath(root), '');
}

/** Whether a topic with this content hash is as mnemo wrote it. */
export function isRecorded(manifest: Manifest | undefined, slug: string, hash: string): boolean {
  return manifest?.files[`${slug}.md`] === hash;
}

/**
 * The manifest for a long-lived reader (recall screens every candidate against it): the base is
 * parsed again only when it was rewritten, and the log is read from where the last call stopped.
 */
export class ManifestReader {
  private readonly root: string;
  private baseStamp = '';
  private files: Record<string, string> = {};
  private offset = 0;
  private present = false;

  constructor(root: string) {
    this.root = root;
  }

  /** The recorded hash of a file (`slug.md`, `MEMORY.md`), undefined when none; and whether mnemo recorded a manifest at all. */
  read(): Manifest | undefined {
    let stamp = 'none';
    try {
      const stats = statSync(manifestPath(this.root), { bigint: true });
      stamp = `${stats.size}:${stats.mtimeNs}:${stats.ino}`;
    } catch (error) {
      if (!isAbsent(error)) throw error;
    }
    if (stamp !== this.baseStamp) this.reset(stamp);
    const logSeen = this.readLog();
    if (!this.present && !logSeen) return undefined;
    return { v: 1, files: this.files };
  }

  private reset(stamp: string): void {
    this.baseStamp = stamp;
    this.offset = 0;
    this.files = {};
    this.present = false;
    if (stamp === 'none') return;
    try {
      const descriptor = openSync(manifestPath(this.root), 'r');
      try {
        const buffer = Buffer.alloc(fstatSync(descriptor).size);
        readSync(descriptor, buffer, 0, buffer.length, 0);
        const base = parseBase(buffer.toString('utf8'));
        if (base) {
          this.files = { ...base.files };
          this.present = true;
        }
      } finally {
        closeSync(descriptor);
      }
    } catch (error) {
      if (!isAbsent(error)) throw error;
    }
  }

  /** Read the log's new lines; false when there is no log. */
  private readLog(): boolean {
    let descriptor: number;
    try {
      descriptor = openSync(logPath(this.root), 'r');
    } catch (error) {
      if (isAbsent(error)) return false;
      throw error;
    }
    try {
      const size = fstatSync(descriptor).size;
      if (size < this.offset) {
        // Folded and emptied since: start again from the base.
        const stamp = this.baseStamp;
        this.baseStamp = '';
        this.reset(stamp);
      }
      if (size > this.offset) {
        const buffer = Buffer.alloc(size - this.offset);
        readSync(descriptor, buffer, 0, buffer.length, this.offset);
        const end = buffer.lastIndexOf(0x0a);
        if (end >= 0) {
          replay(this.files, buffer.subarray(0, end).toString('utf8'));
          this.offset += end + 1;
        }
      }
      return true;
    } finally {
      closeSync(descriptor);
    }
  }
}
