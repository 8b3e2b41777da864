import { readFile } from 'node:fs/promises';
import { loadConfig, type LoadedConfig, type MemoryChoice, type MnemoConfig, type WritesMode } from '../config/index.js';
import {
  EvidenceService,
  MemoryWriter,
  WriteGuard,
  rememberFact,
  guardTotals,
  listTranscriptFindings,
  showTranscriptFinding,
  readTranscriptReviews,
  reviewTranscriptTurn,
  type QuarantineItem,
  type TranscriptFinding,
  type TranscriptGuardRecord,
  type RememberInput,
  type RememberResult,
  ManifestReader,
  RankUsage,
  UsageLog,
  TaskService,
  importTranscriptFile,
  logEvents,
  type ForgetResult,
  type ImportResult,
  type IndexCheck,
  type IndexReport,
  type GitArrivals,
  type CommittedCheck,
  type LogResult,
  type PhaseHook,
  type TaskRecord,
  type CompleteResult,
  type BeginTaskInput,
  type CheckOptions,
  type VerdictRecord,
  type VerifyReport,
  type TopicCheckOutcome,
  readVerifiedTimes,
  readVerifiedTimesOf,
  verifiedAt,
} from '../discipline/index.js';
import { approveQuarantined, rejectQuarantined, type ApproveResult } from '../quarantine/index.js';
import { runDoctor, type DoctorOptions, type DoctorReport } from '../doctor/index.js';
import { fenceIndexText, fenceTopicText, memoryFence, recallMemory, type RecallOptions, type RecallResult } from '../recall/index.js';
import { type TranscriptFormat } from '../importers/index.js';
import { SearchIndex, type CatalogTopic } from '../retrieval/index.js';
import { createSemantic, type EmbeddingsStatus, type ReindexOptions, type ReindexReport } from './semantic-wiring.js';
import type { DreamPhase, DreamSummary } from '../dream/index.js';
import type { LanguageModelPort } from '../providers/index.js';
import type { ToolTaskHandle } from '../tools/index.js';
import { createDreamApi, type DreamApi } from './dream-wiring.js';
import type { ToolSet } from 'ai';
import { aiSdkTools, type AiToolsOptions } from './memory-tools.js';
import { createAgent, type Agent, type AgentOptions } from './agent-wiring.js';

import { createMemoryRecords, type MemoryRecords } from './memory-records.js';
import {
  MnemoError,
  createIdGenerator,
  createManualClock,
  createStderrLogger,
  systemClock,
  type Clock,
  type Logger,
} from '../shared/index.js';
import {
  assertMemoryRoot,
  initRoot,
  openPostgresReplica,
  parseIndex,
  type PostgresReplica,
  readTopicFile,
  rootPaths,
  TOPIC_STATUSES,
  TOPIC_TYPES,
  type InitResult,
  type TopicMeta,
  type TopicStatus,
  type TopicType,
  type TranscriptEventInput,
  type Evidence,
  type StoredTopic,
} from '../store/index.js';

export interface OpenMemoryOptions {
  /** The memory root; found like the CLI does when left out (MNEMO_DIR, `.mnemo/` at the git root, ...). */
  dir?: string;
  /** The project folder evidence is checked against. */
  workspace?: string;
  /** `claude`: the project's Claude Code auto-memory folder is the root (unless `dir` says otherwise). */
  memory?: MemoryChoice;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over `mnemo.config.json`. */
  config?: Partial<MnemoConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Create the root when there is none (like `mnemo init`). */
  create?: boolean;
  /** Fault injection for crash tests: called at each phase of every change. */
  onPhase?: PhaseHook;
  /** Called at each phase of a dream (progress, crash tests). */
  onDreamPhase?: (phase: DreamPhase, detail?: string) => void | Promise<void>;
  /** The language model dream uses instead of the configured one (e.g. a scripted model). */
  model?: LanguageModelPort;
}

/** One line of `list`. */
export type TopicSummary =
  | {
      slug: string;
      readable: true;
      name: string;
      description: string;
      type: TopicType;
      status: TopicStatus;
      id: string | undefined;
      updated: string | undefined;
      verified: string | undefined;
      tags: string[];
      trust: string | undefined;
      problems: string[];
    }
  | { slug: string; readable: false; error: string };

