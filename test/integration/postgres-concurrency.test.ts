import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/index.js';
import { describeWithPostgres } from '../helpers/postgres-describe.js';
import { runTsChild } from '../helpers/spawn-child.js';

const REPO = join(import.meta.dirname, '..', '..');

describeWithPostgres('several processes on one PostgreSQL memory', (cluster) => {
  it('lose nothing and duplicate nothing when they write at once', async () => {
    const url = await cluster().createDatabase('concurrent');
    const setup = await openPostgresStore({ url, migrate: true });
    await setup.close();
    const writers = ['alpha', 'beta', 'gamma', 'delta'];
    const results = await Promise.all(
      writers.map((prefix) => runTsChild('test/helpers/postgres-child.ts', ['write-many', url, prefix, '15'])),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const store = await openPostgresStore({ url });
    try {
      const slugs = (await store.topics.list()).map((topic) => topic.slug);
      expect(slugs).toHaveLength(60);
      for (const prefix of writers) for (let index = 0; index < 15; index += 1) expect(slugs).toContain(`${prefix}-${index}`);
      const events = await store.transcripts.read('shared');
      expect(events.map((event) => event.line)).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
      expect(new Set(events.map((event) => event.text)).size).toBe(60);
      for (const prefix of writers) {
        const own = events.filter((event) => event.text.startsWith(`${prefix} `)).map((event) => event.text);
        expect(own).toEqual(Array.from({ length: 15 }, (_, index) => `${prefix} event ${index}`));
      }
      expect((await store.transcripts.listFiles()).map((file) => file.name)).toEqual(['2026-11-22-shared.jsonl']);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('a writer killed in the middle of a transaction leaves nothing half-written', async () => {
    const url = await cluster().createDatabase('killed');
    const store = await openPostgresStore({ url, migrate: true });
    try {
      await store.topics.write('before', '---\nname: Before\ndescription: kept\ntype: project\n---\nkept\n');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(REPO, 'test/helpers/postgres-child.ts'), 'hang-mid-batch', url, 'batch', '2400'],
        {
          cwd: REPO,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('halfway')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the child ended (${code}) before halfway: ${stderr}`)));
      });
      // 2,000 rows are written inside its open transaction (two bulk statements): nobody else sees them.
      expect((await store.topics.list()).map((topic) => topic.slug)).toEqual(['before']);
      const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect((await store.topics.list({ includeDeleted: true })).map((topic) => topic.slug)).toEqual(['before']);
      // The killed writer's locks went with its connection: the same topics can be written now.
      await store.topics.writeMany(
        Array.from({ length: 40 }, (_, index) => ({
          slug: `batch-${index}`,
          content: `---\nname: Batch ${index}\ndescription: again\ntype: project\n---\nagain\n`,
        })),
      );
      expect(await store.topics.list()).toHaveLength(41);
    } finally {
      await store.close();
    }
  }, 180_000);
});
