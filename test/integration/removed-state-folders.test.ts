import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, initMemory, openMemory } from '../../src/index.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * Writers make the folders under .state/ when they find them missing, rather than checking them
 * before every write: a folder removed by hand between two writes (by the same process) is made
 * again, and nothing is lost.
 */

describe('folders under .state/ removed by hand between two writes', () => {
  it('journal/, trash/ and locks/ are made again: the write, its backup and a forget all land', async () => {
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
    try {
      await memory.remember({ name: 'Deploys', description: 'blue-green', type: 'project', body: 'Staging deploys are blue-green.' });
      await memory.remember({ name: 'Tea', description: 'a preference', type: 'user', body: 'The user likes tea.' });
      const state = join(dir, '.state');
      const gone = ['journal', 'trash', 'locks'];
      for (const folder of gone) await rm(join(state, folder), { recursive: true, force: true });

      // an update: its journal, the backup of the old version in trash/, the lock
      await memory.remember({
        name: 'Deploys',
        description: 'blue-green, two slots',
        type: 'project',
        body: 'Staging deploys are blue-green, two slots.',
      });
      expect(await readFile(join(dir, 'deploys.md'), 'utf8')).toContain('two slots');
      const trash = await readdir(join(state, 'trash'));
      expect(trash).toHaveLength(1);
      expect(await readFile(join(state, 'trash', trash[0] as string), 'utf8')).toContain('Staging deploys are blue-green.');
      expect(await readdir(join(state, 'journal'))).toEqual([]);

      // a forget moves the topic into a trash/ removed again just before
      await rm(join(state, 'trash'), { recursive: true, force: true });
      const forgotten = await memory.forget('tea');
      expect(await readFile(forgotten.trashPath, 'utf8')).toContain('The user likes tea.');
      expect(await readdir(dir)).not.toContain('tea.md');

      const index = await readFile(join(dir, 'MEMORY.md'), 'utf8');
      expect(index).toContain('[Deploys](deploys.md) — blue-green, two slots');
      expect(index).not.toContain('tea.md');
      expect((await memory.checkIndex()).ok).toBe(true);
    } finally {
      memory.close();
    }
  });
});
