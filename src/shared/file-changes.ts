import { sep } from 'node:path';

/*
 * Who changed which file, for a process that keeps a copy of a memory root in step with
 * somewhere else (the working copy of a PostgreSQL memory): writers that change a file in place
 * (an atomic replace keeps the name; an append keeps the name and the inode) report its path, so
 * the copy pushes exactly those files instead of listing and stating every file it has. Files
 * created or removed are found from the stamps of their folders (a few stats); only changes
 * under the same name need a report.
 */

type Listener = (path: string) => void;
const listeners = new Map<string, Set<Listener>>();

/** Call `listener` with the absolute path of every file under `root` a writer reports changed; returns the way to stop. */
export function watchFileChanges(root: string, listener: Listener): () => void {
  const prefix = root.endsWith(sep) ? root : root + sep;
  let set = listeners.get(prefix);
  if (set === undefined) listeners.set(prefix, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(prefix);
  };
}

/** Report that the file at this absolute path was written or appended to. Cheap when nobody watches. */
export function recordFileChange(path: string): void {
  if (listeners.size === 0) return;
  for (const [prefix, set] of listeners) if (path.startsWith(prefix)) for (const listener of set) listener(path);
}