export type ShowResult =
  | {
      found: true;
      slug: string;
      path: string;
      meta: TopicMeta;
      body: string;
      problems: string[];
      /** The file as written, for a person. */
      text: string;
      /** The file as it may go into an agent's context: fenced as data with its provenance when the topic is untrusted. */
      agentText: string;
      /** The provenance it is fenced under (only for an untrusted topic). */
      fenced?: string;
      checks: VerdictRecord[];
      /** When its evidence was last confirmed: from `.state/verdicts/` (or an older file's `verified`). */
      verified: string | undefined;
    }
  | { found: true; slug: string; path: string; unreadable: string }
  | { found: false; reference: string; message: string };

/** What `find` selects: every field given must hold. */
export interface FindFilter {
  type?: TopicType;
  status?: TopicStatus;
  /** Only topics whose provenance is untrusted (web pages, tool output, …). */
  trust?: 'untrusted';
}

/** What `termStatistics` answers. */
export interface TermStatistics {
  /** Readable topics, of any status. */
  topics: number;
  /** Readable topics whose name, description or tags carry this stem. */
  frequency: (stem: string) => number;
  /** The tags of the topics asked for, by slug. */
  tags: ReadonlyMap<string, readonly string[]>;
}

export interface ListFilter {
  type?: TopicType;
  status?: TopicStatus;
}

/** A memory in PostgreSQL: the database, and the local working copy the engine works on (docs/fleet-postgres.md). */
export interface MemoryStoreLocation {
  kind: 'postgres';
  /** The database URL without its password. */
  database: string;
  /** This process's working copy (a cache folder, rebuilt from the database when lost). */
  workingCopy: string;
}

export interface MemoryStatus {
  /** The folder the engine works on (for a memory in PostgreSQL, the working copy: see `store`). */
  root: string;
  store?: MemoryStoreLocation;
  workspace: string;
  writes: WritesMode;
  topics: { total: number; byType: Record<TopicType, number>; byStatus: Record<TopicStatus, number>; unreadable: number };
  index: IndexReport & { inSync: boolean; problems: number };
  transcripts: { sessions: number; turns: number };
  lastDream: string | null;
  /** Whether a dream is due, and why; the last dream's id and changes. */
  dream: { due: boolean; reasons: string[]; last: DreamSummary | null };
  openTasks: { id: string; goal: string; status: string; updated: string; notes: number }[];
  problems: { file: string; message: string }[];
  /** The optional semantic stage (an `embeddings` section): vectors stored, items queued, the last failure. */
  embeddings?: { embedder: string; mode: 'lexical' | 'hybrid'; embedded: number; queued: number; failing: number; lastError?: string };
  /** What the guard did: secrets redacted, writes quarantined (and still held), bodies withheld. */
  guard: {
    redactions: number;
    quarantined: number;
    held: number;
    withheld: number;
    transcriptFlagged: number;
    /** Flagged transcript turns a person approved (recalled fenced) or rejected (withheld), by their current decision. */
    transcriptReviewed: { approved: number; rejected: number };
  };
}

/** A task of the library API: stage notes, observe, then complete (verify) or fail; what the tools drive, plus abandon. */
export interface TaskHandle extends ToolTaskHandle {
  abandon(reason?: string): Promise<TaskRecord>;
}

