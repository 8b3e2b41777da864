import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { PoolClient } from 'pg';
import {
  MnemoError,
  errnoCode,
  makeDirectory,
  randomToken,
  sha256,
  tryAcquireLock,
  watchFileChanges,
  type LockHandle,
} from '../shared/index.js';
import { openPostgresStore, redactDatabaseUrl, type PostgresStore } from './postgres-store.js';
import { INDEX_FILE } from './memory-root.js';

/*
 * A replicated working copy of a PostgreSQL memory. The engine (discipline, recall, dream, the
 * guard) works on files in a memory root; for a memory that lives in PostgreSQL, that root is a
 * local copy in mnemo's cache, kept in step with the database:
 *
 * - every change in the database (topics, tombstones, transcripts, MEMORY.md and the engine's
 *   state files) takes the next number of one counter (`mnemo_replica_head`, migration 3); a copy
 *   that has seen every change up to N pulls the rows numbered above N and writes them as files;
 * - a write runs inside one PostgreSQL transaction under a fleet-wide advisory lock: pull what
 *   others wrote, let the engine change the local files, push every file that changed (topic rows
 *   with their versions and search terms, transcript lines, state files), commit. Two machines
 *   never interleave their writes, and a writer that dies mid-way commits nothing: its copy is
 *   marked dirty first and rebuilt from the database when it is next opened;
 * - a copy pulls before every call, so a write through one server is seen by the next call on
 *   any other; `watch` (LISTEN) pulls as soon as others commit.
 *
 * What stays local to each copy (derived or per machine): the search index and any other SQLite
 * database in `.state/`, file locks, the crash journal, the write counter, usage counts.
 */

/** Second key of the fleet writer lock (the same two-key space as the store's named locks). */
const LOCK_NAMED = 3;
const WRITER_LOCK = 'replica-write';

/** Paths under `.state/` that are derived or belong to one machine: never pushed, never pulled. */
const LOCAL_STATE = [
  /^\.state\/[^/]*\.db(-wal|-shm|-journal)?$/,
  /^\.state\/(locks|journal|daemon|worktrees|claude-code)(\/|$)/,
  /^\.state\/(writes|usage\.jsonl|recall-usage\.json|claude-code-imports\.json)$/,
  /\.tmp$|\.\d+$|\.stale-/,
];
/** Files of the copy's root that are not the memory (the copy's own .gitignore, a config). */
const LOCAL_ROOT = new Set(['.gitignore', 'mnemo.config.json']);

type Row =
  | { kind: 'topic'; slug: string }
  | { kind: 'document'; name: string }
  | { kind: 'transcript'; name: string }
  | { kind: 'state'; path: string };

/** Which table a file of the copy goes to; undefined for files that stay local. */
export function replicaRowOf(path: string): Row | undefined {
  if (LOCAL_ROOT.has(path)) return undefined;
  if (LOCAL_STATE.some((pattern) => pattern.test(path))) return undefined;
  if (path === INDEX_FILE) return { kind: 'document', name: INDEX_FILE };
  const topic = /^([A-Za-z0-9][A-Za-z0-9._-]*)\.md$/.exec(path);
  if (topic?.[1] && !topic[1].includes('..')) return { kind: 'topic', slug: topic[1] };
  const transcript = /^sessions\/([A-Za-z0-9][A-Za-z0-9._-]{0,120}\.jsonl)$/.exec(path);
  if (transcript?.[1]) return { kind: 'transcript', name: transcript[1] };
  if (path.includes('..') || path.startsWith('/')) return undefined;
  return { kind: 'state', path };
}

interface FileStamp {
  size: number;
  mtimeNs: bigint;
  ino: bigint;
  /** sha256 of the bytes when known (written or read by the replica). */
  hash?: string;
}

interface ReplicaState {
  v: 1;
  memoryId: string;
  /** Every change numbered up to this is in the copy. */
  seq: number;
  /** Set before the engine changes files, cleared once they are committed (or put back): a copy found dirty is rebuilt. */
  dirty: boolean;
  /** The machine's boot when written (Linux). */
  boot?: string | undefined;
}

