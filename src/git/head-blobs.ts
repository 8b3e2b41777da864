import { createHash } from 'node:crypto';
import type { CommittedCheck } from '../discipline/index.js';
import { runGit } from './git-process.js';

/** git's object id of a blob with these bytes (`git hash-object`, before any clean filter), in the repository's hash. */
function blobId(bytes: Buffer, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The blobs committed at HEAD for the files directly in `folder` (name → object id); empty outside a repository or before the first commit. */
async function headBlobs(folder: string): Promise<Map<string, string>> {
  const listed = await runGit(folder, ['ls-tree', '-z', 'HEAD', './']);
  const blobs = new Map<string, string>();
  if (listed.code !== 0) return blobs;
  for (const entry of listed.stdout.toString('utf8').split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (match?.[1] !== undefined && match[2] !== undefined && !match[2].includes('/')) blobs.set(match[2], match[1]);
  }
  return blobs;
}

/**
 * The check `recordGitArrivals` needs: which topic files in the memory root `root` hold exactly
 * what HEAD has. One `git ls-tree HEAD` gives the committed blob ids; each file's id is computed
 * from the bytes read (no race with a later edit). Only a tracked file whose id differs is asked
 * of `git hash-object` too (one process), which applies the repository's filters (`core.autocrlf`,
 * `text`/`eol` attributes) as `git status` would: a checkout with CRLF line ends is still no edit.
 */
export function committedAtHead(root: string): CommittedCheck {
  return async (files) => {
    const committed = new Set<string>();
    const blobs = await headBlobs(root);
    if (blobs.size === 0) return committed;
    const unsure: string[] = [];
    for (const { file, bytes } of files) {
      const id = blobs.get(file);
      if (id === undefined) continue; // not committed at all: written here
      if (blobId(bytes, id.length === 64 ? 'sha256' : 'sha1') === id) committed.add(file);
      else unsure.push(file);
    }
    if (unsure.length > 0) {
      const hashed = await runGit(root, ['hash-object', '--stdin-paths'], `${unsure.join('\n')}\n`);
      if (hashed.code === 0) {
        const ids = hashed.stdout.toString('utf8').split('\n');
        unsure.forEach((file, index) => {
          if (ids[index] !== undefined && ids[index] === blobs.get(file)) committed.add(file);
        });
      }
    }
    return committed;
  };
}
