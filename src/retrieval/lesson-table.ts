import type Database from 'better-sqlite3';

/** The words of an error text or signature, lower-cased; placeholders such as `<path>` are words too. */
export function signatureWords(text: string): string[] {
  return text.toLowerCase().match(/<[a-z]+>|[\p{L}\p{N}_']+/gu) ?? [];
}

/**
 * The words every text that carries this signature must have as whole words: its non-placeholder
 * words except the first and the last token (those may be cut mid-word when the signature is
 * found inside a longer text). Empty when the signature has no such word: then it is always tried.
 */
export function signatureKeyWords(signature: string): string[] {
  const tokens = signatureWords(signature);
  return [...new Set(tokens.slice(1, -1).filter((word) => !word.startsWith('<')))];
}

/** One active lesson with an error signature, as the lesson table holds it. */
export interface LessonSignature {
  slug: string;
  signature: string;
}

export const LESSON_TABLES_SQL = `
  CREATE TABLE lessons(slug TEXT PRIMARY KEY, signature TEXT NOT NULL, keys INTEGER NOT NULL);
  CREATE TABLE lesson_words(word TEXT NOT NULL, slug TEXT NOT NULL, PRIMARY KEY(word, slug)) WITHOUT ROWID;
  CREATE INDEX lesson_words_slug ON lesson_words(slug);`;

/**
 * The error signatures of active lessons, indexed by their key words, so that a recall finds the
 * lessons its query may carry without reading every lesson.
 */
export class LessonTable {
  private readonly remove: Database.Statement;
  private readonly removeWords: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly insertWord: Database.Statement;
  private readonly db: Database.Database;
  private readonly keyless: Database.Statement;
  /** The candidate queries by how many words they bind. */
  private readonly byWords = new Map<number, Database.Statement>();

  constructor(db: Database.Database) {
    this.db = db;
    this.keyless = db.prepare('SELECT slug, signature FROM lessons WHERE keys = 0 ORDER BY slug');
    this.remove = db.prepare('DELETE FROM lessons WHERE slug = ?');
    this.removeWords = db.prepare('DELETE FROM lesson_words WHERE slug = ?');
    this.insert = db.prepare('INSERT INTO lessons(slug, signature, keys) VALUES (?, ?, ?)');
    this.insertWord = db.prepare('INSERT OR IGNORE INTO lesson_words(word, slug) VALUES (?, ?)');
  }

  /** Record (or drop, with no signature) the lesson signature of a topic. Inside the caller's transaction. */
  put(slug: string, signature: string | undefined): void {
    this.drop(slug);
    if (signature === undefined || signature.trim() === '') return;
    const keys = signatureKeyWords(signature);
    this.insert.run(slug, signature, keys.length);
    for (const word of keys) this.insertWord.run(word, slug);
  }

  drop(slug: string): void {
    this.remove.run(slug);
    this.removeWords.run(slug);
  }

  /**
   * The lessons whose key words all occur in these words (of the normalized query), plus those
   * without key words: the only ones that can match; the caller applies the exact test.
   */
  candidates(words: readonly string[]): LessonSignature[] {
    const unique = [...new Set(words.filter((word) => !word.startsWith('<')))];
    const always = this.keyless.all() as LessonSignature[];
    if (unique.length === 0) return always;
    const found: LessonSignature[] = [];
    // SQLite limits bound parameters; a query has far fewer words than that, but stay safe.
    const chunk = unique.slice(0, 500);
    let statement = this.byWords.get(chunk.length);
    if (statement === undefined) {
      statement = this.db.prepare(
        `SELECT l.slug AS slug, l.signature AS signature FROM lesson_words w JOIN lessons l ON l.slug = w.slug
         WHERE w.word IN (${chunk.map(() => '?').join(', ')}) GROUP BY l.slug HAVING count(*) = l.keys ORDER BY l.slug`,
      );
      if (this.byWords.size < 64) this.byWords.set(chunk.length, statement);
    }
    const rows = statement.all(...chunk) as LessonSignature[];
    found.push(...rows);
    return [...always, ...found].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }
}
