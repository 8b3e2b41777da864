import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, sha256, writeFileAtomic } from '../shared/index.js';
import { INDEX_FILE, rootPaths } from '../store/index.js';

/**
 * `.state/manifest.json`: the content hash of every topic and of MEMORY.md as mnemo last wrote
 * them. A file whose hash differs was changed outside mnemo: fine for a person, but shown by
 * `mnemo doctor` and scanned by the guard before its next use.
 */
export interface Manifest {
  v: 1;
  files: Record<string, string>;
}

function manifestPath(root: string): string {
  return join(rootPaths(root).state, 'manifest.json');
}

/** The manifest, or undefined when mnemo has not recorded one yet (a folder it never wrote). */
export async function readManifest(root: string): Promise<Manifest | undefined> {
  try {
    const value = JSON.parse(await readFile(manifestPath(root), 'utf8')) as Manifest;
    return value && typeof value.files === 'object' ? value : undefined;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    return undefined;
  }
}

async function hashOf(path: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(path));
  } catch {
    return undefined;
  }
}

/** Record the current hashes of these topic slugs (removed when the file is gone) and of MEMORY.md. Under the memory lock. */
export async function recordInManifest(root: string, slugs: readonly string[]): Promise<void> {
  const manifest = (await readManifest(root)) ?? { v: 1, files: {} };
  for (const slug of slugs) {
    const hash = await hashOf(join(root, `${slug}.md`));
    if (hash === undefined) delete manifest.files[`${slug}.md`];
    else manifest.files[`${slug}.md`] = hash;
  }
  const indexHash = await hashOf(join(root, INDEX_FILE));
  if (indexHash !== undefined) manifest.files[INDEX_FILE] = indexHash;
  await writeFileAtomic(manifestPath(root), JSON.stringify(manifest, null, 1));
}

/** Whether a topic with this content hash is as mnemo wrote it. */
export function isRecorded(manifest: Manifest | undefined, slug: string, hash: string): boolean {
  return manifest?.files[`${slug}.md`] === hash;
}
