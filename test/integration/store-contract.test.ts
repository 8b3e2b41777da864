import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, isMnemoError } from '../../src/shared/index.js';
import { initRoot, openFileStore, openPostgresStore, type MemoryStore, type StoreChange } from '../../src/store/index.js';
import { hasPostgres, noPostgresReason, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { tempDir } from '../helpers/temp-root.js';

/*
 * One contract for the store ports, run against the file store and against a real PostgreSQL
 * (a throwaway cluster on loopback). What one store does, the other does the same way.
 */

function topic(name: string, description: string, body: string, extra = ''): string {
  return `---\nname: ${name}\ndescription: ${description}\ntype: project\n${extra}---\n${body}\n`;
}

let cluster: PostgresCluster | undefined;
let databases = 0;

beforeAll(async () => {
  if (hasPostgres) cluster = await startPostgresCluster();
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

const adapters: { name: string; skip: boolean; open: () => Promise<MemoryStore> }[] = [
  {
    name: 'file store',
    skip: false,
    open: async () => {
      const root = await tempDir();
      await initRoot(root);
      return openFileStore({ root });
    },
  },
  {
    name: `PostgreSQL store${hasPostgres ? '' : ` (skipped: ${noPostgresReason})`}`,
    skip: !hasPostgres,
    open: async () => {
      databases += 1;
      const url = await cluster!.createDatabase(`contract_${databases}`);
      return openPostgresStore({ url, migrate: true });
    },
  },
];

describe('the file store', () => {
  it('never loads the PostgreSQL driver', async () => {
    const { execa } = await import('execa');
    const repo = join(import.meta.dirname, '..', '..');
    const run = await execa(process.execPath, ['--import', 'tsx', join(repo, 'test/helpers/file-store-child.ts')], { cwd: repo });
    expect(JSON.parse(run.stdout)).toEqual({ hits: 1, pgLoaded: false });
  });
});

for (const adapter of adapters) {
  describe.skipIf(adapter.skip)(`store contract: ${adapter.name}`, () => {
    async function withStore(work: (store: MemoryStore) => Promise<void>): Promise<void> {
      const store = await adapter.open();
      try {
        await work(store);
      } finally {
        await store.close();
      }
    }

    it('gives back a topic byte for byte, with the revision the write returned', async () => {
      await withStore(async (store) => {
        const text = topic('Deploy', 'how to deploy', 'Run ./deploy.sh — ünïcode kept as written.');
        const written = await store.topics.write('deploy', text);
        const read = await store.topics.read('deploy');
        expect(read?.content?.toString('utf8')).toBe(text);
        expect(read?.revision).toBe(written.revision);
        expect(read?.deleted).toBe(false);
        expect((await store.topics.list()).map((entry) => entry.slug)).toEqual(['deploy']);
        expect(await store.topics.read('absent')).toBeUndefined();
      });
    });

    it('refuses a write over a version it did not read, and changes nothing', async () => {
      await withStore(async (store) => {
        const first = await store.topics.write('port', topic('Port', 'api port', 'The API listens on 8080.'));
        const second = await store.topics.write('port', topic('Port', 'api port', 'The API listens on 9090.'), {
          ifRevision: first.revision,
        });
        expect(second.revision).not.toBe(first.revision);
        const stale = store.topics.write('port', topic('Port', 'api port', 'The API listens on 7070.'), { ifRevision: first.revision });
        await expect(stale).rejects.toSatisfy((error: unknown) => isMnemoError(error, 'write-refused'));
        await expect(store.topics.write('port', 'x', { ifRevision: null })).rejects.toSatisfy((error: unknown) =>
          isMnemoError(error, 'write-refused'),
        );
        expect((await store.topics.read('port'))?.content?.toString()).toContain('9090');
      });
    });

    it('refuses slugs that are not topic names', async () => {
      await withStore(async (store) => {
        await expect(store.topics.write('../escape', 'x')).rejects.toSatisfy((error: unknown) => isMnemoError(error, 'invalid-input'));
      });
    });

    it('retires a topic as a tombstone that listings show only when asked', async () => {
      await withStore(async (store) => {
        await store.topics.write('old-api', topic('Old API', 'the v1 api', 'Use /v1.'));
        await store.topics.write('new-api', topic('New API', 'the v2 api', 'Use /v2.'));
        const tombstone = await store.topics.remove('old-api');
        expect(tombstone?.deleted).toBe(true);
        expect((await store.topics.read('old-api'))?.deleted).toBe(true);
        expect((await store.topics.list()).map((entry) => entry.slug)).toEqual(['new-api']);
        expect((await store.topics.list({ includeDeleted: true })).map((entry) => [entry.slug, entry.deleted])).toEqual([
          ['new-api', false],
          ['old-api', true],
        ]);
        expect(await store.search.searchTopics('v1 api')).not.toContainEqual(expect.objectContaining({ slug: 'old-api' }));
        expect(await store.topics.remove('never-was')).toBeUndefined();
      });
    });

    it('writes several topics at once', async () => {
      await withStore(async (store) => {
        const entries = Array.from({ length: 12 }, (_, index) => ({
          slug: `bulk-${index}`,
          content: topic(`Bulk ${index}`, 'bulk', `fact ${index}`),
        }));
        const progress: number[] = [];
        await store.topics.writeMany(entries, { onProgress: (done) => void progress.push(done) });
        expect(progress.at(-1)).toBe(12);
        expect((await store.topics.list()).length).toBe(12);
      });
    });

    it('appends transcript events in order and reads them back by session', async () => {
      await withStore(async (store) => {
        const clock = createManualClock('2026-11-22T09:00:00.000Z');
        await store.transcripts.append('chat1', [{ kind: 'user', text: 'where is the config?' }], clock);
        await store.transcripts.append(
          'chat1',
          [
            { kind: 'assistant', text: 'in mnemo.config.json', speaker: 'bot' },
            { kind: 'user', text: 'thanks' },
          ],
          clock,
        );
        await store.transcripts.append('other', [{ kind: 'user', text: 'unrelated' }], clock);
        const events = await store.transcripts.read('chat1');
        expect(events.map((event) => [event.line, event.kind, event.text])).toEqual([
          [1, 'user', 'where is the config?'],
          [2, 'assistant', 'in mnemo.config.json'],
          [3, 'user', 'thanks'],
        ]);
        expect(events[0]?.time).toBe('2026-11-22T09:00:00.000Z');
        const files = await store.transcripts.listFiles();
        expect(files.map((file) => file.name)).toEqual(['2026-11-22-chat1.jsonl', '2026-11-22-other.jsonl']);
        const raw = await store.transcripts.readRaw('2026-11-22-chat1.jsonl');
        expect(files[0]?.bytes).toBe(raw?.length);
        expect(
          raw
            ?.toString()
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as { text: string }).text),
        ).toEqual(['where is the config?', 'in mnemo.config.json', 'thanks']);
        expect(await store.transcripts.read('nobody')).toEqual([]);
      });
    });

    it('keeps a transcript file exactly as given, bad lines and a missing last newline included', async () => {
      await withStore(async (store) => {
        const bytes = Buffer.from(
          '{"v":1,"kind":"user","text":"hi","session":"s9","time":"2026-01-01T00:00:00Z"}\nnot json\n\n{"v":1,"kind":"user","text":"cut',
          'utf8',
        );
        await store.transcripts.writeRaw('2026-01-01-s9.jsonl', bytes);
        expect((await store.transcripts.readRaw('2026-01-01-s9.jsonl'))?.equals(bytes)).toBe(true);
        expect((await store.transcripts.read('s9')).map((event) => event.text)).toEqual(['hi']);
      });
    });

    it('stores the rendered index', async () => {
      await withStore(async (store) => {
        const index = Buffer.from('# Memory\n- [Deploy](deploy.md) — how to deploy\n');
        await store.writeIndex(index);
        expect((await store.readIndex())?.equals(index)).toBe(true);
      });
    });

    it('ranks a name match above a body match, and searches only active and suspect topics by default', async () => {
      await withStore(async (store) => {
        await store.topics.write('kafka-setup', topic('Kafka setup', 'brokers and topics', 'Three brokers on the cluster.'));
        await store.topics.write('notes', topic('Misc notes', 'assorted', 'We once considered kafka for the queue.'));
        await store.topics.write('filler', topic('Filler', 'nothing relevant', 'Lorem ipsum dolor.'));
        await store.topics.write('filler-2', topic('Filler two', 'nothing relevant', 'Sit amet.'));
        await store.topics.write('kafka-old', topic('Kafka old', 'old brokers', 'Kafka 2 was used.', 'status: superseded\n'));
        const hits = await store.search.searchTopics('kafka');
        expect(hits.map((hit) => hit.slug)).toEqual(['kafka-setup', 'notes']);
        expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
        expect((await store.search.searchTopics('kafka', { statuses: ['superseded'] })).map((hit) => hit.slug)).toEqual(['kafka-old']);
        expect(await store.search.searchTopics('kafka', { types: ['user'] })).toEqual([]);
        expect(await store.search.searchTopics('   ')).toEqual([]);
      });
    });

    it('tells a watcher about writes', async () => {
      await withStore(async (store) => {
        const seen: StoreChange[] = [];
        let resolveSeen: () => void = () => undefined;
        const arrived = new Promise<void>((resolve) => (resolveSeen = resolve));
        const stop = await store.watch((change) => {
          seen.push(change);
          if (change.name === 'watched') resolveSeen();
        });
        await store.topics.write('watched', topic('Watched', 'a topic', 'body'));
        await arrived;
        await stop();
        expect(seen).toContainEqual({ kind: 'topic', name: 'watched' });
      });
    });

    it('lets one holder of a named lock work at a time', async () => {
      await withStore(async (store) => {
        let inside = 0;
        let most = 0;
        const order: number[] = [];
        await Promise.all(
          [1, 2, 3].map((n) =>
            store.exclusive('dream', async () => {
              inside += 1;
              most = Math.max(most, inside);
              await store.topics.write(`locked-${n}`, topic(`Locked ${n}`, 'lock', 'body'));
              order.push(n);
              inside -= 1;
            }),
          ),
        );
        expect(most).toBe(1);
        expect(order.sort()).toEqual([1, 2, 3]);
      });
    });
  });
}