export interface PostgresReplicaOptions {
  url: string;
  /** The environment (XDG_CACHE_HOME, HOME) that picks the cache folder. */
  env: NodeJS.ProcessEnv;
  /** Base folder of the copies (default: mnemo's cache, `$XDG_CACHE_HOME/mnemo/postgres` or `~/.cache/mnemo/postgres`). */
  cacheDir?: string;
  /** Create or upgrade the schema when behind (default false). */
  migrate?: boolean;
  connectTimeoutMs?: number;
  /** LISTEN for other processes' commits and pull them at once, in the background (long-lived processes). */
  listen?: boolean;
}

export interface ReplicaPullReport {
  /** Files written or removed in the copy. */
  files: number;
  topics: string[];
  seq: number;
}

export interface ReplicaPushReport {
  topics: string[];
  transcripts: string[];
  state: number;
  /** Files and folders of the copy stated to find what the change touched (not the whole copy). */
  checked?: number;
}

export interface PostgresReplica {
  /** The working copy's memory root (in mnemo's cache). */
  readonly root: string;
  /** The database, without its password. */
  readonly location: string;
  readonly store: PostgresStore;
  /** Bring the copy up to date with the database; cheap when nothing changed (one query). */
  pull(): Promise<ReplicaPullReport>;
  /** Pull, then run `work` (serialized with every other call of this process). */
  read<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Run a change: under the fleet writer lock, inside one transaction, pull, run `work` on the
   * copy, push the files it changed, commit. Files it changed are pushed even when `work`
   * throws (a quarantined write leaves its record); when the push fails nothing is committed
   * and the copy is put back from the database.
   */
  write<T>(work: () => Promise<T>): Promise<T>;
  /** Pull whenever another process commits (LISTEN); returns the way to stop. */
  watch(onPulled?: (report: ReplicaPullReport) => void): Promise<() => Promise<void>>;
  /**
   * Wrap every pull that brings changes (e.g. to tell a search index which topics changed, instead
   * of letting it take them for edits made outside mnemo and scan everything).
   */
  setPullHook(hook: (apply: () => Promise<ReplicaPullReport>) => Promise<ReplicaPullReport>): void;
  /** The last push (for reports and tests). */
  lastPush(): ReplicaPushReport | undefined;
  close(): Promise<void>;
}

/** mnemo's cache folder for working copies of PostgreSQL memories. */
export function replicaCacheBase(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return join(resolve(xdg), 'mnemo', 'postgres');
  return join(env.HOME || env.USERPROFILE || homedir(), '.cache', 'mnemo', 'postgres');
}

/** A folder of the copy as last seen: its stamp and the replicated names in it (files and folders). */
interface FolderStamp {
  mtimeNs: bigint;
  names: Set<string>;
  /** Its stamp was taken within a clock tick of a change in it: the next check lists it anyway (as git does for racy entries). */
  racy: boolean;
}

/** A folder stamp taken this close (ns) to its change may miss a later change in the same tick of the file system's clock. */
const RACY_NS = 100_000_000n;
/** A folder with at most this many entries has every file checked when its stamp moves (catches a file replaced by hand). */
const SMALL_FOLDER = 256;
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

const isLocalFolder = (path: string): boolean => LOCAL_STATE.some((pattern) => pattern.test(`${path}/`));

/** The parent folder of a copy path ('' for the root). */
const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * The copy's replicated files with their stamps, and its folders, from `start` down (synchronous
 * calls: thousands of stats, no thread-pool round trip each).
 */
function walk(root: string, start = ''): { files: Map<string, FileStamp>; folders: Map<string, FolderStamp> } {
  const found = new Map<string, FileStamp>();
  const folders = new Map<string, FolderStamp>();
  function visit(prefix: string): void {
    const folder = prefix === '' ? root : join(root, ...prefix.split('/'));
    let entries;
    let mtimeNs: bigint;
    try {
      mtimeNs = lstatSync(folder, { bigint: true }).mtimeNs;
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
      throw error;
    }
    const names = new Set<string>();
    folders.set(prefix, { mtimeNs, names, racy: nowNs() - mtimeNs < RACY_NS });
    for (const entry of entries) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (isLocalFolder(path)) continue;
        names.add(entry.name);
        visit(path);
      } else if (entry.isFile()) {
        if (replicaRowOf(path) === undefined) continue;
        try {
          const stat = lstatSync(join(folder, entry.name), { bigint: true });
          found.set(path, { size: Number(stat.size), mtimeNs: stat.mtimeNs, ino: stat.ino });
          names.add(entry.name);
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw error;
        }
      }
    }
  }
  visit(start);
  return { files: found, folders };
}

