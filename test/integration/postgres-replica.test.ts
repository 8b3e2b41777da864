import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/shared/index.js';
import { migrateDatabase, openPostgresReplica, openPostgresStore, type PostgresReplica } from '../../src/store/index.js';
import { describeWithPostgres } from '../helpers/postgres-describe.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * The working copy of a PostgreSQL memory (src/store/postgres-replica.ts) with two copies on one
 * database, as two machines would have: a change is pushed by what it touched (not by a listing
 * of the copy), and deletions reach the other copy on its next pull.
 */

const topic = (slug: string, body: string): string =>
  `---\nname: ${slug}\ndescription: about ${slug}\ntype: project\nstatus: active\n---\n\n${body}\n`;

async function copies(url: string): Promise<[PostgresReplica, PostgresReplica]> {
  const cache = await tempDir('mnemo-pgreplica-');
  return Promise.all([
    openPostgresReplica({ url, env: {}, cacheDir: join(cache, 'a') }),
    openPostgresReplica({ url, env: {}, cacheDir: join(cache, 'b') }),
  ]);
}

describeWithPostgres('the working copy of a PostgreSQL memory', (cluster) => {
  it('a change is pushed by the files it touched, without a stat of every file of the copy', async () => {
    const url = await cluster().createDatabase('replica_push');
    await migrateDatabase(url);
    const seed = await openPostgresStore({ url });
    await seed.topics.writeMany(Array.from({ length: 300 }, (_, n) => ({ slug: `t-${n}`, content: topic(`t-${n}`, `fact ${n}`) })));
    await seed.close();
    const [a, b] = await copies(url);
    try {
      expect(existsSync(join(b.root, 't-7.md'))).toBe(true);
      await a.write(async () => {
        await writeFileAtomic(join(a.root, 'kafka.md'), topic('kafka', 'Brokers run on three nodes.')); // reported by the writer
        await writeFileAtomic(join(a.root, 't-5.md'), topic('t-5', 'fact 5, corrected')); // replaced in place, reported
        await unlink(join(a.root, 't-7.md')); // removed: found from the folder's stamp
        await mkdir(join(a.root, '.state', 'tasks'), { recursive: true });
        // A state file written by hand (temp file and rename, no report): found in its small folder.
        await writeFile(join(a.root, '.state', 'tasks', 'x.tmp'), '{"id":"x"}');
        await rename(join(a.root, '.state', 'tasks', 'x.tmp'), join(a.root, '.state', 'tasks', 'x.json'));
      });
      const pushed = a.lastPush();
      expect(new Set(pushed?.topics)).toEqual(new Set(['kafka', 't-5', 't-7']));
      expect(pushed?.state).toBe(1);
      // A few folders and the touched files, not the 300 topics of the copy.
      expect(pushed?.checked).toBeLessThan(40);

      const pulled = await b.pull();
      expect(new Set(pulled.topics)).toEqual(new Set(['kafka', 't-5', 't-7']));
      expect(await readFile(join(b.root, 'kafka.md'), 'utf8')).toContain('Brokers run on three nodes.');
      expect(await readFile(join(b.root, 't-5.md'), 'utf8')).toContain('fact 5, corrected');
      expect(existsSync(join(b.root, 't-7.md'))).toBe(false);
      expect(await readFile(join(b.root, '.state', 'tasks', 'x.json'), 'utf8')).toBe('{"id":"x"}');

      // A write on the other copy after that pull sees it and pushes only its own change.
      await b.write(async () => writeFileAtomic(join(b.root, 't-9.md'), topic('t-9', 'fact 9, again')));
      expect(b.lastPush()?.topics).toEqual(['t-9']);
      await a.pull();
      expect(await readFile(join(a.root, 't-9.md'), 'utf8')).toContain('fact 9, again');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a transcript, a topic and a trashed file deleted on one copy are gone from the other after its next pull', async () => {
    const url = await cluster().createDatabase('replica_deletes');
    await migrateDatabase(url);
    const [a, b] = await copies(url);
    const transcript = 'sessions/2026-12-01-deploy.jsonl';
    const line = '{"v":1,"kind":"message","role":"user","text":"canary first","session":"deploy","time":"2026-12-01T10:00:00Z"}\n';
    try {
      await a.write(async () => {
        await mkdir(join(a.root, 'sessions'), { recursive: true });
        await writeFile(join(a.root, transcript), line);
        await writeFileAtomic(join(a.root, 'deploy.md'), topic('deploy', 'We deploy on Fridays.'));
        await writeFileAtomic(join(a.root, '.state', 'trash', '2026-deploy.md'), topic('deploy', 'old'));
      });
      await b.pull();
      expect(await readFile(join(b.root, transcript), 'utf8')).toBe(line);
      expect(existsSync(join(b.root, 'deploy.md'))).toBe(true);
      expect(existsSync(join(b.root, '.state', 'trash', '2026-deploy.md'))).toBe(true);

      await a.write(async () => {
        await unlink(join(a.root, transcript));
        await unlink(join(a.root, 'deploy.md'));
        await unlink(join(a.root, '.state', 'trash', '2026-deploy.md'));
      });
      expect(a.lastPush()).toMatchObject({ topics: ['deploy'], transcripts: ['2026-12-01-deploy.jsonl'], state: 1 });
      const pulled = await b.pull();
      expect(pulled.files).toBe(3);
      expect(existsSync(join(b.root, transcript))).toBe(false);
      expect(existsSync(join(b.root, 'deploy.md'))).toBe(false);
      expect(existsSync(join(b.root, '.state', 'trash', '2026-deploy.md'))).toBe(false);

      // The database no longer lists the transcript, but keeps its lines and the topic's versions (recoverable).
      const store = await openPostgresStore({ url });
      try {
        expect(await store.transcripts.listFiles()).toEqual([]);
        expect(await store.transcripts.readRaw('2026-12-01-deploy.jsonl')).toBeUndefined();
        expect(await store.transcripts.read('deploy')).toEqual([]);
        const kept = await store.internals.pool.query<{ n: string }>('SELECT count(*) AS n FROM mnemo_transcript_lines');
        expect(Number(kept.rows[0]?.n)).toBe(1);
        expect(await store.topics.read('deploy')).toMatchObject({ deleted: true });
        // A new session of that name starts empty, not with the deleted lines.
        await store.transcripts.writeRaw('2026-12-01-deploy.jsonl', Buffer.from(line));
        expect((await store.transcripts.listFiles()).map((file) => file.name)).toEqual(['2026-12-01-deploy.jsonl']);
      } finally {
        await store.close();
      }
      await b.pull();
      expect(await readFile(join(b.root, transcript), 'utf8')).toBe(line);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
