import { readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, sha256, writeFileAtomic } from '../shared/index.js';
import { INDEX_FILE, listTopicFiles, rootPaths } from '../store/index.js';
import { DREAMS_FOLDER, snapshotFolder, statePath } from './dream-files.js';

/** A snapshot: byte copies of MEMORY.md and every topic file, with their hashes. */
export interface Snapshot {
  /** Relative to `.state/`. */
  folder: string;
  /** File name (`MEMORY.md`, `<slug>.md`) → sha256 of its bytes. */
  files: Record<string, string>;
}

/**
 * Copy MEMORY.md and every topic file byte for byte into `.state/dreams/<id>/snapshot/`, with a
 * manifest of hashes written last (a snapshot without its manifest is incomplete and ignored).
 * Runs under the memory lock, right before the dream's change, so it is what the dream changed.
 */
export async function takeSnapshot(root: string, id: string): Promise<Snapshot> {
  const folder = snapshotFolder(id);
  const target = statePath(root, folder);
  await mkdir(target, { recursive: true });
  const files: Record<string, string> = {};
  const names = [INDEX_FILE, ...(await listTopicFiles(root)).files.map((file) => `${file.slug}.md`)];
  let next = 0;
  const copy = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++] as string;
      let bytes: Buffer;
      try {
        bytes = await readFile(join(root, name));
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue;
        throw error;
      }
      files[name] = sha256(bytes);
      await writeFile(join(target, name), bytes);
    }
  };
  await Promise.all(Array.from({ length: 16 }, copy));
  await writeFileAtomic(join(target, 'manifest.json'), JSON.stringify({ files }));
  return { folder, files };
}

/** The bytes of one file of a snapshot, checked against its manifest; undefined when missing or changed. */
export async function readSnapshotFile(root: string, snapshot: Snapshot, name: string): Promise<Buffer | undefined> {
  const expected = snapshot.files[name];
  if (expected === undefined) return undefined;
  try {
    const bytes = await readFile(join(statePath(root, snapshot.folder), name));
    return sha256(bytes) === expected ? bytes : undefined;
  } catch {
    return undefined;
  }
}

export async function readSnapshot(root: string, id: string): Promise<Snapshot | undefined> {
  const folder = snapshotFolder(id);
  try {
    const manifest = JSON.parse(await readFile(join(statePath(root, folder), 'manifest.json'), 'utf8')) as {
      files?: Record<string, string>;
    };
    return manifest.files ? { folder, files: manifest.files } : undefined;
  } catch {
    return undefined;
  }
}

/** Remove snapshot folders no dream record refers to (left by a dream killed before it changed anything). */
export async function removeOrphanSnapshots(root: string, keep: string | undefined): Promise<string[]> {
  const folder = join(rootPaths(root).state, DREAMS_FOLDER);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!/^[0-9TZ]{16}-[a-z0-9]{4}$/.test(name) || name === keep || names.includes(`${name}.json`)) continue;
    await rm(join(folder, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