/** A memory root opened for use: the library API that the CLI, MCP and agents share. */
export interface Memory extends DreamApi {
  /** The folder the engine works on: the memory root, or for a memory in PostgreSQL this process's working copy of it. */
  readonly root: string;
  /** Where the memory lives when it is not the folder itself: the database (URL without its password) and the working copy. */
  readonly store?: MemoryStoreLocation;
  readonly workspace: string;
  readonly config: MnemoConfig;
  /** What a person should know about this opening (a search index kept in memory because `.state/` cannot be written). */
  readonly warnings: readonly string[];
  /**
   * Remember a fact. A person's fact (the default source) is written at once, trusted; from any
   * other source it is staged in a task and reaches memory only when that task is verified.
   */
  remember(input: RememberInput): Promise<RememberResult>;
  /** Open a task: its notes reach memory only after `complete()` passes its verification. */
  beginTask(input: BeginTaskInput): Promise<TaskHandle>;
  /** A handle on an existing task. */
  task(id: string): Promise<TaskHandle>;
  tasks: {
    list(options?: { all?: boolean }): Promise<TaskRecord[]>;
    /** A person's approval of a task held by `confirm` mode. */
    approve(id: string): Promise<CompleteResult>;
  };
  /** Writes the guard held: never recalled, never loaded, until a person approves them. */
  quarantine: {
    list(options?: { all?: boolean }): Promise<QuarantineItem[]>;
    show(id: string): Promise<QuarantineItem>;
    /** A person vouches: the guard runs again, then the topic is written. */
    approve(id: string): Promise<ApproveResult>;
    reject(id: string, note?: string): Promise<QuarantineItem>;
    /** Transcript turns the guard flagged (ids `<session>#<line>`); high ones are withheld from recall. */
    transcripts(): Promise<TranscriptFinding[]>;
    /** One flagged turn with its text and findings, for review; undefined when there is no such turn. */
    showTurn(id: string): Promise<(TranscriptFinding & { text: string; findings: TranscriptGuardRecord['findings'] }) | undefined>;
    /** A person vouches for a flagged turn (`<session>#<line>`): recall returns it flagged and fenced instead of withheld. */
    approveTurn(id: string, note?: string): Promise<TranscriptFinding>;
    /** A person refuses a flagged turn: recall withholds it, whatever its severity. */
    rejectTurn(id: string, note?: string): Promise<TranscriptFinding>;
  };
  /** What changed outside mnemo (re-scanned), unreadable files, index problems; repairs what is safe. */
  doctor(options?: DoctorOptions): Promise<DoctorReport>;
  /** Ranked topics (and turns with `deep`) within the budgets, as text and as data. */
  recall(query: string, options?: RecallOptions): Promise<RecallResult>;
  list(filter?: ListFilter): Promise<TopicSummary[]>;
  /**
   * The topics that belong in the index but are not in the index text an agent loads (over its
   * budget): how many, and the first `limit` by slug. Costs what the index lists, not the memory.
   */
  leftOutOfIndex(limit: number): Promise<{ count: number; first: string[] }>;
  /**
   * The readable topics of a type, a status, or an untrusted provenance, from the search rows:
   * what the answer costs, not the memory (no full scan of the folder, unlike `list`, so a file
   * rewritten in place by hand shows after the next full scan). For hooks that run on every session.
   */
  find(filter: FindFilter): Promise<TopicSummary[]>;
  /**
   * How rare words are among the readable topics, for weighing a prompt's words (the per-prompt
   * hook): the number of topics, the number whose name, description or tags carry a stem
   * (`stemTerm`), and the tags of the given topics. Costs what its answer costs, not the memory's size.
   */
  termStatistics(slugs: readonly string[]): Promise<TermStatistics>;
  show(reference: string): Promise<ShowResult>;
  /**
   * Check evidence now (all topics with `all`, or the given slugs), record the verdicts, mark
   * contradicted topics suspect and heal what can be healed mechanically.
   */
  verify(options?: { slugs?: string[]; all?: boolean } & Omit<CheckOptions, 'force'>): Promise<VerifyReport>;
  /** A person's heal: a new body (and optionally new evidence) replaces the topic; the old version goes to the trash. */
  heal(
    slug: string,
    body: string,
    options?: { evidence?: Evidence[] },
  ): Promise<{ outcome: TopicCheckOutcome; previousVersion: string | undefined }>;
  /** Move a topic to `.state/trash/` and drop its index line. */
  forget(slug: string, options?: { reason?: string; actor?: string }): Promise<ForgetResult>;
  /** Append events to a session transcript. */
  log(session: string, events: TranscriptEventInput | TranscriptEventInput[]): Promise<LogResult>;
  /** Import a transcript file: mnemo's JSONL events, or a Claude Code session with `from: 'claude-code'`. */
  importSession(file: string, options?: { session?: string; from?: TranscriptFormat }): Promise<ImportResult>;
  /** Re-render MEMORY.md from the topics. */
  renderIndex(): Promise<IndexReport>;
  /**
   * After git changed the files (`mnemo git sync`): topics whose hash the integrity manifest does
   * not know, and whose bytes are the ones committed at HEAD (`committed`, which `src/git`
   * supplies), are scanned by the guard; clean ones are recorded as arrived through git, flagged
   * ones and uncommitted edits are left for `mnemo doctor` and recall's screen.
   */
  recordGitArrivals(committed: CommittedCheck): Promise<GitArrivals>;
  /** The index: MEMORY.md when it agrees with the topics, else freshly rendered. */
  indexText(): Promise<string>;
  /** The index as it goes into an agent's context: `indexText()` with each untrusted topic's line fenced as data, with its provenance. */
  agentIndexText(): Promise<string>;
  /** Compare MEMORY.md with the topics without writing. */
  checkIndex(): Promise<IndexCheck>;
  /** Rebuild `.state/search.db` from the files; with `embeddings`, also embed every topic and turn again (an embedder must be configured). */
  reindex(options?: ReindexOptions): Promise<ReindexReport>;
  /** The semantic stage's state, when an embedder is configured: vectors stored, items queued, the last failure. */
  embeddings: EmbeddingsStatus | undefined;
  status(): Promise<MemoryStatus>;
  /**
   * The memory tools (recall, remember, tasks, …) in the Vercel AI SDK format:
   * `generateText({ model, tools: memory.tools() })`. The same tools the MCP server offers.
   */
  tools(options?: AiToolsOptions): ToolSet;
  /**
   * An agent working in the workspace with this memory in the loop: `memory.agent({ model }).run(task, { verify })`.
   * Every run is a task; only a passing verification promotes what it staged.
   */
  agent(options?: AgentOptions): Agent;

