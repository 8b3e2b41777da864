import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageLog, readVerdicts, type GuardEvent, type TopicUsage, type VerdictRecord } from '../discipline/index.js';
import type { DreamRecord, Tombstone } from '../dream/index.js';

/** dream/ (its diff and records), loaded when a record that needs it is asked for: a recall never does. */
const dreamModule = () => import('../dream/index.js');
import type { SearchIndex, TopicHit, TurnHit } from '../retrieval/index.js';
import { errnoCode, sha256 } from '../shared/index.js';
import {
  TOPIC_STATUSES,
  listSessionFiles,
  readAudit,
  readJsonLines,
  readTranscript,
  rootPaths,
  type AuditEntry,
  type TopicMeta,
  type TranscriptEvent,
} from '../store/index.js';

/** A readable topic with everything the dashboard shows about it. */
export interface TopicRecord {
  slug: string;
  meta: TopicMeta;
  body: string;
  problems: string[];
  /** Last modification of the file (ms since the epoch). */
  mtimeMs: number;
}

/** An earlier version of a topic, kept in `.state/trash/` by an update, heal, forget or dream. */
export interface TopicVersion {
  /** File name under `.state/trash/`. */
  file: string;
  /** When it was moved there (ISO). */
  time: string;
  text: string;
  /** What changed from this version to the next one (or to the current file): `-`, `+`, ` ` lines, `…` for skipped context. */
  diff: string[];
}

/** An applied (or rolled back) dream and its report. */
export interface DreamReportRecord extends DreamRecord {
  /** The report markdown; empty when the file is gone. */
  reportText: string;
}

/** One transcript file of layer 3. */
export interface SessionSummary {
  /** Session id (the file name without `.jsonl`). */
  session: string;
  file: string;
  size: number;
  mtimeMs: number;
}

/**
 * Read-only views of what a memory holds and what happened to it: the records a person reviews
 * (audit trail, trash versions, verdicts, dreams, guard events, transcripts). Nothing here
 * changes the memory; the derived search index is brought up to date first where it is used.
 */
export interface MemoryRecords {
  /** Every readable topic with its full frontmatter, by slug. */
  topics(): Promise<TopicRecord[]>;
  /** Topics matching a query (BM25 over name, description, tags, body), of every status, best first. */
  searchTopics(query: string, limit?: number): Promise<TopicHit[]>;
  /** The audit trail, oldest first; with `slug`, only the lines about that topic. */
  audit(options?: { slug?: string }): Promise<AuditEntry[]>;
  /** Earlier versions of a topic from the trash, oldest first. */
  versions(slug: string): Promise<TopicVersion[]>;
  /** Evidence checks of every topic that has any, newest last per topic. */
  verdicts(): Promise<Record<string, VerdictRecord[]>>;
  /** Applied and rolled back dreams with their reports, newest first. */
  dreams(): Promise<DreamReportRecord[]>;
  /** Retired topics, with where their copies are. */
  tombstones(): Promise<Tombstone[]>;
  /** What the guard did over time (redactions, quarantines, approvals, …): counts, never content. */
  guardEvents(): Promise<GuardEvent[]>;
  /** How often recall returned each topic, and when last. */
  usage(): Promise<Record<string, TopicUsage>>;
  /** Transcript files, newest name first. */
  sessions(): Promise<SessionSummary[]>;
  /** The events of one session, in order; undefined when there is no such session. */
  session(session: string): Promise<(TranscriptEvent & { line: number })[] | undefined>;
  /** Transcript turns matching a query (injected context included, marked). */
  searchTurns(query: string, limit?: number): Promise<TurnHit[]>;
  /** A cheap fingerprint of the memory on disk: it changes when a topic, the index, a transcript, the audit, quarantine or a dream changes. */
  fingerprint(): Promise<string>;
}

const TRASH_NAME = /^(\d{8}T\d{6}Z)-[A-Za-z0-9]{4}-(.+)\.md$/;

