import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomicImpl from 'write-file-atomic';
import { makeDirectory } from './make-directory.js';
import { recordFileChange } from './file-changes.js';

/**
 * Write a whole file atomically: temp file in the same folder, fsync, rename, fsync of the folder.
 * A reader sees the old content or the new one, never a mix; a crash leaves at most a stray temp
 * file. The folder is created when missing. Callers must have redacted secrets before calling: the temp file is on disk too.
 *
 * `syncFolder: false` leaves out the fsync of the folder: the rename is atomic but may be lost in
 * a power cut (the previous, complete file is then what is found). Only for files derived from
 * others that are detected as out of date and rebuilt (MEMORY.md).
 */
export async function writeFileAtomic(path: string, content: string | Buffer, options: { syncFolder?: boolean } = {}): Promise<void> {
  await makeDirectory(dirname(path));
  await writeFileAtomicImpl(path, content, { fsync: true });
  recordFileChange(path);
  if (options.syncFolder !== false) await fsyncDirectory(dirname(path));
}

/** Make a rename or create in `directory` durable. Best effort where the platform refuses. */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