  /** Read-only records for review: audit trail, trash versions, verdicts, dreams, guard events, transcripts. */
  records: MemoryRecords;
  close(): void;
}

/** Create a memory root (idempotent). */
export async function initMemory(options: Pick<OpenMemoryOptions, 'dir' | 'cwd' | 'env'> = {}): Promise<InitResult> {
  const { root } = loadConfig({ dir: options.dir, cwd: options.cwd ?? process.cwd(), env: options.env });
  return initRoot(root);
}

function summarize(topic: CatalogTopic, verified: ReadonlyMap<string, string>): TopicSummary {
  if (!topic.readable) return { slug: topic.slug, readable: false, error: topic.error };
  const { meta } = topic;
  return {
    slug: topic.slug,
    readable: true,
    name: meta.name,
    description: meta.description,
    type: meta.type,
    status: meta.status,
    id: meta.id,
    updated: meta.updated,
    verified: verifiedAt(verified.get(topic.slug), meta.verified),
    tags: meta.tags,
    trust: meta.source?.trust,
    problems: topic.problems,
  };
}

async function embeddingsStatus(status: EmbeddingsStatus | undefined): Promise<Pick<MemoryStatus, 'embeddings'>> {
  if (!status) return {};
  const counts = await status.counts().catch(() => undefined);
  const { lastError, ...rest } = counts ?? { embedded: 0, queued: 0, failing: 0, lastError: 'the vector index cannot be opened' };
  return { embeddings: { embedder: status.embedder, mode: status.mode, ...rest, ...(lastError === undefined ? {} : { lastError }) } };
}

/**
 * Open a memory root. Reads never change the memory files; the derived search index in
 * `.state/` is created or refreshed as needed.
 */
export async function openMemory(options: OpenMemoryOptions = {}): Promise<Memory> {
  const loaded = loadConfig({
    dir: options.dir,
    workspace: options.workspace,
    memory: options.memory,
    cwd: options.cwd ?? process.cwd(),
    env: options.env,
    overrides: options.config,
  });
  if (loaded.config.store.kind === 'postgres') {
    // The memory lives in PostgreSQL: the engine runs on this process's working copy of it.
    return openReplicatedMemory(loaded, loaded.config.store.url, options);
  }
  if (options.create) await initRoot(loaded.root);
  assertMemoryRoot(loaded.root);
  return openMemoryAt(loaded, loaded.root, options);
}