function stampToIso(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
}

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

async function stamp(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.size}:${Math.trunc(info.mtimeMs)}`;
  } catch {
    return '-';
  }
}

/** Build the records view over an open memory's root and search index. */
export function createMemoryRecords(root: string, search: SearchIndex): MemoryRecords {
  const paths = rootPaths(root);
  return {
    topics: async () => {
      await search.sync();
      return search
        .catalog()
        .flatMap((topic) =>
          topic.readable
            ? [{ slug: topic.slug, meta: topic.meta, body: topic.body, problems: topic.problems, mtimeMs: topic.mtimeMs }]
            : [],
        );
    },
    searchTopics: async (query, limit = 50) => {
      await search.sync();
      return search.searchTopics(query, { limit, statuses: TOPIC_STATUSES });
    },
    audit: async (options = {}) => {
      const entries = await readAudit(root);
      return options.slug === undefined ? entries : entries.filter((entry) => entry.slug === options.slug);
    },
    versions: async (slug) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(slug)) return [];
      const versions: TopicVersion[] = [];
      for (const file of (await names(paths.trash)).sort()) {
        const match = TRASH_NAME.exec(file);
        if (!match || match[2] !== slug) continue;
        versions.push({ file, time: stampToIso(match[1] as string), text: await readFile(join(paths.trash, file), 'utf8'), diff: [] });
      }
      const current = await readFile(join(root, `${slug}.md`), 'utf8').catch(() => '');
      const { lineDiff } = await dreamModule();
      versions.forEach((version, index) => {
        version.diff = lineDiff(version.text, versions[index + 1]?.text ?? current, { context: 2 });
      });
      return versions;
    },
    verdicts: async () => {
      const out: Record<string, VerdictRecord[]> = {};
      for (const file of (await names(join(paths.state, 'verdicts'))).sort()) {
        if (!file.endsWith('.jsonl')) continue;
        const slug = file.slice(0, -'.jsonl'.length);
        out[slug] = await readVerdicts(root, slug, Number.MAX_SAFE_INTEGER);
      }
      return out;
    },
    dreams: async () => {
      const records = await (await dreamModule()).listDreamRecords(root);
      return Promise.all(
        records.map(async (record) => ({
          ...record,
          reportText: await readFile(join(paths.state, record.report), 'utf8').catch(() => ''),
        })),
      );
    },
    tombstones: async () => (await dreamModule()).readTombstones(root),
    guardEvents: async () => {
      const { lines } = await readJsonLines(join(paths.state, 'guard.jsonl'));
      return lines.map((line) => line.value as GuardEvent).filter((event) => typeof event?.action === 'string');
    },
    usage: async () => Object.fromEntries([...new UsageLog(root).read()].map(([slug, usage]) => [slug, { ...usage }])),
    sessions: async () =>
      (await listSessionFiles(root))
        .map((file) => ({ session: file.name.replace(/\.jsonl$/, ''), file: file.name, size: file.size, mtimeMs: file.mtimeMs }))
        .reverse(),
    session: async (session) => {
      const file = (await listSessionFiles(root)).find((entry) => entry.name === `${session}.jsonl`);
      if (!file) return undefined;
      return (await readTranscript(file.path)).events;
    },
    searchTurns: async (query, limit = 50) => {
      await search.sync();
      return search.searchTurns(query, { limit, includeInjected: true });
    },
    fingerprint: async () => {
      const parts: string[] = [];
      for (const folder of [root, paths.sessions, paths.quarantine, paths.dreams, paths.trash]) {
        for (const name of (await names(folder)).sort()) {
          if (folder === root && !name.endsWith('.md')) continue;
          parts.push(`${name}=${await stamp(join(folder, name))}`);
        }
      }
      parts.push(`audit=${await stamp(paths.audit)}`, `verdicts=${await stamp(join(paths.state, 'verdicts'))}`);
      return sha256(parts.join('|')).slice(0, 16);
    },
  };
}
