import Database from 'better-sqlite3';
import { countTextTokens, ftsQuery, queryTerms, renderTurnLine, type TurnRecord } from '../retrieval/index.js';

/** One turn as the baseline indexes and renders it. */
export interface BaselineTurn extends Pick<TurnRecord, 'session' | 'time' | 'speaker' | 'text'> {
  /** What the harness matches evidence against (LoCoMo's dia_id). */
  id: string;
}

export interface BaselineRecall {
  text: string;
  tokens: number;
  turns: BaselineTurn[];
}

const HEADING = '## From transcripts';

/**
 * The plain BM25 baseline: every turn is one document (`Speaker: text`, what a reader of the
 * turn sees) of an in-memory SQLite FTS5 table with the same tokenizer as mnemo's index (Porter,
 * unicode61, no diacritics) and the same query terms (`queryTerms`, OR-ed); ranked by FTS5's
 * bm25() with its defaults (k1 1.2, b 0.75); packed best first,
 * one `[session · time · speaker] text` line per turn (mnemo's single-line form), while the text
 * fits the token budget. No neighbours, sessions, speakers, dates or deduplication.
 */
export class Bm25Baseline {
  private readonly db: Database.Database;
  private readonly turns: BaselineTurn[];

  private constructor(db: Database.Database, turns: BaselineTurn[]) {
    this.db = db;
    this.turns = turns;
  }

  static build(turns: readonly BaselineTurn[]): Bm25Baseline {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE turns USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')");
    const insert = db.prepare('INSERT INTO turns(rowid, text) VALUES (?, ?)');
    db.transaction(() =>
      turns.forEach((turn, index) => insert.run(index + 1, turn.speaker ? `${turn.speaker}: ${turn.text}` : turn.text)),
    )();
    return new Bm25Baseline(db, [...turns]);
  }

  /** The best turns for a question within `budgetTokens`, as text and as data. */
  recall(question: string, budgetTokens: number, candidates = 200): BaselineRecall {
    const match = ftsQuery(queryTerms(question));
    const rows =
      match === undefined
        ? []
        : (this.db.prepare('SELECT rowid FROM turns WHERE turns MATCH ? ORDER BY bm25(turns) LIMIT ?').all(match, candidates) as {
            rowid: number;
          }[]);
    const packed: { turn: BaselineTurn; line: string }[] = [];
    let tokens = countTextTokens(HEADING);
    for (const { rowid } of rows) {
      const turn = this.turns[rowid - 1];
      if (!turn) continue;
      const line = renderTurnLine({ ...turn, kind: 'message', role: undefined });
      const cost = countTextTokens(line) + 1;
      if (tokens + cost > budgetTokens) continue;
      packed.push({ turn, line });
      tokens += cost;
    }
    const render = () => (packed.length === 0 ? '' : [HEADING, ...packed.map((entry) => entry.line)].join('\n'));
    let text = render();
    let counted = countTextTokens(text);
    while (counted > budgetTokens && packed.length > 0) {
      packed.pop();
      text = render();
      counted = countTextTokens(text);
    }
    return { text, tokens: counted, turns: packed.map((entry) => entry.turn) };
  }

  close(): void {
    this.db.close();
  }
}