/** The engine on the memory root `root` (the root of the config, or a PostgreSQL memory's working copy). */
async function openMemoryAt(
  loaded: LoadedConfig,
  root: string,
  options: OpenMemoryOptions,
  expose?: (parts: { search: SearchIndex }) => void,
): Promise<Memory> {
  const { config, workspace, environment, fixedNow } = loaded;
  const clock = options.clock ?? (fixedNow ? createManualClock(fixedNow) : systemClock);
  const logger = options.logger ?? createStderrLogger(config.logLevel);
  const paths = rootPaths(root);
  const search = SearchIndex.open({ root, dbPath: paths.searchDb, logger });
  expose?.({ search });
  // Only with an `embeddings` section: sqlite-vec and the embedder's SDK are loaded on first use.
  const semantic = createSemantic({ config, root, search, logger, apiKey: loaded.embeddingsApiKey });
  const newId = createIdGenerator(clock);
  const usage = new UsageLog(root);
  const rankUsage = new RankUsage(root);
  const manifest = new ManifestReader(root);
  const writer = new MemoryWriter({
    root,
    config,
    clock,
    logger,
    search,
    newId,
    usage: () => rankUsage.counts(),
    ...(options.onPhase ? { onPhase: options.onPhase } : {}),
  });
  const dreams = createDreamApi({
    root,
    workspace,
    config,
    clock,
    logger,
    search,
    writer,
    newId,
    usage,
    environment,
    modelApiKey: loaded.modelApiKey,
    model: options.model,
    onDreamPhase: options.onDreamPhase,
  });
  const transcriptOptions = { root, clock, writes: config.writes };
  const guard = new WriteGuard({ root, workspace, clock });
  const evidence = new EvidenceService({ root, workspace, config, clock, writer, environment });
  const tasks = new TaskService({
    root,
    workspace,
    config,
    clock,
    search,
    writer,
    newId,
    guard,
    evidenceFor: (body, explicit, trust) => evidence.evidenceFor(body, explicit, trust),
  });
  const handle = (task: TaskRecord): TaskHandle => ({
    id: task.id,
    session: task.session,
    note: (input) => tasks.note(task.id, input),
    observe: (kind, text) => tasks.observe(task.id, { kind, text }),
    complete: (completeOptions = {}) => tasks.complete(task.id, completeOptions),
    fail: (reason) => tasks.close(task.id, 'failed', reason),
    abandon: (reason = 'abandoned') => tasks.close(task.id, 'abandoned', reason),
    show: () => tasks.store.get(task.id),
  });

  const reviewTurn = (id: string, decision: 'approved' | 'rejected', note: string | undefined): Promise<TranscriptFinding> => {
    writer.assertWritable(`${decision === 'approved' ? 'approve' : 'reject'} ${id}`);
    return reviewTranscriptTurn(root, id, decision, {
      by: 'user',
      now: () => clock.now().toISOString(),
      ...(note === undefined ? {} : { note }),
    });
  };

  const memory: Memory = {
    root,
    workspace,
    config,
    warnings: search.fallback === undefined ? [] : [search.fallback],
    remember: (input) => semantic.afterWrite(rememberFact({ writer, tasks, guard, evidence }, input)),
    beginTask: async (input) => handle(await tasks.begin(input)),
    task: async (id) => handle(await tasks.store.get(id)),
    tasks: {
      list: (listOptions = {}) => tasks.store.list(listOptions),
      approve: (id) => tasks.approve(id, { actor: 'user' }),
    },
    quarantine: {
      list: (listOptions = {}) => guard.quarantine.list(listOptions),
      show: (id) => guard.quarantine.get(id),
      approve: (id) => approveQuarantined({ guard, writer, root, now: () => clock.now().toISOString() }, id),
      reject: (id, note) => rejectQuarantined({ guard, root, now: () => clock.now().toISOString() }, id, 'user', note),
      transcripts: () => listTranscriptFindings(root),
      showTurn: (id) => showTranscriptFinding(root, id),
      approveTurn: (id, note) => reviewTurn(id, 'approved', note),
      rejectTurn: (id, note) => reviewTurn(id, 'rejected', note),
    },
    doctor: (doctorOptions = {}) => runDoctor({ root, writer, search }, doctorOptions),
    recall: (query, recallOptions) =>
      recallMemory(
        { root, search, budget: config.recall, clock, evidence, manifest, ...(semantic.stage ? { semantic: semantic.stage } : {}) },
        query,
        recallOptions,
      ),
    verify: async ({ slugs, all, ...checkOptions } = {}) => {
      await search.sync();
      const wanted = all || slugs === undefined || slugs.length === 0 ? search.catalog().map((topic) => topic.slug) : slugs;
      const topics: StoredTopic[] = [];
      for (const slug of wanted) {
        const read = await readTopicFile(root, slug);
        if (read.status === 'missing') throw new MnemoError('not-found', `No topic ${slug}.`, { hint: 'See `mnemo list`.' });
        if (read.status === 'ok' && (read.topic.meta.status === 'active' || read.topic.meta.status === 'suspect')) topics.push(read.topic);
      }
      return evidence.check(topics, {
        ...checkOptions,
        force: true,
        budgetMs: checkOptions.budgetMs ?? Math.max(config.verification.budgetMs, 10_000),
      });
    },
    heal: (slug, body, healOptions = {}) => semantic.afterWrite(evidence.healByHand(slug, body, healOptions)),
    leftOutOfIndex: async (limit) => {
      const text = await writer.loadableIndexText();
      const listed = new Set(parseIndex(text).lines.flatMap((line) => (line.slug === undefined ? [] : [line.slug])));
      return search.indexableOutside(listed, limit);
    },
    find: async (filter) => {
      await search.sync();
      const topics = search.topicsWhere(filter);
      const verified = await readVerifiedTimesOf(
        root,
        topics.map((topic) => topic.slug),
      );
      return topics.map((topic) => summarize(topic, verified));
    },
    termStatistics: async (slugs) => {
      await search.sync();
      const { topics, frequency } = search.termStatistics();
      const tags = new Map(search.topicsBySlug(slugs).map((topic) => [topic.slug, topic.readable ? topic.meta.tags : []]));
      return { topics, frequency, tags };
    },
    list: async (filter = {}) => {
      // Every topic is in the answer: a full scan costs no more than the answer itself.
      await search.sync({ full: true });
      const verified = await readVerifiedTimes(root);
      return search
        .catalog()
        .filter((topic) => {
          if (!topic.readable) return filter.type === undefined && filter.status === undefined;
          return (
            (filter.type === undefined || topic.meta.type === filter.type) &&
            (filter.status === undefined || topic.meta.status === filter.status)
          );
        })
        .map((topic) => summarize(topic, verified));
    },
    show: async (reference) => {
      await search.sync();
      const found = search.lookup(reference);
      const slug = found?.slug ?? reference;
      const read =
        found || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(reference) ? await readTopicFile(root, slug) : { status: 'missing' as const };
      if (read.status === 'missing') {
        return { found: false, reference, message: `No topic ${JSON.stringify(reference)}; see mnemo list.` };
      }
      if (read.status === 'unreadable') return { found: true, slug, path: read.path, unreadable: read.error };
      const text = await readFile(read.topic.path, 'utf8');
      const agent =
        read.topic.meta.source?.trust === 'untrusted' ? fenceTopicText(text, read.topic.meta.source, await memoryFence(root)) : { text };
      return {
        found: true,
        slug,
        path: read.topic.path,
        meta: read.topic.meta,
        body: read.topic.body,
        problems: read.topic.problems,
        text,
        agentText: agent.text,
        ...(agent.fenced === undefined ? {} : { fenced: agent.fenced }),
        checks: await evidence.history(slug),
        verified: await evidence.verifiedAt(slug, read.topic.meta.verified),
      };
    },
    forget: (slug, forgetOptions = {}) => writer.forget(slug, forgetOptions),
    log: (session, events) => semantic.afterWrite(logEvents(transcriptOptions, session, Array.isArray(events) ? events : [events])),
    importSession: (file, importOptions = {}) =>
      semantic.afterWrite(importTranscriptFile(transcriptOptions, file, importOptions.session, importOptions.from ?? 'mnemo')),
    renderIndex: () => writer.renderIndex(),
    recordGitArrivals: (committed) => writer.recordGitArrivals(committed),
    checkIndex: () => writer.checkIndex(),
    indexText: () => writer.loadableIndexText(),
    agentIndexText: async () => {
      const text = await writer.loadableIndexText();
      // Only untrusted topics' lines are fenced: those are read through their index, not every row.
      const sources = new Map(
        search.topicsWhere({ trust: 'untrusted' }).map((topic) => [topic.slug, topic.readable ? topic.meta.source : undefined]),
      );
      if (sources.size === 0) return text;
      return fenceIndexText(text, sources, await memoryFence(root)).text;
    },
    reindex: async (reindexOptions = {}) => {
      const report = await semantic.reindex(reindexOptions);
      const verifiedMoved = await writer.moveVerifiedTimes();
      return verifiedMoved.length > 0 ? { ...report, verifiedMoved } : report;
    },
    embeddings: semantic.status,
    ...dreams,
    status: async () => {
      const report = await search.sync({ full: true });
      const dreamState = await dreams.dreamStatus();
      const check = await writer.checkIndex();
      const catalog = search.catalog();
      const problems = new Map(report.problems.map((problem) => [`${problem.file}: ${problem.message}`, problem]));
      for (const topic of catalog) {
        if (!topic.readable) problems.set(`${topic.slug}.md: ${topic.error}`, { file: `${topic.slug}.md`, message: topic.error });
      }
      const byType = Object.fromEntries(TOPIC_TYPES.map((type) => [type, 0])) as Record<TopicType, number>;
      const byStatus = Object.fromEntries(TOPIC_STATUSES.map((status) => [status, 0])) as Record<TopicStatus, number>;
      let unreadable = 0;
      for (const topic of catalog) {
        if (!topic.readable) unreadable += 1;
        else {
          byType[topic.meta.type] += 1;
          byStatus[topic.meta.status] += 1;
        }
      }
      const counts = search.counts();
      return {
        root,
        workspace,
        writes: config.writes,
        topics: { total: catalog.length, byType, byStatus, unreadable },
        index: { ...check.report, inSync: check.ok, problems: check.problems.length },
        transcripts: { sessions: counts.sessions, turns: counts.turns },
        lastDream: dreamState.last?.time ?? null,
        dream: { due: dreamState.due.due, reasons: dreamState.due.reasons, last: dreamState.last ?? null },
        guard: await (async () => {
          const totals = await guardTotals(root);
          const decisions = [...(await readTranscriptReviews(root).catch(() => new Map())).values()];
          return {
            redactions: totals.redacted,
            quarantined: totals.quarantined,
            held: (await guard.quarantine.list()).length,
            withheld: totals.withheld,
            transcriptFlagged: totals.flagged,
            transcriptReviewed: {
              approved: decisions.filter((review) => review.decision === 'approved').length,
              rejected: decisions.filter((review) => review.decision === 'rejected').length,
            },
          };
        })(),
        openTasks: (await tasks.store.list()).map((task) => ({
          id: task.id,
          goal: task.goal,
          status: task.status,
          updated: task.updated,
          notes: task.notes.length,
        })),
        problems: [...problems.values()],
        ...(await embeddingsStatus(semantic.status)),
      };
    },
    tools: (toolOptions) => aiSdkTools(memory, toolOptions),
    agent: (agentOptions) => createAgent(memory, config, options.env, agentOptions),

    records: createMemoryRecords(root, search),
    close: () => {
      semantic.stage?.close();
      search.close();
    },
  };
  return memory;
}