/** This boot of the machine (Linux): a copy written before a reboot may have lost unsynced files, so it is rebuilt. */
function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;

/** Split transcript bytes back from rows: lines joined by newlines, a final one when the file had it. */
function joinLines(lines: readonly Buffer[], trailingNewline: boolean): Buffer {
  const parts: Buffer[] = [];
  const newline = Buffer.from('\n');
  lines.forEach((line, index) => {
    parts.push(line);
    if (index < lines.length - 1 || trailingNewline) parts.push(newline);
  });
  return Buffer.concat(parts);
}

/** Open (or create) this process's working copy of the memory at `url`, up to date. */
export async function openPostgresReplica(options: PostgresReplicaOptions): Promise<PostgresReplica> {
  const store = await openPostgresStore({
    url: options.url,
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    poolSize: 3,
  });
  const { pool } = store.internals;
  let memoryId: string;
  try {
    const head = await pool.query<{ memory_id: string }>('SELECT memory_id FROM mnemo_replica_head WHERE id = 1');
    memoryId = head.rows[0]?.memory_id ?? 'unknown';
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const base = join(
    options.cacheDir ?? replicaCacheBase(options.env),
    sha256(`${redactDatabaseUrl(options.url)}\n${memoryId}`).slice(0, 16),
  );

  // One copy per process: take the first slot no live process holds (a dead one's copy is reused).
  let slot: { dir: string; lock: LockHandle } | undefined;
  for (let index = 0; index < 64 && slot === undefined; index += 1) {
    const dir = join(base, String(index));
    const attempt = await tryAcquireLock(join(base, `${index}.lock`), { purpose: 'working copy', staleMs: Number.MAX_SAFE_INTEGER });
    if (attempt.acquired) slot = { dir, lock: attempt.handle };
  }
  if (slot === undefined) {
    await store.close().catch(() => undefined);
    throw new MnemoError('lock-timeout', `64 processes already hold working copies of ${store.location} in ${base}.`, {
      hint: 'Stop some of them, or give this process its own cache (XDG_CACHE_HOME).',
    });
  }
  const { dir, lock } = slot;
  const root = join(dir, 'memory');
  const statePath = join(dir, 'replica.json');

  let state: ReplicaState | undefined;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as ReplicaState;
  } catch {
    state = undefined;
  }
  const boot = bootId();
  if (state === undefined || state.v !== 1 || state.memoryId !== memoryId || state.dirty || state.boot !== boot) {
    // No copy, another memory's, one a writer left mid-change, or one from before a reboot: start from the database alone.
    await rm(root, { recursive: true, force: true });
    state = { v: 1, memoryId, seq: 0, dirty: false, boot };
  }
  await mkdir(join(root, 'sessions'), { recursive: true });
  await mkdir(join(root, '.state'), { recursive: true });
  await writeFile(join(root, '.gitignore'), '.state/\n');

  let current: ReplicaState = state;
  const saveState = async (next: ReplicaState): Promise<void> => {
    current = next;
    // No fsync: a torn file does not parse, and a copy whose state cannot be read is rebuilt.
    await writeFile(statePath, JSON.stringify(next));
  };
  /** What the copy's files were after the last pull or push: a file that differs now was changed by the engine. */
  const seen = walk(root);
  const known = seen.files;
  /** The copy's folders as last seen: a folder whose stamp moved is listed to find files created or removed in it. */
  const folders = seen.folders;
  /** Files that writers of this process reported changed in place since the last push (relative paths). */
  const reported = new Set<string>();
  const stopReports = watchFileChanges(root, (path) =>
    reported.add(
      path
        .slice(root.length + 1)
        .split(sep)
        .join('/'),
    ),
  );
  /** Folders the replica itself wrote in: their stamps are taken again once it is done. */
  const touched = new Set<string>();
  let pushed: ReplicaPushReport | undefined;
  let pullHook: ((apply: () => Promise<ReplicaPullReport>) => Promise<ReplicaPullReport>) | undefined;

  const fileOf = (path: string): string => (path === '' ? root : join(root, ...path.split('/')));

  /** Record that the replica created (or removed) the file at `path`: the folder records follow. */
  function noteName(path: string, present: boolean): void {
    let child = path;
    let folder = parentOf(path);
    for (;;) {
      let record = folders.get(folder);
      if (record === undefined) folders.set(folder, (record = { mtimeNs: 0n, names: new Set(), racy: true }));
      if (present) record.names.add(baseOf(child));
      else record.names.delete(baseOf(child));
      touched.add(folder);
      if (!present || folder === '') return;
      child = folder;
      folder = parentOf(folder);
    }
  }

  /** Take the stamps of the folders the replica wrote in (their changes are its own, already known). */
  function settleFolders(): void {
    for (const folder of touched) {
      const record = folders.get(folder);
      if (record === undefined) continue;
      try {
        record.mtimeNs = lstatSync(fileOf(folder), { bigint: true }).mtimeNs;
        record.racy = nowNs() - record.mtimeNs < RACY_NS;
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        folders.delete(folder);
      }
    }
    touched.clear();
  }

  /** Forget a folder that is gone, and everything under it: its files are returned as candidates (removed). */
  function dropFolder(prefix: string, candidates: Set<string>): void {
    for (const key of [...folders.keys()]) if (key === prefix || key.startsWith(`${prefix}/`)) folders.delete(key);
    for (const path of known.keys()) if (path.startsWith(`${prefix}/`)) candidates.add(path);
  }

  /**
   * The files the engine changed since the last pull or push, without listing the whole copy:
   * the files writers reported (changed in place), and in every folder whose stamp moved, the
   * names that appeared or went away (all of its files when it is small). Counts the stats.
   */
  function detectChanges(): {
    changes: { path: string; content: Buffer | undefined }[];
    now: Map<string, FileStamp | undefined>;
    checked: number;
  } {
    const candidates = new Set<string>();
    let checked = 0;
    for (const [prefix, record] of [...folders]) {
      if (folders.get(prefix) !== record) continue; // dropped (or replaced) above
      let mtimeNs: bigint;
      try {
        mtimeNs = lstatSync(fileOf(prefix), { bigint: true }).mtimeNs;
        checked += 1;
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw error;
        dropFolder(prefix, candidates);
        continue;
      }
      if (mtimeNs === record.mtimeNs && !record.racy) continue;
      const entries = readdirSync(fileOf(prefix), { withFileTypes: true });
      const small = entries.length <= SMALL_FOLDER;
      const names = new Set<string>();
      let kept = 0;
      for (const entry of entries) {
        const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        // In a large folder (the copy's top folder holds every topic) a name already known as the
        // same kind of entry is the same file or folder: only the new names are classified.
        if (!small && record.names.has(entry.name) && entry.isDirectory() === folders.has(path)) {
          kept += 1;
          continue;
        }
        if (entry.isDirectory()) {
          if (isLocalFolder(path)) continue;
          names.add(entry.name);
          if (!folders.has(path)) {
            if (record.names.has(entry.name)) candidates.add(path); // was a file
            const sub = walk(root, path);
            for (const [key, value] of sub.folders) folders.set(key, value);
            for (const file of sub.files.keys()) candidates.add(file);
            checked += sub.files.size + sub.folders.size;
          }
        } else if (entry.isFile() && replicaRowOf(path) !== undefined) {
          names.add(entry.name);
          if (folders.has(path)) dropFolder(path, candidates); // was a folder
          if (small || !record.names.has(entry.name)) candidates.add(path);
        }
      }
      const gone = (name: string): void => {
        const path = prefix === '' ? name : `${prefix}/${name}`;
        if (folders.has(path)) dropFolder(path, candidates);
        else candidates.add(path);
      };
      if (small) {
        for (const name of record.names) if (!names.has(name)) gone(name);
        record.names = names;
      } else {
        // Every known name still listed was counted in `kept`; fewer means some went away.
        if (kept + [...names].filter((name) => record.names.has(name)).length < record.names.size) {
          const listed = new Set(entries.map((entry) => entry.name));
          for (const name of [...record.names]) {
            if (listed.has(name)) continue;
            gone(name);
            record.names.delete(name);
          }
        }
        for (const name of names) record.names.add(name);
      }
      record.mtimeNs = mtimeNs;
      record.racy = nowNs() - mtimeNs < RACY_NS;
    }
    for (const path of reported) if (replicaRowOf(path) !== undefined) candidates.add(path);
    reported.clear();
    const now = new Map<string, FileStamp | undefined>();
    const changes: { path: string; content: Buffer | undefined }[] = [];
    for (const path of candidates) {
      const before = known.get(path);
      let stamp: FileStamp | undefined;
      let content: Buffer | undefined;
      try {
        const stat = lstatSync(fileOf(path), { bigint: true });
        checked += 1;
        if (stat.isFile()) {
          stamp = { size: Number(stat.size), mtimeNs: stat.mtimeNs, ino: stat.ino };
          if (before === undefined || !sameStamp(before, stamp)) content = readFileSync(fileOf(path));
        }
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw error;
      }
      if (stamp === undefined) {
        now.set(path, undefined);
        if (before !== undefined) changes.push({ path, content: undefined });
        continue;
      }
      if (content === undefined) continue; // the same stamp: unchanged
      const hash = sha256(content);
      now.set(path, { ...stamp, hash });
      if (before?.hash !== hash) changes.push({ path, content });
    }
    return { changes, now, checked };
  }

  async function putFile(path: string, content: Buffer | undefined): Promise<boolean> {
    const file = fileOf(path);
    if (!file.startsWith(root + sep)) return false;
    if (content === undefined) {
      try {
        await unlink(file);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        known.delete(path);
        noteName(path, false);
        return false;
      }
      known.delete(path);
      noteName(path, false);
      return true;
    }
    const hash = sha256(content);
    const before = known.get(path);
    if (before?.hash === hash) return false;
    if (before !== undefined && before.hash === undefined) {
      const bytes = await readFile(file).catch(() => undefined);
      if (bytes !== undefined && sha256(bytes) === hash) {
        known.set(path, { ...before, hash });
        return false;
      }
    }
    // Atomic against a crash of this process (temp file, rename), not fsynced: the database is the
    // memory; a copy from before a reboot is rebuilt (its state names the boot).
    const temp = `${file}.${randomToken(6)}.tmp`;
    await makeDirectory(dirname(file));
    await writeFile(temp, content);
    await rename(temp, file);
    const stat = await lstat(file, { bigint: true });
    known.set(path, { size: Number(stat.size), mtimeNs: stat.mtimeNs, ino: stat.ino, hash });
    noteName(path, true);
    return true;
  }

  const readHead = async (client: PoolClient): Promise<number> =>
    Number((await client.query<{ rev: string }>('SELECT rev FROM mnemo_replica_head WHERE id = 1')).rows[0]?.rev ?? 0);

  /**
   * Apply every change numbered above the copy's to its files, reading in one snapshot. Outside a
   * write, a copy that is current costs one statement (the head, read outside a transaction); the
   * snapshot is opened only when there are rows to read. Inside a write, `lockedRev` is the head
   * the write read with its row lock (nothing can be numbered above it until that commits).
   */
  async function pullWith(client: PoolClient, lockedRev?: number): Promise<ReplicaPullReport> {
    const report: ReplicaPullReport = { files: 0, topics: [], seq: current.seq };
    if (lockedRev !== undefined) {
      if (lockedRev <= current.seq) return report;
      return (pullHook ?? ((apply) => apply()))(() => applyRows(client, lockedRev, report));
    }
    if ((await readHead(client)) <= current.seq) return report;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      // Again in the snapshot: the rows read below are exactly those numbered up to it.
      const rev = await readHead(client);
      if (rev <= current.seq) return report;
      return await (pullHook ?? ((apply) => apply()))(() => applyRows(client, rev, report));
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
  }

  async function applyRows(client: PoolClient, rev: number, report: ReplicaPullReport): Promise<ReplicaPullReport> {
    {
      const since = current.seq;
      const topics = await client.query<{ slug: string; content: Buffer | null; deleted: boolean }>(
        'SELECT slug, content, deleted FROM mnemo_topics WHERE seq > $1 AND seq <= $2',
        [since, rev],
      );
      for (const row of topics.rows) {
        if (await putFile(`${row.slug}.md`, row.deleted || row.content === null ? undefined : row.content)) {
          report.files += 1;
          report.topics.push(row.slug);
        }
      }
      const documents = await client.query<{ name: string; content: Buffer }>(
        'SELECT name, content FROM mnemo_documents WHERE seq > $1 AND seq <= $2',
        [since, rev],
      );
      for (const row of documents.rows) if (row.name === INDEX_FILE && (await putFile(INDEX_FILE, row.content))) report.files += 1;
      const transcripts = await client.query<{ name: string; trailing_newline: boolean; deleted: boolean; lines: Buffer[] | null }>(
        `SELECT t.name, t.trailing_newline, t.deleted,
           array_agg(l.raw ORDER BY l.line) FILTER (WHERE l.raw IS NOT NULL AND NOT t.deleted) AS lines
         FROM mnemo_transcripts t LEFT JOIN mnemo_transcript_lines l ON l.name = t.name
         WHERE t.seq > $1 AND t.seq <= $2 GROUP BY t.name, t.trailing_newline, t.deleted`,
        [since, rev],
      );
      for (const row of transcripts.rows) {
        const content = row.deleted ? undefined : joinLines(row.lines ?? [], row.trailing_newline);
        if (await putFile(`sessions/${row.name}`, content)) report.files += 1;
      }
      const files = await client.query<{ path: string; content: Buffer | null; deleted: boolean }>(
        'SELECT path, content, deleted FROM mnemo_state_files WHERE seq > $1 AND seq <= $2',
        [since, rev],
      );
      for (const row of files.rows) {
        if (replicaRowOf(row.path)?.kind !== 'state') continue;
        if (await putFile(row.path, row.deleted || row.content === null ? undefined : row.content)) report.files += 1;
      }
      settleFolders();
      await saveState({ ...current, seq: rev });
      report.seq = rev;
      return report;
    }
  }

  /** Files the engine changed since the last pull or push (read, and compared by hash when their stamp moved). */
  async function localChanges(): Promise<{ path: string; content: Buffer | undefined }[]> {
    const now = walk(root).files;
    const changes: { path: string; content: Buffer | undefined }[] = [];
    for (const [path, stamp] of now) {
      const before = known.get(path);
      if (before !== undefined && sameStamp(before, stamp)) continue;
      let content: Buffer;
      try {
        content = await readFile(fileOf(path));
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue;
        throw error;
      }
      if (before?.hash !== undefined && before.hash === sha256(content)) continue;
      changes.push({ path, content });
    }
    for (const path of known.keys()) if (!now.has(path)) changes.push({ path, content: undefined });
    return changes;
  }

  async function push(client: PoolClient, changes: readonly { path: string; content: Buffer | undefined }[]): Promise<ReplicaPushReport> {
    const report: ReplicaPushReport = { topics: [], transcripts: [], state: 0 };
    const state: { path: string; content: Buffer | undefined }[] = [];
    for (const { path, content } of changes) {
      const row = replicaRowOf(path);
      if (row === undefined) continue;
      if (row.kind === 'topic') {
        if (content === undefined) await store.internals.removeTopicRow(client, row.slug);
        else await store.internals.writeTopicRow(client, row.slug, content);
        report.topics.push(row.slug);
      } else if (row.kind === 'document') {
        if (content === undefined) continue;
        await client.query(
          `INSERT INTO mnemo_documents(name, content) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = now()`,
          [row.name, content],
        );
        await store.internals.notify(client, { kind: 'index', name: undefined });
      } else if (row.kind === 'transcript') {
        // A transcript removed from the copy is marked deleted (its lines stay in the database, recoverable).
        if (content === undefined) await store.internals.removeTranscriptRow(client, row.name);
        else await store.internals.writeTranscriptRow(client, row.name, content);
        report.transcripts.push(row.name);
      } else {
        state.push({ path: row.path, content });
      }
    }
    if (state.length > 0) {
      // Every state file the change touched in one statement (a remember touches three or more).
      await client.query(
        `INSERT INTO mnemo_state_files(path, kind, content, deleted)
         SELECT r.path, r.kind, r.content, r.content IS NULL FROM unnest($1::text[], $2::text[], $3::bytea[]) AS r(path, kind, content)
         ON CONFLICT (path) DO UPDATE SET content = excluded.content, deleted = excluded.deleted, updated_at = now()`,
        [
          state.map((file) => file.path),
          state.map((file) => file.path.split('/').slice(0, 2).join('/')),
          state.map((file) => file.content ?? null),
        ],
      );
      report.state = state.length;
    }
    return report;
  }

  /** Record the copy's files as they are now (after a commit): they are the database's. */
  function adopt(now: Map<string, FileStamp | undefined>): void {
    for (const [path, stamp] of now) {
      if (stamp === undefined) known.delete(path);
      else known.set(path, stamp);
    }
  }

  /** Put the copy back as the database has it: the files changed locally are rewritten (or removed) from their rows. */
  async function restore(changes: readonly { path: string; content: Buffer | undefined }[]): Promise<void> {
    for (const { path } of changes) {
      const row = replicaRowOf(path);
      let content: Buffer | undefined;
      if (row?.kind === 'topic') {
        const result = await pool.query<{ content: Buffer | null }>('SELECT content FROM mnemo_topics WHERE slug = $1 AND NOT deleted', [
          row.slug,
        ]);
        content = result.rows[0]?.content ?? undefined;
      } else if (row?.kind === 'document') {
        content = await store.readIndex();
      } else if (row?.kind === 'transcript') {
        content = await store.transcripts.readRaw(row.name);
      } else if (row?.kind === 'state') {
        const result = await pool.query<{ content: Buffer | null }>(
          'SELECT content FROM mnemo_state_files WHERE path = $1 AND NOT deleted',
          [row.path],
        );
        content = result.rows[0]?.content ?? undefined;
      }
      known.delete(path);
      await putFile(path, content);
    }
    settleFolders();
  }

  // A server that goes away between two queries must not crash the process: the next query fails instead.
  const guarded = new WeakSet<PoolClient>();
  async function connect(): Promise<PoolClient> {
    const client = await pool.connect();
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', () => undefined);
    }
    return client;
  }

  // Calls of this process run one at a time: the copy is one folder.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  async function pullNow(): Promise<ReplicaPullReport> {
    const client = await connect();
    try {
      return await pullWith(client);
    } finally {
      client.release();
    }
  }

  async function writeNow<T>(work: () => Promise<T>): Promise<T> {
    const client = await connect();
    let changes: { path: string; content: Buffer | undefined }[] = [];
    let began = false;
    try {
      await client.query('BEGIN');
      began = true;
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMED, WRITER_LOCK]);
      // The change counter's row too: until this commits nobody else numbers a change (the store's
      // own writers, an import, wait), so the numbers this change takes are exactly the ones above
      // what is pulled now, and the copy need not pull its own change back.
      const locked = await client.query<{ rev: string }>('SELECT rev FROM mnemo_replica_head WHERE id = 1 FOR UPDATE');
      await pullWith(client, Number(locked.rows[0]?.rev ?? 0));
      const base = current.seq;
      await saveState({ ...current, dirty: true });
      let outcome: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await work() };
      } catch (error) {
        outcome = { ok: false, error };
      }
      const detected = detectChanges();
      changes = detected.changes;
      pushed = { ...(await push(client, changes)), checked: detected.checked };
      const head = await client.query<{ rev: string }>('SELECT rev FROM mnemo_replica_head WHERE id = 1');
      await client.query('COMMIT');
      began = false;
      adopt(detected.now);
      await saveState({ ...current, seq: current.seq === base ? Number(head.rows[0]?.rev ?? base) : current.seq, dirty: false });
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    } catch (error) {
      if (began) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Nothing was committed: what the engine changed locally is put back from the database.
        await restore(changes.length > 0 ? changes : await localChanges()).catch(() => undefined);
        await saveState({ ...current, dirty: false }).catch(() => undefined);
      }
      throw error;
    } finally {
      client.release();
    }
  }

  const replica: PostgresReplica = {
    root,
    location: store.location,
    store,
    pull: () => serial(pullNow),
    read: (work) =>
      serial(async () => {
        await pullNow();
        return work();
      }),
    write: (work) => serial(() => writeNow(work)),
    async watch(onPulled) {
      // One pull waiting at a time: notifications that arrive before it starts are all covered by
      // it (it reads the head when it runs); one that arrives while it runs queues the next.
      let waiting = false;
      const stop = await store.watch(() => {
        if (waiting) return;
        waiting = true;
        void serial(() => {
          waiting = false;
          return pullNow();
        })
          .then((report) => {
            if (report.files > 0) onPulled?.(report);
          })
          .catch(() => undefined);
      });
      return stop;
    },
    setPullHook: (hook) => {
      pullHook = hook;
    },
    lastPush: () => pushed,
    async close() {
      closed = true;
      stopReports();
      const stop = await listening;
      await stop?.();
      await queue.catch(() => undefined);
      await store.close().catch(() => undefined);
      await lock.release();
    },
  };
  let closed = false;
  await replica.pull();
  // Others' commits are pulled as they happen, so the next call finds the copy current.
  const listening: Promise<(() => Promise<void>) | undefined> = options.listen
    ? replica.watch().catch(() => undefined)
    : Promise.resolve(undefined);
  void listening.then(async (stop) => {
    if (closed) await stop?.();
  });
  return replica;
}
