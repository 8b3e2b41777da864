import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
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

/** Run `work`, counting every statement sent to the server meanwhile (by any client of this process): their texts. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    statements.push((typeof first === 'string' ? first : String((first as { text?: unknown }).text)).replace(/\s+/g, ' ').trim());
    return query.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = query;
  }
  return statements;
}

describeWithPostgres('the working copy of a PostgreSQL memory', (cluster) => {
  it('a copy that is current pulls with one statement, and a write sends its state files in one statement', async () => {
    const url = await cluster().createDatabase('replica_statements');
    await migrateDatabase(url);
    const [a, b] = await copies(url);
    try {
      // Nothing new: the head, read outside a transaction (no BEGIN / COMMIT around it).
      expect(await statementsOf(() => a.pull())).toEqual(['SELECT rev FROM mnemo_replica_head WHERE id = 1']);
      const statements = await statementsOf(() =>
        a.write(async () => {
          await writeFileAtomic(join(a.root, 'kafka.md'), topic('kafka', 'Brokers run on three nodes.'));
          await writeFileAtomic(join(a.root, '.state', 'audit.jsonl'), '{"event":"x"}\n');
          await writeFileAtomic(join(a.root, '.state', 'manifest.jsonl'), '{"m":1}\n');
          await writeFileAtomic(join(a.root, '.state', 'index-state.json'), '{}');
        }),
      );
      expect(a.lastPush()).toMatchObject({ topics: ['kafka'], state: 3 });
      expect(statements.filter((text) => text.includes('mnemo_state_files'))).toHaveLength(1);
      // The head is read once, with its row lock, and once after the push: not again to pull.
      expect(statements.filter((text) => text.startsWith('SELECT rev FROM mnemo_replica_head'))).toEqual([
        'SELECT rev FROM mnemo_replica_head WHERE id = 1 FOR UPDATE',
        'SELECT rev FROM mnemo_replica_head WHERE id = 1',
      ]);
      expect(statements.filter((text) => text === 'COMMIT')).toHaveLength(1);
      // The writer's own change is not pulled back: it is current after the commit.
      expect(await statementsOf(() => a.pull())).toHaveLength(1);
      // Behind: the head, then the rows in one snapshot.
      const pulled = await statementsOf(async () => expect((await b.pull()).topics).toEqual(['kafka']));
      expect(pulled.slice(0, 3)).toEqual([
        'SELECT rev FROM mnemo_replica_head WHERE id = 1',
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
        'SELECT rev FROM mnemo_replica_head WHERE id = 1',
      ]);
      expect(await readFile(join(b.root, '.state', 'audit.jsonl'), 'utf8')).toBe('{"event":"x"}\n');
      expect(await readFile(join(b.root, '.state', 'index-state.json'), 'utf8')).toBe('{}');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('in the large top folder, topics created by hand (no report) and several removed at once are found', async () => {
    const url = await cluster().createDatabase('replica_large_folder');
    await migrateDatabase(url);
    const seed = await openPostgresStore({ url });
    await seed.topics.writeMany(Array.from({ length: 400 }, (_, n) => ({ slug: `t-${n}`, content: topic(`t-${n}`, `fact ${n}`) })));
    await seed.close();
    const [a, b] = await copies(url);
    try {
      await a.write(async () => {
        // Temp file and rename, as another tool would: not reported, found as a new name of the folder.
        await writeFile(join(a.root, 'hand.md.tmp'), topic('hand', 'Written by hand.'));
        await rename(join(a.root, 'hand.md.tmp'), join(a.root, 'hand.md'));
        await unlink(join(a.root, 't-1.md'));
        await unlink(join(a.root, 't-200.md'));
        await rename(join(a.root, 't-399.md'), join(a.root, '.state', 't-399.md'));
      });
      expect(new Set(a.lastPush()?.topics)).toEqual(new Set(['hand', 't-1', 't-200', 't-399']));
      expect(a.lastPush()?.checked).toBeLessThan(40);
      // A second change right after (the folder's stamp may be racy: listed again) finds only its own.
      await a.write(async () => unlink(join(a.root, 't-2.md')));
      expect(a.lastPush()?.topics).toEqual(['t-2']);
      await b.pull();
      expect(await readFile(join(b.root, 'hand.md'), 'utf8')).toContain('Written by hand.');
      for (const slug of ['t-1', 't-2', 't-200', 't-399']) expect(existsSync(join(b.root, `${slug}.md`))).toBe(false);
      expect(existsSync(join(b.root, 't-3.md'))).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

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
