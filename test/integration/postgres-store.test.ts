import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/retrieval/index.js';
import { isMnemoError } from '../../src/shared/index.js';
import { MIGRATIONS, initRoot, openFileStore, openPostgresStore, type StoreChange } from '../../src/store/index.js';
import { migratePostgres } from '../../src/store/postgres-schema.js';
import { describeWithPostgres } from '../helpers/postgres-describe.js';
import { cli } from '../helpers/run-cli.js';
import { searchCorpus, searchQueries } from '../helpers/search-corpus.js';
import { tempDir } from '../helpers/temp-root.js';

/** A port nothing listens on: bound and closed at once. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 1;
      server.close(() => resolve(port));
    });
  });
}

describe('an unreachable database', () => {
  it('fails with an error that says what to check, and `mnemo migrate` exits 3', async () => {
    const url = `postgres://mnemo:hunter2@127.0.0.1:${await closedPort()}/mnemo`;
    const opening = openPostgresStore({ url, connectTimeoutMs: 2000 });
    await expect(opening).rejects.toSatisfy((error: unknown) => isMnemoError(error, 'io'));
    const error = (await opening.catch((caught: unknown) => caught)) as Error & { hint?: string };
    expect(error.message).toContain('Cannot reach PostgreSQL at postgres://mnemo:***@127.0.0.1');
    expect(error.message).not.toContain('hunter2');
    expect(error.hint).toMatch(/server runs.*host and port.*database exists.*user and password/);
    const cwd = await tempDir();
    const run = await cli(['migrate', '--url', url], { cwd });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Cannot reach PostgreSQL');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('`mnemo migrate` without a database says how to name one (exit 2)', async () => {
    const cwd = await tempDir();
    const run = await cli(['migrate', '--dir', join(cwd, 'm')], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MNEMO_DATABASE_URL');
  });
});

describeWithPostgres('PostgreSQL store', (cluster) => {
  it('`mnemo migrate` creates the schema once and then reports it is current', async () => {
    const url = await cluster().createDatabase('migrate_cli');
    const cwd = await tempDir();
    const first = await cli(['migrate', '--url', url, '--json'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      from: 0,
      to: 4,
      latest: 4,
      applied: [{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }],
    });
    const again = await cli(['migrate', '--url', url], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('schema already at version 4; nothing to do');
    // The configured store (MNEMO_DATABASE_URL) is used without --url.
    const viaEnv = await cli(['migrate', '--json', '--dir', join(cwd, 'm')], { cwd, env: { MNEMO_DATABASE_URL: url } });
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ from: 4, to: 4, applied: [] });
  });

  it('upgrades a database of an older schema in place, keeping what it holds', async () => {
    const url = await cluster().createDatabase('upgrade');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migratePostgres(client, MIGRATIONS.slice(0, 1));
      // A topic written by a version-1 mnemo: its search vector is there, its term rows are not.
      await client.query(
        `INSERT INTO mnemo_topics(slug, content, version, status, type, doc_len, search)
         VALUES ('kafka', $1, 1, 'active', 'project', 4, setweight(to_tsvector('english', 'Kafka brokers'), 'A'))`,
        [Buffer.from('---\nname: Kafka brokers\ndescription: x\ntype: project\n---\n')],
      );
    } finally {
      await client.end();
    }
    const old = openPostgresStore({ url });
    await expect(old).rejects.toSatisfy((error: unknown) => isMnemoError(error, 'not-initialized'));
    const run = await cli(['migrate', '--url', url], { cwd: await tempDir() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('schema upgraded from version 1 to 4');
    const store = await openPostgresStore({ url });
    try {
      expect((await store.search.searchTopics('kafka')).map((hit) => hit.slug)).toEqual(['kafka']);
    } finally {
      await store.close();
    }
  });

  it('refuses a database without the schema, saying to run mnemo migrate', async () => {
    const url = await cluster().createDatabase('no_schema');
    const opening = openPostgresStore({ url });
    await expect(opening).rejects.toSatisfy((error: unknown) => isMnemoError(error, 'not-initialized'));
    expect(((await opening.catch((caught: unknown) => caught)) as { hint: string }).hint).toContain('mnemo migrate');
  });

  it('tells another process-wide connection of a write at once (LISTEN/NOTIFY)', async () => {
    const url = await cluster().createDatabase('notify');
    const writer = await openPostgresStore({ url, migrate: true });
    const reader = await openPostgresStore({ url });
    try {
      let resolveSeen: (change: StoreChange) => void = () => undefined;
      const seen = new Promise<StoreChange>((resolve) => (resolveSeen = resolve));
      const stop = await reader.watch((change) => {
        if (change.kind === 'topic') resolveSeen(change);
      });
      await writer.topics.write('shared', '---\nname: Shared\ndescription: seen by all\ntype: project\n---\nbody\n');
      expect(await seen).toEqual({ kind: 'topic', name: 'shared' });
      expect((await reader.topics.read('shared'))?.content?.toString()).toContain('seen by all');
      await stop();
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('ranks like the SQLite FTS5 index: the same top 5 on a made-up corpus', async () => {
    const corpus = searchCorpus(300);
    const queries = searchQueries(40);
    const root = await tempDir();
    await initRoot(root);
    const files = openFileStore({ root });
    await files.topics.writeMany(corpus.map((entry) => ({ slug: entry.slug, content: entry.text })));
    const index = SearchIndex.open({ root, dbPath: join(root, '.state', 'search.db') });
    await index.sync({ full: true });
    const url = await cluster().createDatabase('parity');
    const store = await openPostgresStore({ url, migrate: true });
    try {
      await store.topics.writeMany(corpus.map((entry) => ({ slug: entry.slug, content: entry.text })));
      let sameTopOne = 0;
      let overlap = 0;
      let identicalTop5 = 0;
      for (const query of queries) {
        const sqlite = index.searchTopics(query, { limit: 5 }).map((hit) => hit.slug);
        const postgres = (await store.search.searchTopics(query, { limit: 5 })).map((hit) => hit.slug);
        if (sqlite[0] === postgres[0]) sameTopOne += 1;
        if (sqlite.join() === postgres.join()) identicalTop5 += 1;
        overlap += postgres.filter((slug) => sqlite.includes(slug)).length / Math.max(1, sqlite.length);
      }
      // Same BM25 (k1 1.2, b 0.75, FTS5's IDF floor) and field weights; the stemmers differ slightly (Porter vs Snowball).
      expect(overlap / queries.length).toBeGreaterThanOrEqual(0.9);
      expect(sameTopOne / queries.length).toBeGreaterThanOrEqual(0.9);
      expect(identicalTop5).toBeGreaterThan(0);
    } finally {
      index.close();
      await store.close();
    }
  }, 120_000);
});
