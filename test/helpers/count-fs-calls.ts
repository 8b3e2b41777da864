import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/*
 * Counts the calls a piece of code makes to node:fs (sync and callback forms), node:fs/promises
 * and the FileHandles they return, by kind ("open", "stat (sync)", "handle.sync"), with the paths
 * they named. For tests that hold the number of file-system calls of an operation: count, don't time.
 * Only wraps (every call still goes to the real function); everything is restored afterwards.
 */

export interface FsCall {
  kind: string;
  path: string | undefined;
}

const HANDLE_METHODS = ['read', 'write', 'writeFile', 'readFile', 'appendFile', 'sync', 'datasync', 'stat', 'truncate', 'chmod', 'chown'];

function pathOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.pathname;
  return undefined;
}

/** Run `work` and return what it returned with the file-system calls it made (in this process). */
export async function countFsCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: FsCall[] }> {
  const calls: FsCall[] = [];
  const restore: (() => void)[] = [];
  const wrap = (target: Record<string, unknown>, name: string, kind: string, wrapResult?: (value: unknown) => unknown) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      calls.push({ kind, path: pathOf(args[0]) });
      const value = (original as (...a: unknown[]) => unknown).apply(this, args);
      return wrapResult ? wrapResult(value) : value;
    };
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
    target[name] = wrapped;
    restore.push(() => (target[name] = original));
  };
  const wrapHandle = (handle: Record<string, unknown>, path: string | undefined) => {
    for (const name of [...HANDLE_METHODS, 'close']) {
      const original = handle[name];
      if (typeof original !== 'function') continue;
      // own properties (close is a class field), so nothing is left on the prototype
      handle[name] = (...args: unknown[]) => {
        calls.push({ kind: `handle.${name}`, path });
        return (original as (...a: unknown[]) => unknown).apply(handle, args);
      };
    }
    return handle;
  };
  const sync = fs as unknown as Record<string, unknown>;
  for (const name of Object.keys(fs)) {
    if (!/^[a-z]/.test(name) || /Stream$|watch|^promises$|^constants$/.test(name)) continue;
    wrap(sync, name, name.endsWith('Sync') ? `${name.slice(0, -4)} (sync)` : `${name} (callback)`);
  }
  const promises = fs.promises as unknown as Record<string, unknown>;
  for (const name of Object.keys(promises)) {
    if (name === 'constants' || name === 'watch' || name === 'open') continue;
    wrap(promises, name, name);
  }
  const open = promises.open as (...args: unknown[]) => Promise<Record<string, unknown>>;
  promises.open = async (...args: unknown[]) => {
    calls.push({ kind: 'open', path: pathOf(args[0]) });
    return wrapHandle(await open(...args), pathOf(args[0]));
  };
  restore.push(() => (promises.open = open));
  syncBuiltinESMExports();
  try {
    const result = await work();
    return { result, calls: [...calls] };
  } finally {
    for (const undo of restore.reverse()) undo();
    syncBuiltinESMExports();
  }
}

/** Calls by kind, most first. */
export function byKind(calls: readonly FsCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.kind] = (counts[call.kind] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}
