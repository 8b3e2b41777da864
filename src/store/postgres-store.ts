import type { Client, Pool, PoolClient } from 'pg';
import { MnemoError, describeError, errnoCode, type Clock } from '../shared/index.js';
import { LATEST_SCHEMA_VERSION, NOTIFY_CHANNEL, migratePostgres, schemaVersion, type MigrationReport } from './postgres-schema.js';
import {
  STORE_FIELD_WEIGHTS,
  countWordTokens,
  revisionConflict,
  type MemoryStore,
  type StoreChange,
  type StoreSearchOptions,
  type StoreTopicHit,
  type TopicPort,
  type TopicRecord,
  type TopicWriteOptions,
  type TranscriptPort,
} from './store-ports.js';
import { topicPath } from './topic-files.js';
import { parseTopicText } from './topic-format.js';
import { assertSessionId, capText, sessionFileName, type TranscriptEvent } from './transcript-store.js';

/*
 * The PostgreSQL store: one database that many processes on many machines share. `pg` is
 * loaded only when one is opened (the file store never loads it). Every multi-row change is one
 * transaction; per-topic and per-session advisory locks order concurrent writers; every write
 * sends a NOTIFY that `watch` (LISTEN) delivers to the other processes.
 */

export interface PostgresStoreOptions {
  url: string;
  /** Create or upgrade the schema when it is behind (default false: an old schema is an error that says to run `mnemo migrate`). */
  migrate?: boolean;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** How long to wait for the server (default 10 s). */
  connectTimeoutMs?: number;
}

export interface PostgresStore extends MemoryStore {
  readonly kind: 'postgres';
  /** The migrations applied when opening (with `migrate`), else none. */
  readonly migration: MigrationReport;
  /** What the engine's replica (postgres-replica.ts) builds on: the pool and the row writers, inside a caller's transaction. */
  readonly internals: PostgresInternals;
}

/** The pool and the topic row writers of a PostgreSQL store, for work inside one transaction of the caller's. */
export interface PostgresInternals {
  readonly pool: Pool;
  readonly url: string;
  /** Write a topic row (version, terms, notification) in the caller's transaction. */
  writeTopicRow(client: PoolClient, slug: string, content: Buffer): Promise<void>;
  /** Retire a topic row (a tombstone; its last version stays) in the caller's transaction. */
  removeTopicRow(client: PoolClient, slug: string): Promise<void>;
  /** Replace a transcript file's lines with these bytes in the caller's transaction. */
  writeTranscriptRow(client: PoolClient, name: string, bytes: Buffer): Promise<void>;
  /** Mark a transcript deleted (its lines stay, recoverable); every copy removes its file on the next pull. */
  removeTranscriptRow(client: PoolClient, name: string): Promise<void>;
  notify(client: PoolClient, change: StoreChange): Promise<unknown>;
}

/** Second key of mnemo's two-key advisory locks: 1 topics, 2 transcripts, 3 named (`exclusive`). */
const LOCK_TOPIC = 1;
/** Topics per statement in `writeMany` (arrays of a few MB). */
const BULK_ROWS = 1000;
const LOCK_TRANSCRIPT = 2;
const LOCK_NAMED = 3;

/** A connection URL with its password hidden, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Whether a string names a PostgreSQL database (rather than a file). */
export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** A connection failure, in words that say what to check; other errors are returned unchanged. */
export function explainPostgresError(url: string, error: unknown): unknown {
  const where = redactDatabaseUrl(url);
  const code = errnoCode(error) ?? '';
  const message = describeError(error);
  const hintAll =
    'Check that the server runs and accepts TCP connections on that host and port (listen_addresses, pg_hba.conf), that the database exists (createdb), and the user and password in the URL (store.url in mnemo.config.json or MNEMO_DATABASE_URL).';
  if (CONNECTION_CODES.has(code) || (/timeout|terminated|connect/i.test(message) && !/^[0-9A-Z]{5}$/.test(code))) {
    return new MnemoError('io', `Cannot reach PostgreSQL at ${where}: ${message || code}.`, { hint: hintAll, cause: error });
  }
  if (code === '28P01' || code === '28000') {
    return new MnemoError('io', `PostgreSQL at ${where} refused the login: ${message}.`, { hint: hintAll, cause: error });
  }
  if (code === '3D000') {
    return new MnemoError('io', `PostgreSQL at ${where} has no such database: ${message}.`, {
      hint: 'Create it first (`createdb NAME`, or CREATE DATABASE), then run `mnemo migrate --url URL`.',
      cause: error,
    });
  }
  return error;
}

