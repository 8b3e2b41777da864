import { rename, copyFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory, makeDirectory, randomToken, writeFileAtomic, type WrittenFile } from '../shared/index.js';
import { rootPaths } from './memory-root.js';
import { topicPath } from './topic-files.js';

/*
 * The raw file writes of the store. Only discipline/ calls these (an architecture test holds
 * that): every other layer changes memory through the discipline's writer.
 */

/** Write a topic file atomically; returns its path, and the size and time of the bytes written. */
export async function writeTopicFile(root: string, slug: string, content: string): Promise<{ path: string } & WrittenFile> {
  const path = topicPath(root, slug);
  return { path, ...(await writeFileAtomic(path, content)) };
}

/** Write MEMORY.md atomically. */
export async function writeIndexFile(root: string, text: string): Promise<void> {
  // MEMORY.md is derived from the topics. Its content is fsynced before the rename (never torn or
  // empty after a crash); the folder is not: a rename lost in a power cut leaves the previous
  // complete MEMORY.md, whose hash is not the one `.state/index-state.json` records, so it is not
  // loaded as current, and the next write renders it again (and `mnemo index`/doctor always do).
  // The next topic write fsyncs the same folder anyway.
  await writeFileAtomic(rootPaths(root).index, text, { syncFolder: false });
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Move a topic file into `.state/trash/` (a recoverable copy) and return the trash path.
 * Rename where possible; copy + fsync + unlink across file systems.
 */
export async function moveTopicToTrash(root: string, slug: string, now: Date): Promise<string> {
  const paths = rootPaths(root);
  await makeDirectory(paths.trash);
  const target = join(paths.trash, `${stamp(now)}-${randomToken(4)}-${slug}.md`);
  const source = topicPath(root, slug);
  try {
    await rename(source, target);
  } catch {
    await copyFile(source, target);
    await fsyncDirectory(paths.trash);
    await unlink(source);
  }
  await fsyncDirectory(paths.trash);
  await fsyncDirectory(root);
  return target;
}
