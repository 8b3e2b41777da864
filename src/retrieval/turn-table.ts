import type Database from 'better-sqlite3';

/** A transcript event with where it lives. */
export interface TurnRecord {
  rowid: number;
  file: string;
  line: number;
  session: string;
  time: string;
  kind: string;
  role: string | undefined;
  speaker: string | undefined;
  task: string | undefined;
  injected: boolean;
  text: string;
  data: Record<string, unknown> | undefined;
}

export interface TurnHit extends TurnRecord {
  score: number;
}

/** Where a turn sits, without its text: enough to rank it and find its neighbours. */
export interface TurnPosition {
  rowid: number;
  file: string;
  line: number;
  session: string;
  time: string;
  speaker: string | undefined;
}

/** A turn that contains one query term, with that term's BM25 weight in it (higher is better). */
export interface TermHit extends TurnPosition {
  score: number;
}

/** A row of the `turns` table. */
export interface TurnRow {
  rowid: number;
  file: string;
  line: number;
  session: string;
  time: string;
  kind: string;
  role: string | null;
  speaker: string | null;
  task: string | null;
  injected: number;
  text: string;
  data_json: string | null;
}

export function toTurn(row: TurnRow): TurnRecord {
  return {
    rowid: row.rowid,
    file: row.file,
    line: row.line,
    session: row.session,
    time: row.time,
    kind: row.kind,
    role: row.role ?? undefined,
    speaker: row.speaker ?? undefined,
    task: row.task ?? undefined,
    injected: row.injected === 1,
    text: row.text,
    data: row.data_json ? (JSON.parse(row.data_json) as Record<string, unknown>) : undefined,
  };
}

interface PositionRow {
  rowid: number;
  file: string;
  line: number;
  session: string;
  time: string;
  speaker: string | null;
}

function toPosition(row: PositionRow): TurnPosition {
  return { rowid: row.rowid, file: row.file, line: row.line, session: row.session, time: row.time, speaker: row.speaker ?? undefined };
}

/** Lines of a transcript per session part (the documents that session-level ranking scores). */
export const SESSION_PART_LINES = 64;

/** The session part a transcript line falls in (lines count from 1). */
export function sessionPartOf(line: number): number {
  return Math.floor((Math.max(1, line) - 1) / SESSION_PART_LINES);
}

function partKey(file: string, session: string, part: number): string {
  return `${file}\u0000${session}\u0000${part}`;
}

/** The key of the session part a turn belongs to, as `matchSessionParts` returns it. */
export function sessionPartKey(position: Pick<TurnPosition, 'file' | 'session' | 'line'>): string {
  return partKey(position.file, position.session, sessionPartOf(position.line));
}

/** Quote one term for FTS5 so that nothing in it is read as query syntax. */
function quoteTerm(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/**
 * Read access to the transcript turns of the search index (`turns` and `turns_fts`), in the
 * small pieces that turn recall needs: one term's matches, the turns around a line, whole
 * records by rowid, and who speaks. Never writes.
 */
export class TurnTable {
  private readonly db: Database.Database;
  /** Prepared statements by SQL, made on first use (recall runs the same few many times). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.db = db;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Turns whose text contains `term` (after stemming), best BM25 first, at most `limit`.
   * Turns mnemo injected into a context are left out unless asked for.
   */
  matchTerm(term: string, options: { limit: number; includeInjected?: boolean }): TermHit[] {
    const rows = this.statement(
      `SELECT t.rowid AS rowid, t.file AS file, t.line AS line, t.session AS session, t.time AS time, t.speaker AS speaker,
                bm25(turns_fts, 1, 0) AS rank
         FROM turns_fts JOIN turns t ON t.rowid = turns_fts.rowid
         WHERE turns_fts MATCH ? ${options.includeInjected ? '' : 'AND t.injected = 0'} ORDER BY rank LIMIT ?`,
    ).all(`text : ${quoteTerm(term)}`, options.limit) as (PositionRow & { rank: number })[];
    return rows.map((row) => ({ ...toPosition(row), score: -row.rank }));
  }

  /** The turns of one transcript file between two lines, in order (injected ones left out unless asked for). */
  window(file: string, fromLine: number, toLine: number, options: { includeInjected?: boolean } = {}): TurnPosition[] {
    // Raw rows: this runs once per stretch of hits, and objects per row are most of its cost.
    const rows = this.statement(
      `SELECT rowid, line, session, time, speaker FROM turns
       WHERE file = ? AND line BETWEEN ? AND ? ${options.includeInjected ? '' : 'AND injected = 0'} ORDER BY line`,
    )
      .raw(true)
      .all(file, fromLine, toLine) as [number, number, string, string, string | null][];
    return rows.map(([rowid, line, session, time, speaker]) => ({ rowid, file, line, session, time, speaker: speaker ?? undefined }));
  }

  /** Whole records, in the order of the rowids given; unknown rowids are skipped. */
  records(rowids: readonly number[]): TurnRecord[] {
    const statement = this.statement('SELECT * FROM turns WHERE rowid = ?');
    const records: TurnRecord[] = [];
    for (const rowid of rowids) {
      const row = statement.get(rowid) as TurnRow | undefined;
      if (row) records.push(toTurn(row));
    }
    return records;
  }

  /**
   * Session parts (the turns of one session within a stretch of `SESSION_PART_LINES` lines of a
   * transcript, one document each) that match any of `terms`, with their BM25 score for all of
   * them together (higher is better), keyed by `sessionPartKey`. Injected turns are not in that text.
   */
  matchSessionParts(terms: readonly string[]): Map<string, number> {
    if (terms.length === 0) return new Map();
    const rows = this.statement(
      `SELECT s.file AS file, s.session AS session, s.part AS part, bm25(session_texts_fts) AS rank
         FROM session_texts_fts JOIN session_texts s ON s.rowid = session_texts_fts.rowid
         WHERE session_texts_fts MATCH ?`,
    )
      .raw(true)
      .all(terms.map(quoteTerm).join(' OR ')) as [string, string, number, number][];
    return new Map(rows.map(([file, session, part, rank]) => [partKey(file, session, part), -rank]));
  }

  /** Every distinct speaker name in the transcripts. */
  speakers(): string[] {
    return (this.statement('SELECT DISTINCT speaker FROM turns WHERE speaker IS NOT NULL').all() as { speaker: string }[]).map(
      (row) => row.speaker,
    );
  }
}
