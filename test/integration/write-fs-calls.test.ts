import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, initMemory, openMemory, type Memory } from '../../src/index.js';
import { byKind, countFsCalls, type FsCall } from '../helpers/count-fs-calls.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * What a `remember` costs in file-system calls, counted (not timed), so that a saving cannot
 * silently regress and no fsync that protects a write silently goes. The bounds are the counts
 * when this was written, plus a little room; the fsyncs are exact.
 */

const WRITES = 8;

async function memoryWithTopics(): Promise<{ memory: Memory; dir: string }> {
  const cwd = await tempDir();
  const dir = join(cwd, 'memory');
  await initMemory({ dir, cwd });
  const memory = await openMemory({
    dir,
    cwd,
    workspace: cwd,
    clock: createManualClock('2026-11-25T10:00:00Z'),
    config: { logLevel: 'silent' },
  });
  for (let index = 0; index < 5; index += 1) {
    await memory.remember({ name: `Warm ${index}`, description: `warm-up topic ${index}`, type: 'project', body: `Warm-up ${index}.` });
  }
  // an update too, so trash/ exists before the count
  await memory.remember({ name: 'Warm 0', description: 'warm-up topic 0, updated', type: 'project', body: 'Warm-up 0.' });
  return { memory, dir };
}

/** fsyncs, leaving out MEMORY.md's (one per rewrite of it, and never its folder: it is derived). */
function syncs(calls: readonly FsCall[], dir: string): { data: number; index: number } {
  const all = calls.filter((call) => call.kind === 'handle.sync' || call.kind.startsWith('fsync'));
  const index = all.filter((call) => call.path?.startsWith(join(dir, 'MEMORY.md.'))).length;
  return { data: (all.length - index) / WRITES, index };
}

function perWrite(calls: readonly FsCall[], test: (call: FsCall) => boolean): number {
  return calls.filter(test).length / WRITES;
}

describe('file-system calls of a remember', () => {
  it('a new topic: at most 60 calls, four fsyncs (journal and its folder, topic and its folder), no mkdir, no read-back', async () => {
    const { memory, dir } = await memoryWithTopics();
    try {
      const { calls } = await countFsCalls(async () => {
        for (let index = 0; index < WRITES; index += 1) {
          await memory.remember({
            name: `Fact ${index}`,
            description: `a new fact ${index}`,
            type: 'project',
            body: `Fact number ${index}.`,
          });
        }
      });
      const kinds = byKind(calls);
      // (a new topic in a small memory also rewrites MEMORY.md: about seven of these)
      expect(calls.length / WRITES, JSON.stringify(kinds)).toBeLessThanOrEqual(60);
      const fsyncs = syncs(calls, dir);
      expect(fsyncs.data).toBe(4);
      expect(fsyncs.index).toBe(calls.filter((call) => call.kind === 'rename' && call.path?.startsWith(join(dir, 'MEMORY.md.'))).length);
      expect(perWrite(calls, (call) => /^(mkdir|realpath|chown|chmod)/.test(call.kind))).toBe(0);
      // the write counter is read once per write (then known under the lock)
      expect(perWrite(calls, (call) => call.kind.startsWith('readFile') && call.path === join(dir, '.state', 'writes'))).toBe(1);
      // the new topic file is not read after it was written: the checks before it (an lstat, two hashes) and the
      // atomic write's lstat (for a mode to keep) find nothing there
      expect(perWrite(calls, (call) => /fact-\d\.md$/.test(call.path ?? '') && /^(readFile|lstat|stat)/.test(call.kind))).toBe(4);
    } finally {
      memory.close();
    }
  });

  it('an update: at most 74 calls, six fsyncs (the backup in trash/ and its folder too)', async () => {
    const { memory, dir } = await memoryWithTopics();
    try {
      const { calls } = await countFsCalls(async () => {
        for (let index = 0; index < WRITES; index += 1) {
          await memory.remember({ name: `Warm ${index % 5}`, description: `changed ${index}`, type: 'project', body: `Changed ${index}.` });
        }
      });
      expect(calls.length / WRITES, JSON.stringify(byKind(calls))).toBeLessThanOrEqual(74);
      expect(syncs(calls, dir).data).toBe(6);
      expect(perWrite(calls, (call) => /^(mkdir|realpath)/.test(call.kind))).toBe(0);
    } finally {
      memory.close();
    }
  });
});