interface TopicFields {
  status: string | null;
  type: string | null;
  name: string;
  description: string;
  tags: string;
  body: string;
  docLen: number;
}

function topicFields(slug: string, content: Buffer): TopicFields {
  const text = content.toString('utf8');
  const empty = { status: null, type: null, name: '', description: '', tags: '', body: '', docLen: 0 };
  if (!Buffer.from(text, 'utf8').equals(content)) return empty;
  const parsed = parseTopicText(text, slug);
  if (!parsed.ok) return empty;
  const { meta, body } = parsed.topic;
  const tags = meta.tags.join(' ');
  return {
    status: meta.status,
    type: meta.type,
    name: meta.name,
    description: meta.description,
    tags,
    body,
    docLen: countWordTokens(`${meta.name} ${meta.description} ${tags} ${body}`),
  };
}

/** Split a transcript file's bytes into lines (without newlines) and whether it ended with one. */
function splitLines(bytes: Buffer): { lines: Buffer[]; trailingNewline: boolean } {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) break;
    lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  const trailingNewline = start === bytes.length;
  if (!trailingNewline) lines.push(bytes.subarray(start));
  return { lines, trailingNewline };
}

const revisionOf = (version: number): string => `v${version}`;

/** Open a PostgreSQL store; fails with a clear `io` error when the server cannot be reached. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { default: pg } = await import('pg');
  const url = options.url;
  const pool: Pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle connection the server drops must not crash the process.
  pool.on('error', () => undefined);
  let migration: MigrationReport;
  try {
    const client = await pool.connect();
    try {
      if (options.migrate) migration = await migratePostgres(client);
      else {
        const version = await schemaVersion(client);
        migration = { from: version, to: version, applied: [] };
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw explainPostgresError(url, error);
  }
  if (migration.to < LATEST_SCHEMA_VERSION) {
    await pool.end().catch(() => undefined);
    throw new MnemoError(
      'not-initialized',
      `The database at ${redactDatabaseUrl(url)} has mnemo schema version ${migration.to}; this mnemo needs version ${LATEST_SCHEMA_VERSION}.`,
      { hint: `Run \`mnemo migrate --url ${redactDatabaseUrl(url)}\` (with the real password) to create or upgrade it.` },
    );
  }
  if (migration.to > LATEST_SCHEMA_VERSION) {
    await pool.end().catch(() => undefined);
    throw new MnemoError(
      'invalid-input',
      `The database at ${redactDatabaseUrl(url)} has mnemo schema version ${migration.to}, newer than this mnemo knows (${LATEST_SCHEMA_VERSION}).`,
      { hint: 'Upgrade mnemo on this machine to the version the other machines run.' },
    );
  }

  const { name: wName, description: wDescription, tags: wTags, body: wBody } = STORE_FIELD_WEIGHTS;

  async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }

  const notify = (client: PoolClient, change: StoreChange): Promise<unknown> =>
    client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify(change)]);

  async function writeTopic(
    client: PoolClient,
    slug: string,
    content: string | Buffer,
    writeOptions: TopicWriteOptions,
  ): Promise<TopicRecord> {
    topicPath('/', slug); // refuses slugs that are not topic names, as the file store does
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_TOPIC, slug]);
    const current = await client.query<{ version: number; deleted: boolean }>('SELECT version, deleted FROM mnemo_topics WHERE slug = $1', [
      slug,
    ]);
    const row = current.rows[0];
    if (writeOptions.ifRevision !== undefined) {
      const actual = row && !row.deleted ? revisionOf(row.version) : undefined;
      if (
        (writeOptions.ifRevision === null && actual !== undefined) ||
        (writeOptions.ifRevision !== null && actual !== writeOptions.ifRevision)
      )
        throw revisionConflict(slug, writeOptions.ifRevision, actual);
    }
    const fields = topicFields(slug, bytes);
    const version = (row?.version ?? 0) + 1;
    await client.query(
      `INSERT INTO mnemo_topics(slug, content, version, deleted, updated_at, status, type, doc_len, search)
       VALUES ($1, $2, $3, false, now(), $4, $5, $6,
         setweight(to_tsvector('english', $7), 'A') || setweight(to_tsvector('english', $8), 'B') ||
         setweight(to_tsvector('english', $9), 'C') || setweight(to_tsvector('english', $10), 'D'))
       ON CONFLICT (slug) DO UPDATE SET content = excluded.content, version = excluded.version, deleted = false,
         updated_at = excluded.updated_at, status = excluded.status, type = excluded.type, doc_len = excluded.doc_len, search = excluded.search`,
      [slug, bytes, version, fields.status, fields.type, fields.docLen, fields.name, fields.description, fields.tags, fields.body],
    );
    await client.query('INSERT INTO mnemo_topic_versions(slug, version, content, deleted) VALUES ($1, $2, $3, false)', [
      slug,
      version,
      bytes,
    ]);
    await client.query('DELETE FROM mnemo_topic_terms WHERE slug = $1', [slug]);
    await client.query(
      `INSERT INTO mnemo_topic_terms(lexeme, slug, f)
       SELECT u.lexeme, t.slug,
         (SELECT sum(CASE w WHEN 'A' THEN ${wName} WHEN 'B' THEN ${wDescription} WHEN 'C' THEN ${wTags} ELSE ${wBody} END) FROM unnest(u.weights) AS w)
       FROM mnemo_topics t CROSS JOIN LATERAL unnest(t.search) AS u WHERE t.slug = $1`,
      [slug],
    );
    await notify(client, { kind: 'topic', name: slug });
    return { slug, content: bytes, revision: revisionOf(version), deleted: false };
  }

  /**
   * Many topics in a few statements (arrays unnested in SQL): the same rows as `writeTopic` for
   * each (a new version, its terms, a NOTIFY), for loading a corpus or an import. Slugs must be
   * distinct.
   */
  async function writeTopicsBulk(
    client: PoolClient,
    entries: readonly { slug: string; content: string | Buffer }[],
  ): Promise<TopicRecord[]> {
    const slugs = entries.map((entry) => entry.slug);
    for (const slug of slugs) topicPath('/', slug);
    const contents = entries.map((entry) => (Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8')));
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext(s)) FROM unnest($2::text[]) AS s ORDER BY s', [LOCK_TOPIC, slugs]);
    const current = await client.query<{ slug: string; version: number }>('SELECT slug, version FROM mnemo_topics WHERE slug = ANY($1)', [
      slugs,
    ]);
    const versions = new Map(current.rows.map((row) => [row.slug, row.version]));
    const fields = entries.map((entry, index) => topicFields(entry.slug, contents[index] as Buffer));
    const next = slugs.map((slug) => (versions.get(slug) ?? 0) + 1);
    await client.query(
      `INSERT INTO mnemo_topics(slug, content, version, deleted, updated_at, status, type, doc_len, search)
       SELECT r.slug, r.content, r.version, false, now(), r.status, r.type, r.doc_len,
         setweight(to_tsvector('english', r.name), 'A') || setweight(to_tsvector('english', r.description), 'B') ||
         setweight(to_tsvector('english', r.tags), 'C') || setweight(to_tsvector('english', r.body), 'D')
       FROM unnest($1::text[], $2::bytea[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS r(slug, content, version, status, type, doc_len, name, description, tags, body)
       ON CONFLICT (slug) DO UPDATE SET content = excluded.content, version = excluded.version, deleted = false,
         updated_at = excluded.updated_at, status = excluded.status, type = excluded.type, doc_len = excluded.doc_len, search = excluded.search`,
      [
        slugs,
        contents,
        next,
        fields.map((field) => field.status),
        fields.map((field) => field.type),
        fields.map((field) => field.docLen),
        fields.map((field) => field.name),
        fields.map((field) => field.description),
        fields.map((field) => field.tags),
        fields.map((field) => field.body),
      ],
    );
    await client.query(
      'INSERT INTO mnemo_topic_versions(slug, version, content, deleted) SELECT s, v, c, false FROM unnest($1::text[], $2::int[], $3::bytea[]) AS r(s, v, c)',
      [slugs, next, contents],
    );
    await client.query('DELETE FROM mnemo_topic_terms WHERE slug = ANY($1)', [slugs]);
    await client.query(
      `INSERT INTO mnemo_topic_terms(lexeme, slug, f)
       SELECT u.lexeme, t.slug,
         (SELECT sum(CASE w WHEN 'A' THEN ${wName} WHEN 'B' THEN ${wDescription} WHEN 'C' THEN ${wTags} ELSE ${wBody} END) FROM unnest(u.weights) AS w)
       FROM mnemo_topics t CROSS JOIN LATERAL unnest(t.search) AS u WHERE t.slug = ANY($1)`,
      [slugs],
    );
    await client.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [
      NOTIFY_CHANNEL,
      slugs.map((slug) => JSON.stringify({ kind: 'topic', name: slug } satisfies StoreChange)),
    ]);
    return slugs.map((slug, index) => ({
      slug,
      content: contents[index] as Buffer,
      revision: revisionOf(next[index] as number),
      deleted: false,
    }));
  }

  async function removeTopic(client: PoolClient, slug: string, removeOptions: TopicWriteOptions): Promise<TopicRecord | undefined> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_TOPIC, slug]);
    const current = await client.query<{ version: number; deleted: boolean }>('SELECT version, deleted FROM mnemo_topics WHERE slug = $1', [
      slug,
    ]);
    const row = current.rows[0];
    const actual = row && !row.deleted ? revisionOf(row.version) : undefined;
    if (removeOptions.ifRevision !== undefined && actual !== (removeOptions.ifRevision ?? undefined))
      throw revisionConflict(slug, removeOptions.ifRevision, actual);
    if (!row || row.deleted) return undefined;
    const version = row.version + 1;
    // The last content stays in mnemo_topic_versions: the tombstone is recoverable.
    await client.query(
      "UPDATE mnemo_topics SET content = NULL, version = $2, deleted = true, updated_at = now(), search = ''::tsvector, doc_len = 0 WHERE slug = $1",
      [slug, version],
    );
    await client.query('INSERT INTO mnemo_topic_versions(slug, version, content, deleted) VALUES ($1, $2, NULL, true)', [slug, version]);
    await client.query('DELETE FROM mnemo_topic_terms WHERE slug = $1', [slug]);
    await notify(client, { kind: 'topic', name: slug });
    return { slug, content: undefined, revision: revisionOf(version), deleted: true };
  }

  const topics: TopicPort = {
    async read(slug) {
      const result = await pool.query<{ content: Buffer | null; version: number; deleted: boolean }>(
        'SELECT content, version, deleted FROM mnemo_topics WHERE slug = $1',
        [slug],
      );
      const row = result.rows[0];
      if (!row) return undefined;
      return {
        slug,
        content: row.deleted ? undefined : (row.content ?? Buffer.alloc(0)),
        revision: revisionOf(row.version),
        deleted: row.deleted,
      };
    },
    write: (slug, content, writeOptions = {}) => transaction((client) => writeTopic(client, slug, content, writeOptions)),
    writeMany: (entries, manyOptions = {}) =>
      transaction(async (client) => {
        const written: TopicRecord[] = [];
        if (new Set(entries.map((entry) => entry.slug)).size < entries.length) {
          // A slug twice: one at a time, so the later bytes win as versions, as on the file store.
          for (const entry of entries) {
            written.push(await writeTopic(client, entry.slug, entry.content, {}));
            await manyOptions.onProgress?.(written.length);
          }
          return written;
        }
        for (let start = 0; start < entries.length; start += BULK_ROWS) {
          written.push(...(await writeTopicsBulk(client, entries.slice(start, start + BULK_ROWS))));
          await manyOptions.onProgress?.(written.length);
        }
        return written;
      }),
    remove: (slug, removeOptions = {}) => transaction((client) => removeTopic(client, slug, removeOptions)),
    async list(listOptions = {}) {
      const result = await pool.query<{ slug: string; version: number; deleted: boolean }>(
        `SELECT slug, version, deleted FROM mnemo_topics ${listOptions.includeDeleted ? '' : 'WHERE NOT deleted'} ORDER BY slug COLLATE "C"`,
      );
      return result.rows.map((row) => ({ slug: row.slug, revision: revisionOf(row.version), deleted: row.deleted }));
    },
  };

  async function sessionFileOf(client: PoolClient | Pool, session: string): Promise<string | undefined> {
    const result = await client.query<{ name: string }>(
      `SELECT name FROM mnemo_transcripts WHERE (name = $1 || '.jsonl' OR right(name, length($1) + 7) = '-' || $1 || '.jsonl') AND NOT deleted
       ORDER BY name COLLATE "C" LIMIT 1`,
      [session],
    );
    return result.rows[0]?.name;
  }

  async function writeTranscript(client: PoolClient, name: string, bytes: Buffer): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.jsonl$/.test(name))
      throw new MnemoError('invalid-input', `${JSON.stringify(name)} is not a transcript file name.`, {
        hint: 'Transcript files are named with letters, digits, ".", "_" and "-", ending in .jsonl.',
      });
    const { lines, trailingNewline } = splitLines(bytes);
    const session = name.slice(0, -'.jsonl'.length);
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_TRANSCRIPT, session]);
    await client.query('DELETE FROM mnemo_transcripts WHERE name = $1', [name]);
    await client.query('INSERT INTO mnemo_transcripts(name, session, line_count, trailing_newline) VALUES ($1, $2, $3, $4)', [
      name,
      session,
      lines.length,
      trailingNewline,
    ]);
    if (lines.length > 0)
      await client.query(
        `INSERT INTO mnemo_transcript_lines(name, line, raw) SELECT $1, ord, raw FROM unnest($2::bytea[]) WITH ORDINALITY AS lines(raw, ord)`,
        [name, lines],
      );
    await notify(client, { kind: 'transcript', name });
  }

  const transcripts: TranscriptPort = {
    append: (session, input, clock: Clock) =>
      transaction(async (client) => {
        assertSessionId(session);
        const now = clock.now();
        const events: TranscriptEvent[] = input.map((event) => ({
          ...event,
          v: 1,
          session,
          time: event.time ?? now.toISOString(),
          text: capText(event.text),
        }));
        if (events.length === 0) return events;
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_TRANSCRIPT, session]);
        let name = await sessionFileOf(client, session);
        if (name === undefined) {
          name = sessionFileName(session, now);
          // A deleted transcript of that name gives way to the new one.
          await client.query('DELETE FROM mnemo_transcripts WHERE name = $1 AND deleted', [name]);
          await client.query('INSERT INTO mnemo_transcripts(name, session) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, session]);
        }
        const count = await client.query<{ line_count: number }>('SELECT line_count FROM mnemo_transcripts WHERE name = $1 FOR UPDATE', [
          name,
        ]);
        const first = count.rows[0]?.line_count ?? 0;
        await client.query(
          `INSERT INTO mnemo_transcript_lines(name, line, raw)
           SELECT $1, $2 + ord, raw FROM unnest($3::bytea[]) WITH ORDINALITY AS lines(raw, ord)`,
          [name, first, events.map((event) => Buffer.from(JSON.stringify(event), 'utf8'))],
        );
        await client.query('UPDATE mnemo_transcripts SET line_count = $2, trailing_newline = true, updated_at = now() WHERE name = $1', [
          name,
          first + events.length,
        ]);
        await notify(client, { kind: 'transcript', name });
        return events;
      }),
    async read(session) {
      assertSessionId(session);
      const name = await sessionFileOf(pool, session);
      if (name === undefined) return [];
      const result = await pool.query<{ line: number; raw: Buffer }>(
        'SELECT line, raw FROM mnemo_transcript_lines WHERE name = $1 ORDER BY line',
        [name],
      );
      const events: (TranscriptEvent & { line: number })[] = [];
      for (const row of result.rows) {
        let value: Partial<TranscriptEvent> | null;
        try {
          value = JSON.parse(row.raw.toString('utf8')) as Partial<TranscriptEvent> | null;
        } catch {
          continue;
        }
        if (value === null || typeof value !== 'object' || typeof value.text !== 'string' || typeof value.kind !== 'string') continue;
        events.push({
          ...(value as TranscriptEvent),
          v: 1,
          session: typeof value.session === 'string' ? value.session : '',
          time: typeof value.time === 'string' ? value.time : '',
          line: row.line,
        });
      }
      return events;
    },
    async listFiles() {
      const result = await pool.query<{ name: string; bytes: string }>(
        `SELECT t.name, (coalesce(sum(octet_length(l.raw) + 1), 0) - CASE WHEN t.trailing_newline OR t.line_count = 0 THEN 0 ELSE 1 END)::bigint AS bytes
         FROM mnemo_transcripts t LEFT JOIN mnemo_transcript_lines l ON l.name = t.name
         WHERE NOT t.deleted
         GROUP BY t.name, t.trailing_newline, t.line_count ORDER BY t.name COLLATE "C"`,
      );
      return result.rows.map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
    },
    async readRaw(name) {
      const head = await pool.query<{ trailing_newline: boolean }>(
        'SELECT trailing_newline FROM mnemo_transcripts WHERE name = $1 AND NOT deleted',
        [name],
      );
      const file = head.rows[0];
      if (!file) return undefined;
      const result = await pool.query<{ raw: Buffer }>('SELECT raw FROM mnemo_transcript_lines WHERE name = $1 ORDER BY line', [name]);
      const parts: Buffer[] = [];
      const newline = Buffer.from('\n');
      result.rows.forEach((row, index) => {
        parts.push(row.raw);
        if (index < result.rows.length - 1 || file.trailing_newline) parts.push(newline);
      });
      return Buffer.concat(parts);
    },
    writeRaw: (name, bytes) => transaction((client) => writeTranscript(client, name, bytes)),
  };

  const searchSql = `
    WITH q AS (SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', $1))),
    stats AS (SELECT count(*)::float8 AS n, coalesce(avg(doc_len), 0)::float8 AS avgdl FROM mnemo_topics WHERE NOT deleted AND status IS NOT NULL),
    hits AS (
      SELECT t.slug, t.status, t.type, t.doc_len, tt.lexeme, tt.f::float8 AS f
      FROM mnemo_topic_terms tt JOIN mnemo_topics t ON t.slug = tt.slug
      WHERE tt.lexeme IN (SELECT lexeme FROM q) AND NOT t.deleted AND t.status IS NOT NULL
    ),
    df AS (SELECT lexeme, count(*)::float8 AS df FROM hits GROUP BY lexeme)
    SELECT h.slug, h.status, h.type,
      sum(greatest(ln((s.n - df.df + 0.5) / (df.df + 0.5)), 1e-6) * (h.f * 2.2) / (h.f + 1.2 * (0.25 + 0.75 * h.doc_len / greatest(s.avgdl, 1e-9)))) AS score
    FROM hits h JOIN df USING (lexeme) CROSS JOIN stats s
    WHERE h.status = ANY($2::text[]) AND ($3::text[] IS NULL OR h.type = ANY($3::text[]))
    GROUP BY h.slug, h.status, h.type
    ORDER BY score DESC, h.slug COLLATE "C"
    LIMIT $4`;

  const store: PostgresStore = {
    kind: 'postgres',
    location: redactDatabaseUrl(url),
    migration,
    internals: {
      pool,
      url,
      writeTopicRow: async (client, slug, content) => {
        await writeTopic(client, slug, content, {});
      },
      removeTopicRow: async (client, slug) => {
        await removeTopic(client, slug, {});
      },
      writeTranscriptRow: writeTranscript,
      removeTranscriptRow: async (client, name) => {
        const result = await client.query(
          'UPDATE mnemo_transcripts SET deleted = true, updated_at = now() WHERE name = $1 AND NOT deleted',
          [name],
        );
        if ((result.rowCount ?? 0) > 0) await notify(client, { kind: 'transcript', name });
      },
      notify,
    },
    topics,
    transcripts,
    search: {
      async searchTopics(query: string, searchOptions: StoreSearchOptions = {}): Promise<StoreTopicHit[]> {
        const words = [
          ...new Set(
            query
              .toLowerCase()
              .normalize('NFKC')
              .match(/[\p{L}\p{N}]+/gu) ?? [],
          ),
        ].filter((word) => word.length >= 2 || /\d/.test(word));
        if (words.length === 0) return [];
        const statuses = searchOptions.statuses ?? ['active', 'suspect'];
        const limit = searchOptions.limit ?? 50;
        const result = await pool.query<{ slug: string; score: number }>(searchSql, [
          words.join(' '),
          statuses,
          searchOptions.types ?? null,
          limit,
        ]);
        return result.rows.map((row) => ({ slug: row.slug, score: Number(row.score) }));
      },
    },
    async readIndex() {
      const result = await pool.query<{ content: Buffer }>("SELECT content FROM mnemo_documents WHERE name = 'MEMORY.md'");
      return result.rows[0]?.content;
    },
    writeIndex: (bytes) =>
      transaction(async (client) => {
        await client.query(
          `INSERT INTO mnemo_documents(name, content) VALUES ('MEMORY.md', $1)
           ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = now()`,
          [bytes],
        );
        await notify(client, { kind: 'index', name: undefined });
      }),
    async exclusive(name, work) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_NAMED, name]);
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMED, name]).catch(() => undefined);
        }
      } finally {
        client.release();
      }
    },
    async watch(listener) {
      const client: Client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw explainPostgresError(url, error);
      }
      client.on('notification', (message) => {
        if (message.channel !== NOTIFY_CHANNEL || message.payload === undefined) return;
        try {
          const change = JSON.parse(message.payload) as StoreChange;
          listener({ kind: change.kind, name: change.name ?? undefined });
        } catch {
          // not one of ours
        }
      });
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    async close() {
      await pool.end();
    },
  };
  return store;
}

/** Create or upgrade the schema of the database at `url` (what `mnemo migrate` does). */
export async function migrateDatabase(
  url: string,
  options: { connectTimeoutMs?: number } = {},
): Promise<MigrationReport & { latest: number; location: string }> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const report = await migratePostgres(client);
    return { ...report, latest: LATEST_SCHEMA_VERSION, location: redactDatabaseUrl(url) };
  } catch (error) {
    throw explainPostgresError(url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
