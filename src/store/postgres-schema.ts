/*
 * The PostgreSQL schema of a mnemo memory, as versioned migrations shipped in the package.
 * `migratePostgres` applies those a database lacks, in order, each in its own transaction,
 * under an advisory lock so that two processes migrating at once do it once.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The advisory lock key of migrations (any constant other mnemo locks do not use). */
export const MIGRATION_LOCK_KEY = 0x6d6e656d; // "mnem"

/** The channel of LISTEN/NOTIFY: every write sends `{"kind":…,"name":…}` on it. */
export const NOTIFY_CHANNEL = 'mnemo_changes';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'topics, versions, tombstones, transcripts, index, search',
    sql: `
      CREATE TABLE mnemo_topics(
        slug text PRIMARY KEY,
        -- The topic file's exact bytes; NULL for a tombstone.
        content bytea,
        version integer NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        status text,
        type text,
        -- Word tokens in all fields (BM25's document length).
        doc_len integer NOT NULL DEFAULT 0,
        -- name (A), description (B), tags (C), body (D), English stemming.
        search tsvector NOT NULL DEFAULT ''::tsvector
      );
      CREATE INDEX mnemo_topics_search ON mnemo_topics USING gin(search);
      CREATE INDEX mnemo_topics_live ON mnemo_topics(status) WHERE NOT deleted;
      CREATE TABLE mnemo_topic_versions(
        slug text NOT NULL,
        version integer NOT NULL,
        content bytea,
        deleted boolean NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY(slug, version)
      );
      CREATE TABLE mnemo_transcripts(
        name text PRIMARY KEY,
        session text NOT NULL,
        line_count integer NOT NULL DEFAULT 0,
        -- Whether the file ends with a newline (every file mnemo writes does).
        trailing_newline boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mnemo_transcripts_session ON mnemo_transcripts(session);
      CREATE TABLE mnemo_transcript_lines(
        name text NOT NULL REFERENCES mnemo_transcripts(name) ON DELETE CASCADE,
        line integer NOT NULL,
        -- The line's exact bytes, without its newline.
        raw bytea NOT NULL,
        PRIMARY KEY(name, line)
      );
      CREATE TABLE mnemo_documents(
        name text PRIMARY KEY,
        content bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'topic terms: an inverted index of weighted term frequencies for BM25',
    sql: `
      -- One row per (lexeme, topic): f is the weighted count of the lexeme in the topic (name 8, description 4, tags 3, body 1).
      CREATE TABLE mnemo_topic_terms(
        lexeme text NOT NULL,
        slug text NOT NULL REFERENCES mnemo_topics(slug) ON DELETE CASCADE,
        f real NOT NULL,
        PRIMARY KEY(lexeme, slug)
      );
      CREATE INDEX mnemo_topic_terms_slug ON mnemo_topic_terms(slug);
      INSERT INTO mnemo_topic_terms(lexeme, slug, f)
        SELECT u.lexeme, t.slug,
          (SELECT sum(CASE w WHEN 'A' THEN 8 WHEN 'B' THEN 4 WHEN 'C' THEN 3 ELSE 1 END) FROM unnest(u.weights) AS w)
        FROM mnemo_topics t CROSS JOIN LATERAL unnest(t.search) AS u WHERE NOT t.deleted;
    `,
  },
  {
    version: 3,
    name: 'the whole engine state (tasks, staged notes, quarantine, audit, verdicts, dream snapshots, trash) and a change sequence for replicas',
    sql: `
      -- One counter for the whole memory: every change of a topic, transcript, document or state
      -- file takes the next value (under this row's lock, so values commit in order): a replica that
      -- has seen every change up to N pulls exactly the rows with seq > N.
      -- memory_id names this memory: a working copy made from another database is not reused.
      CREATE TABLE mnemo_replica_head(id integer PRIMARY KEY CHECK (id = 1), rev bigint NOT NULL, memory_id text NOT NULL);
      INSERT INTO mnemo_replica_head(id, rev, memory_id) VALUES (1, 0, md5(random()::text || clock_timestamp()::text));
      CREATE FUNCTION mnemo_next_seq() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE mnemo_replica_head SET rev = rev + 1 WHERE id = 1 RETURNING rev INTO NEW.seq;
        RETURN NEW;
      END
      $fn$;
      -- Every other file of a memory root that is state, not derived: tasks and staged notes
      -- (.state/tasks, .state/staging), quarantine, the audit trail, verdicts, guard log, dream
      -- snapshots and reports, the trash, tombstone files, the integrity manifest. A deleted file
      -- stays as a row with deleted = true, so that the deletion reaches every replica.
      CREATE TABLE mnemo_state_files(
        path text PRIMARY KEY,
        kind text NOT NULL,
        content bytea,
        deleted boolean NOT NULL DEFAULT false,
        seq bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mnemo_state_files_kind ON mnemo_state_files(kind) WHERE NOT deleted;
      ALTER TABLE mnemo_topics ADD COLUMN seq bigint NOT NULL DEFAULT 0;
      ALTER TABLE mnemo_transcripts ADD COLUMN seq bigint NOT NULL DEFAULT 0;
      ALTER TABLE mnemo_documents ADD COLUMN seq bigint NOT NULL DEFAULT 0;
      CREATE TRIGGER mnemo_topics_seq BEFORE INSERT OR UPDATE ON mnemo_topics FOR EACH ROW EXECUTE FUNCTION mnemo_next_seq();
      CREATE TRIGGER mnemo_transcripts_seq BEFORE INSERT OR UPDATE ON mnemo_transcripts FOR EACH ROW EXECUTE FUNCTION mnemo_next_seq();
      CREATE TRIGGER mnemo_documents_seq BEFORE INSERT OR UPDATE ON mnemo_documents FOR EACH ROW EXECUTE FUNCTION mnemo_next_seq();
      CREATE TRIGGER mnemo_state_files_seq BEFORE INSERT OR UPDATE ON mnemo_state_files FOR EACH ROW EXECUTE FUNCTION mnemo_next_seq();
      -- Rows written before this migration get their sequence numbers now.
      UPDATE mnemo_topics SET seq = 0;
      UPDATE mnemo_transcripts SET seq = 0;
      UPDATE mnemo_documents SET seq = 0;
      CREATE INDEX mnemo_topics_seq_idx ON mnemo_topics(seq);
      CREATE INDEX mnemo_transcripts_seq_idx ON mnemo_transcripts(seq);
      CREATE INDEX mnemo_documents_seq_idx ON mnemo_documents(seq);
      CREATE INDEX mnemo_state_files_seq_idx ON mnemo_state_files(seq);
    `,
  },
  {
    version: 4,
    name: 'deleted transcripts: a transcript removed on one copy is removed on every copy (its lines stay, recoverable)',
    sql: `
      -- A deleted transcript keeps its row (with the next change number, so every copy removes its
      -- file on the next pull) and its lines (recoverable until a transcript of that name is written again).
      ALTER TABLE mnemo_transcripts ADD COLUMN deleted boolean NOT NULL DEFAULT false;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** What a client needs to run migrations (a `pg` client). */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface MigrationReport {
  /** The schema version before. */
  from: number;
  /** The schema version now. */
  to: number;
  applied: { version: number; name: string }[];
}

async function currentVersion(client: SqlClient): Promise<number> {
  const exists = await client.query<{ present: boolean }>("SELECT to_regclass('mnemo_schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return 0;
  const row = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM mnemo_schema_migrations');
  return row.rows[0]?.version ?? 0;
}

/** The schema version of a database (0: none). */
export async function schemaVersion(client: SqlClient): Promise<number> {
  return currentVersion(client);
}

/** Create or upgrade the schema; idempotent. */
export async function migratePostgres(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS mnemo_schema_migrations(
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const from = await currentVersion(client);
    const applied: MigrationReport['applied'] = [];
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO mnemo_schema_migrations(version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push({ version: migration.version, name: migration.name });
    }
    await client.query('COMMIT');
    return { from, to: applied.at(-1)?.version ?? from, applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