/*
 * A memory that lives in PostgreSQL (`store: { kind: "postgres" }` or MNEMO_DATABASE_URL): the
 * engine opened on this process's working copy (store/postgres-replica.ts), with every call of
 * the library API going through the copy: reads pull what other processes committed first; writes
 * run under the fleet writer lock inside one transaction and push what they changed. So every
 * process pointed at one database (CLI commands, `mnemo mcp --http` servers, the dashboard, the
 * daemon) serves one memory with the same discipline, guard and dream.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wraps methods of any signature
type AnyAsync = (...args: any[]) => Promise<any>;

/** Just these methods of `target`, each run through `through`. */
function wrapAll<T extends object, K extends keyof T>(
  target: T,
  keys: readonly K[],
  through: (work: () => Promise<unknown>) => Promise<unknown>,
): Pick<T, K> {
  const wrapped: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const method = target[key] as unknown as AnyAsync;
    wrapped[key] = (...args: unknown[]) => through(() => method(...args));
  }
  return wrapped as Pick<T, K>;
}

function wrapHandle(handle: TaskHandle, replica: PostgresReplica): TaskHandle {
  return {
    ...handle,
    note: (input) => replica.write(() => handle.note(input)),
    observe: (kind, text) => replica.write(() => handle.observe(kind, text)),
    complete: (options) => replica.write(() => handle.complete(options)),
    fail: (reason) => replica.write(() => handle.fail(reason)),
    abandon: (reason) => replica.write(() => handle.abandon(reason)),
    show: () => replica.read(() => handle.show()),
  };
}

/** Open the memory at `url` through a working copy of it (created, or brought up to date). */
async function openReplicatedMemory(loaded: LoadedConfig, url: string, options: OpenMemoryOptions): Promise<Memory> {
  const replica = await openPostgresReplica({
    url,
    env: loaded.environment,
    listen: true,
    ...(options.create ? { migrate: true } : {}),
  });
  let inner: Memory;
  try {
    await initRoot(replica.root);
    let search: SearchIndex | undefined;
    inner = await openMemoryAt(loaded, replica.root, options, (parts) => (search = parts.search));
    // Topics a pull brings are mnemo's writes (another process's): their rows are refreshed, not found by a scan of everything.
    replica.setPullHook(async (apply) => {
      const inStep = search?.inStep() ?? false;
      const report = await apply();
      if (search && report.topics.length > 0) {
        await search.recordWrite(report.topics);
        if (inStep) search.markInStep();
      }
      return report;
    });
  } catch (error) {
    await replica.close();
    throw error;
  }
  const read = <T>(work: () => Promise<T>): Promise<T> => replica.read(work);
  const write = <T>(work: () => Promise<T>): Promise<T> => replica.write(work);
  const store: MemoryStoreLocation = { kind: 'postgres', database: replica.location, workingCopy: replica.root };
  const memory: Memory = {
    ...inner,
    ...wrapAll(
      inner,
      [
        'recall',
        'list',
        'find',
        'leftOutOfIndex',
        'termStatistics',
        'show',
        'indexText',
        'agentIndexText',
        'checkIndex',
        'status',
        'dreamStatus',
        'reindex',
      ],
      read,
    ),
    ...wrapAll(
      inner,
      [
        'remember',
        'doctor',
        'verify',
        'heal',
        'forget',
        'log',
        'importSession',
        'renderIndex',
        'recordGitArrivals',
        'dream',
        'rollbackDream',
      ],
      write,
    ),
    status: () => read(async () => ({ ...(await inner.status()), store })),
    root: inner.root,
    store,
    workspace: inner.workspace,
    config: inner.config,
    warnings: inner.warnings,
    embeddings: inner.embeddings,
    beginTask: (input) => write(async () => wrapHandle(await inner.beginTask(input), replica)),
    task: (id) => read(async () => wrapHandle(await inner.task(id), replica)),
    tasks: {
      list: (listOptions) => read(() => inner.tasks.list(listOptions)),
      approve: (id) => write(() => inner.tasks.approve(id)),
    },
    quarantine: {
      ...inner.quarantine,
      ...wrapAll(inner.quarantine, ['list', 'show', 'transcripts', 'showTurn'], read),
      ...wrapAll(inner.quarantine, ['approve', 'reject', 'approveTurn', 'rejectTurn'], write),
    },
    records: wrapAll(inner.records, Object.keys(inner.records) as (keyof Memory['records'])[], read),
    tools: (toolOptions) => aiSdkTools(memory, toolOptions),
    agent: (agentOptions) => createAgent(memory, inner.config, options.env, agentOptions),
    close: () => {
      inner.close();
      void replica.close();
    },
  };
  return memory;
}
