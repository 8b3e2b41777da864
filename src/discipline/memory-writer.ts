import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isClaudeMemoryFolder, type MnemoConfig } from '../config/index.js';
import { MnemoError, isoSeconds, sha256, slugify, withLock, type Clock, type Logger } from '../shared/index.js';
import type { SearchIndex } from '../retrieval/index.js';
import {
  indexHasRoomFor,
  parseIndex,
  readTopicFile,
  renderIndexLine,
  mergeIndexInPlace,
  rootPaths,
  serializeTopic,
  writeIndexFile,
  type StoredTopic,
  type TopicMeta,
  type TopicSource,
} from '../store/index.js';
import {
  applyChangeSet,
  findConflicts,
  listJournals,
  recoverJournals,
  type ChangeSet,
  type Conflict,
  type ConflictPolicy,
  type PhaseHook,
} from './change-set.js';
import { isRecorded, readManifest, recordInManifest } from './integrity-manifest.js';
import { moveVerifiedToState } from './verified-migration.js';
import { recordGitArrivals, type CommittedCheck, type GitArrivals } from './git-arrivals.js';
import type { UsageCounts } from './index-ranking.js';
import {
  computeBoundedIndex,
  computeFullIndex,
  indexIsCurrent,
  recordIndexState,
  type ComputedIndex,
  type IndexReport,
} from './index-renderer.js';
import { parseTopicInput, type TopicInput } from './topic-input.js';
import { newTombstone } from './tombstone-files.js';
import { tombstoneRetirement } from './tombstone-retirement.js';
import { planTombstonePruning, type TombstonePruning } from './tombstone-pruning.js';

export interface MemoryWriterOptions {
  root: string;
  config: MnemoConfig;
  clock: Clock;
  logger: Logger;
  search: SearchIndex;
  newId: () => string;
  /** Recall counts per slug, used to rank the index. */
  usage?: () => UsageCounts;
  /** Fault injection for crash tests: called at each phase of a change. */
  onPhase?: PhaseHook;
}

export type { IndexReport } from './index-renderer.js';

export type IndexProblem =
  | { kind: 'dangling'; slug: string; lineNumber: number; message: string }
  | { kind: 'missing'; slug: string; message: string }
  | { kind: 'duplicate'; slug: string; lineNumber: number; message: string }
  | { kind: 'stale'; slug: string; lineNumber: number; message: string }
  | { kind: 'invalid-link'; lineNumber: number; message: string }
  | { kind: 'foreign-line'; lineNumber: number; message: string };

export interface IndexCheck {
  ok: boolean;
  problems: IndexProblem[];
  report: IndexReport;
}

export interface CommitResult {
  journalId: string;
  /** Previous versions kept, slug → trash path. */
  backups: Record<string, string>;
  index: IndexReport;
}

export interface WriteResult {
  slug: string;
  id: string;
  path: string;
  created: boolean;
  /** Where the previous version was kept, when this replaced one. */
  previousVersion?: string;
  index: IndexReport;
}

export interface ForgetResult {
  slug: string;
  trashPath: string;
  /** The tombstone committed with the memory (`tombstones/<file>`), so the topic is retired on every clone after a pull; absent in a Claude Code folder. */
  tombstone?: string;
  index: IndexReport;
}

/**
 * The only writer of topics and of the index. Every change takes the memory lock, finishes any
 * change a crash interrupted, writes topics (through a journal) before the index, and leaves one
 * audit line per change.
 */
export class MemoryWriter {
  private readonly options: MemoryWriterOptions;

  constructor(options: MemoryWriterOptions) {
    this.options = options;
  }

  private get root(): string {
    return this.options.root;
  }

  /**
   * Run `work` under the memory lock, after finishing interrupted changes and (unless
   * `applyTombstones: false`, for a reader that promises to change nothing) retiring topics whose
   * tombstone a pull brought.
   */
  async locked<T>(purpose: string, work: () => Promise<T>, options: { applyTombstones?: boolean } = {}): Promise<T> {
    const { clock, logger } = this.options;
    return withLock(join(rootPaths(this.root).locks, 'memory.lock'), { purpose, clock, staleMs: 60_000 }, async () => {
      const { search } = this.options;
      // Under the lock only this process bumps the write counter: read once, then known.
      const releaseCounter = search.holdWriteCounter();
      try {
        const journals = await listJournals(this.root);
        if (journals.length > 0) {
          const inStep = search.inStep();
          const finished = await recoverJournals(this.root, logger, journals);
          if (finished.length > 0) {
            const slugs = finished.flatMap((change) => change.slugs);
            await search.recordWrite(slugs);
            if (inStep) search.markInStep();
            const { indexHash } = await this.writeIndex();
            await recordInManifest(this.root, slugs, { index: indexHash });
          }
        }
        if (options.applyTombstones !== false) await this.applyTombstonesLocked();
        return await work();
      } finally {
        releaseCounter();
      }
    });
  }

  /**
   * Retire the topics whose tombstone came from another clone (a `forget` or a dream there, then a
   * pull) and which are still in the folder here: to the trash, one audit line each, the index
   * follows. Runs before every write; `mnemo git sync` and `mnemo doctor` run it too. Returns the
   * slugs retired; nothing in a Claude Code folder or when writes are off.
   */
  async applyTombstonesLocked(): Promise<string[]> {
    const mode = this.options.config.writes;
    if (this.keptInPlace || mode === 'read-only' || mode === 'off') return [];
    const retirement = await tombstoneRetirement(this.root);
    if (retirement === undefined) return [];
    const { conflicts } = await this.commitLocked(retirement.changes, { onConflict: 'skip' });
    return retirement.slugs.filter((slug) => !conflicts.some((conflict) => conflict.slug === slug));
  }

  /**
   * Prune the tombstones older than `tombstones.keepDays` that nothing here or on a branch of the
   * repository still needs (see `planTombstonePruning`): each copied to `.state/trash/tombstones/`,
   * one audit line each, in one journaled change. With `dryRun`, only what it would prune. Under
   * the lock; nothing in a Claude Code folder or when writes are off.
   */
  async pruneTombstonesLocked(options: { dryRun?: boolean } = {}): Promise<TombstonePruning> {
    const mode = this.options.config.writes;
    if (this.keptInPlace || mode === 'read-only' || mode === 'off') return { pruned: [], kept: [] };
    const plan = await planTombstonePruning(this.root, {
      now: this.options.clock.now(),
      keepDays: this.options.config.tombstones.keepDays,
    });
    if (plan.changes !== undefined && options.dryRun !== true) await this.commitLocked(plan.changes);
    return { pruned: plan.pruned, kept: plan.kept };
  }

  /** Refuse writes in `read-only` and `off` modes, with the way out. */
  assertWritable(what: string): void {
    const mode = this.options.config.writes;
    if (mode === 'read-only' || mode === 'off') {
      throw new MnemoError('write-refused', `Cannot ${what}: memory writes are set to "${mode}".`, {
        hint: 'Set "writes": "auto" (or "confirm") in mnemo.config.json, or unset MNEMO_WRITES, to allow writes.',
      });
    }
  }

  /**
   * Apply a change set under the lock: conflicts with files changed since the caller read them
   * abort it (or are skipped with `onConflict: 'skip'`), then topics, then the index.
   */
  async commit(changes: ChangeSet, options: { onConflict?: ConflictPolicy } = {}): Promise<CommitResult & { conflicts: Conflict[] }> {
    return this.locked(changes.reason, () => this.commitLocked(changes, options));
  }

  /** `commit` for a caller that already holds the lock. */
  async commitLocked(
    changes: ChangeSet,
    options: { onConflict?: ConflictPolicy; preferIndexText?: string; verbatim?: boolean } = {},
  ): Promise<CommitResult & { conflicts: Conflict[] }> {
    const conflicts = await findConflicts(this.root, changes);
    let effective = changes;
    if (conflicts.length > 0) {
      if ((options.onConflict ?? 'abort') === 'abort') {
        throw new MnemoError('check-failed', `The memory changed while this was prepared: ${conflicts.map((c) => c.slug).join(', ')}.`, {
          hint: 'Run the command again; it will work on the current files.',
        });
      }
      const skip = new Set(conflicts.map((conflict) => conflict.slug));
      effective = {
        ...changes,
        writes: changes.writes.filter((write) => !skip.has(write.slug)),
        removals: changes.removals.filter((removal) => !skip.has(removal.slug)),
        audit: changes.audit.filter((entry) => entry.slug === undefined || !skip.has(entry.slug)),
      };
    }
    // No `verified` time goes into a topic file: an older one is moved to .state/verdicts first.
    // `verbatim` (a rollback restoring exact bytes) writes the content as given.
    if (options.verbatim !== true) effective = { ...effective, writes: await moveVerifiedToState(this.root, effective.writes) };
    const { search } = this.options;
    // In step before: the only change to the folder until the end of this commit is ours, so the
    // search index can stay in step by updating just the rows this change touched.
    const inStep = search.inStep();
    const { written, ...applied } = await applyChangeSet(this.root, effective, this.options.clock, this.options.onPhase);
    const slugs = [...effective.writes, ...effective.removals].map((item) => item.slug);
    // What was just written is known: the rows and the manifest take it rather than read it back.
    await search.recordWrite(slugs, written);
    if (inStep) search.markInStep();
    const { report: index, indexHash } = await this.writeIndex(options.preferIndexText, slugs);
    const topics = new Map([...written].map(([slug, file]) => [slug, sha256(file.content)]));
    await recordInManifest(this.root, slugs, { topics, index: indexHash });
    await this.options.onPhase?.('index-written');
    return { ...applied, index, conflicts };
  }

  private uniqueSlug(base: string): string {
    const taken = (slug: string) => existsSync(join(this.root, `${slug}.md`)) || this.options.search.lookup(slug) !== undefined;
    if (!taken(base)) return base;
    for (let counter = 2; ; counter += 1) {
      const candidate = `${base}-${counter}`;
      if (!taken(candidate)) return candidate;
    }
  }

  /**
   * Write a topic a person asserted (trusted), or update the topic with the same slug: its old
   * version goes to the trash, its id, creation time and unknown fields are kept.
   */
  async remember(input: TopicInput & { source?: TopicSource; actor?: string }): Promise<WriteResult> {
    this.assertWritable('remember');
    const valid = parseTopicInput(input);
    const { clock } = this.options;
    return this.locked('remember', async () => {
      await this.options.search.sync({ transcripts: false });
      let slug = valid.slug !== undefined ? valid.slug : slugify(valid.name);
      let existing = await readTopicFile(this.root, slug);
      if (valid.slug === undefined && existing.status === 'ok' && existing.topic.meta.name.toLowerCase() !== valid.name.toLowerCase()) {
        // Another topic owns this slug: a new name gets a new file, never overwrites it.
        slug = this.uniqueSlug(slug);
        existing = await readTopicFile(this.root, slug);
      }
      if (existing.status === 'unreadable') {
        throw new MnemoError('invalid-input', `${slug}.md exists but cannot be read: ${existing.error}.`, {
          hint: `Fix or rename ${existing.path} first (mnemo doctor shows every such file); it was not changed.`,
        });
      }
      const previous = existing.status === 'ok' ? existing.topic : undefined;
      const now = isoSeconds(clock.now());
      const meta: TopicMeta = {
        ...(previous?.meta ?? { status: 'active', supersedes: [], links: [], evidence: [], tags: [] }),
        name: valid.name,
        description: valid.description,
        type: valid.type,
        id: previous?.meta.id ?? this.options.newId(),
        created: previous?.meta.created ?? now,
        updated: now,
        status: 'active',
        source: input.source ?? { kind: 'user', trust: 'trusted' },
        evidence: valid.evidence.length > 0 ? valid.evidence : (previous?.meta.evidence ?? []),
        links: valid.links.length > 0 ? valid.links : (previous?.meta.links ?? []),
        tags: valid.tags,
      };
      const content = serializeTopic(meta, valid.body, previous?.frontmatter);
      const result = await this.commitLocked({
        reason: 'remember',
        writes: [{ slug, content, expectHash: previous ? previous.hash : null }],
        removals: [],
        audit: [
          { action: previous ? 'topic-updated' : 'topic-created', slug, id: meta.id, actor: input.actor ?? 'user', reason: 'remember' },
        ],
      });
      return {
        slug,
        id: meta.id as string,
        path: join(this.root, `${slug}.md`),
        created: previous === undefined,
        ...(result.backups[slug] ? { previousVersion: result.backups[slug] } : {}),
        index: result.index,
      };
    });
  }

  /** Move a topic to `.state/trash/` (recoverable), drop its index line, write an audit line. */
  async forget(slug: string, options: { reason?: string; actor?: string } = {}): Promise<ForgetResult> {
    this.assertWritable('forget');
    return this.locked('forget', async () => {
      const existing = await readTopicFile(this.root, slug);
      if (existing.status === 'missing') {
        throw new MnemoError('not-found', `No topic ${slug}.`, { hint: 'See `mnemo list` for the topics there are.' });
      }
      const hash = existing.status === 'ok' ? existing.topic.hash : existing.hash;
      const id = existing.status === 'ok' ? existing.topic.meta.id : undefined;
      const reason = options.reason ?? 'forget';
      const tombstone = this.keptInPlace ? undefined : newTombstone(existing, { now: this.options.clock.now(), by: 'forget', reason });
      const result = await this.commitLocked({
        reason: 'forget',
        writes: [],
        removals: [{ slug, ...(hash ? { expectHash: hash } : {}) }],
        audit: [
          {
            action: 'topic-forgotten',
            slug,
            id,
            actor: options.actor ?? 'user',
            reason,
            ...(tombstone ? { details: { tombstone: tombstone.file } } : {}),
          },
        ],
        ...(tombstone ? { tombstones: [{ file: tombstone.file, content: tombstone.content }] } : {}),
      });
      return {
        slug,
        trashPath: result.backups[slug] ?? '',
        ...(tombstone ? { tombstone: `tombstones/${tombstone.file}` } : {}),
        index: result.index,
      };
    });
  }

  /**
   * The index text to load into an agent's context: MEMORY.md when it agrees with the topics,
   * else the text rendered from the topics now (never lines someone added by hand).
   */
  async loadableIndexText(): Promise<string> {
    if (this.keptInPlace) {
      const current = await readFile(rootPaths(this.root).index, 'utf8').catch(() => '');
      return mergeIndexInPlace(current, (await this.computeIndex()).entries).text;
    }
    await this.options.search.sync({ transcripts: false });
    const current = await readFile(rootPaths(this.root).index, 'utf8').catch(() => undefined);
    // As mnemo rendered it, with nothing changed on disk since: it agrees with the topics.
    if (current !== undefined && (await indexIsCurrent(this.root, current, this.options.search))) return current;
    const check = await this.checkIndex();
    if (check.ok) {
      return readFile(rootPaths(this.root).index, 'utf8').catch(() => '');
    }
    return (await this.computeIndex()).text;
  }

  /** Re-render MEMORY.md for a caller that already holds the lock. */
  async renderIndexLocked(): Promise<IndexReport> {
    const { report, indexHash } = await this.writeIndex();
    await recordInManifest(this.root, [], { index: indexHash });
    return report;
  }

  /**
   * After git changed the files: record the topics that came through it (their bytes are the ones
   * committed at HEAD, says `committed`) and that the guard finds clean, so `mnemo doctor` and
   * recall take them as written by mnemo; flagged ones and uncommitted edits stay unrecorded.
   * Nothing in a Claude Code folder or when writes are off.
   */
  async recordGitArrivals(committed: CommittedCheck): Promise<GitArrivals> {
    const mode = this.options.config.writes;
    if (this.keptInPlace || mode === 'read-only' || mode === 'off') return { arrived: [], flagged: [], local: [] };
    return this.locked('record topics from git', () => recordGitArrivals(this.root, this.options.search, committed), {
      applyTombstones: false,
    });
  }

  /** Re-render MEMORY.md from the topics (under the lock). */
  async renderIndex(): Promise<IndexReport> {
    this.assertWritable('write the index');
    return this.locked('render index', async () => {
      const { report, indexHash } = await this.writeIndex();
      await recordInManifest(this.root, [], { index: indexHash });
      return report;
    });
  }

  private async computeIndex(): Promise<ComputedIndex> {
    const { search, config, clock, root } = this.options;
    await search.sync({ transcripts: false });
    return computeFullIndex({ root, search, config, now: clock.now(), usage: this.options.usage?.() });
  }

  /**
   * Render and write MEMORY.md. `preferred` (a rollback's snapshot of the index) is written instead
   * when it holds exactly the rendered lines, in another order: byte-identical and still correct.
   * Returns, with the report, the hash of MEMORY.md as it is now when that is known without
   * reading it again (for the manifest).
   */
  private async writeIndex(preferred?: string, changed?: readonly string[]): Promise<{ report: IndexReport; indexHash?: string }> {
    if (this.keptInPlace) {
      // Claude Code's MEMORY.md: its lines, wording and order stay; only missing and gone topics change it.
      const { report, entries } = await this.computeIndex();
      const current = await readFile(rootPaths(this.root).index, 'utf8').catch(() => '');
      const merged = mergeIndexInPlace(current, entries);
      if (merged.text === current) return { report };
      await writeIndexFile(this.root, merged.text);
      return { report, indexHash: sha256(merged.text) };
    }
    const { search, config, clock, root } = this.options;
    await search.sync({ transcripts: false });
    // Writing MEMORY.md changes the folder's time: stay in step when nothing else changed it.
    const inStep = search.inStep();
    const context = { root, search, config, now: clock.now(), usage: this.options.usage?.() };
    // After a write, the bounded render (the same bytes, from the top of the rank table); a render
    // asked for (`mnemo index`, dream, doctor, a rollback) ranks every topic and names every one left out.
    const { text, report } = preferred === undefined && changed !== undefined ? computeBoundedIndex(context) : await this.computeIndex();
    const sameLines = (a: string) =>
      a
        .split('\n')
        .filter((line) => line.trim() !== '')
        .sort()
        .join('\n');
    const written = preferred !== undefined && sameLines(preferred) === sameLines(text) ? preferred : text;
    // Most writes at scale leave MEMORY.md's bytes as they are (the topic is not among those it
    // lists): then nothing is written, no fsync, and the folder keeps its time.
    // Compared as bytes: the hash returned below is then that of the file.
    const current = await readFile(rootPaths(this.root).index).catch(() => undefined);
    if (current === undefined || !current.equals(Buffer.from(written, 'utf8'))) {
      await writeIndexFile(this.root, written);
      if (inStep) search.markInStep();
    }
    recordIndexState(this.root, written, report, search);
    // The file holds `written` now: just written, or read above with these very bytes.
    return { report, indexHash: sha256(written) };
  }

  /**
   * Move the `verified` time older topic files carry into `.state/verdicts/` (`doctor --fix`,
   * `reindex`): each such file is written back without it, through the journal, its time kept as a
   * confirmation. Returns the slugs moved; nothing when writes are off or in a Claude Code folder.
   */
  async moveVerifiedTimes(): Promise<string[]> {
    if (this.carriesVerified().length === 0) return [];
    return this.locked('move verified times to .state', () => this.moveVerifiedTimesLocked());
  }

  /** Topic files the index sees with a `verified` time (none when writes are off or in a Claude Code folder). */
  private carriesVerified(): string[] {
    const mode = this.options.config.writes;
    if (this.keptInPlace || mode === 'read-only' || mode === 'off') return [];
    return this.options.search.slugsWithVerifiedField();
  }

  /**
   * The topic files that still carry a `verified` time: `movable`, the ones as mnemo last wrote
   * them (or accepted them), which `moveVerifiedTimesLocked` rewrites; `handEdited`, the ones changed
   * outside mnemo since, left as they are: rewriting one would record it as mnemo's and skip the
   * guard's look at the hand edit. Their field moves with the next write that goes through the guard
   * (or once `doctor --accept` records them).
   */
  async verifiedTimesToMove(): Promise<{ movable: { slug: string; content: string; expectHash: string }[]; handEdited: string[] }> {
    const carrying = this.carriesVerified();
    if (carrying.length === 0) return { movable: [], handEdited: [] };
    const manifest = await readManifest(this.root);
    const movable: { slug: string; content: string; expectHash: string }[] = [];
    const handEdited: string[] = [];
    for (const slug of carrying) {
      const read = await readTopicFile(this.root, slug);
      if (read.status !== 'ok' || read.topic.meta.verified === undefined) continue;
      if (!isRecorded(manifest, slug, read.topic.hash)) handEdited.push(slug);
      else movable.push({ slug, content: await readFile(read.topic.path, 'utf8'), expectHash: read.topic.hash });
    }
    return { movable, handEdited };
  }

  /** `moveVerifiedTimes` for a caller that holds the lock. */
  async moveVerifiedTimesLocked(): Promise<string[]> {
    const { movable: writes } = await this.verifiedTimesToMove();
    if (writes.length === 0) return [];
    const { conflicts } = await this.commitLocked(
      { reason: 'move verified times to .state/verdicts', writes, removals: [], audit: [] },
      { onConflict: 'skip' },
    );
    const skipped = new Set(conflicts.map((conflict) => conflict.slug));
    return writes.map((write) => write.slug).filter((slug) => !skipped.has(slug));
  }

  /**
   * Whether MEMORY.md is kept in place rather than rendered: a Claude Code memory folder, whose
   * index keeps Claude Code's format and every hand-written line (see `mergeIndexInPlace`).
   */
  get keptInPlace(): boolean {
    return isClaudeMemoryFolder(this.root);
  }

  /**
   * Compare MEMORY.md with the topics without writing: lines that point at nothing, topics
   * without a line (and not left out by the budget), duplicates, lines whose text differs.
   */
  async checkIndex(): Promise<IndexCheck> {
    const { report, entries } = await this.computeIndex();
    const text = await readFile(rootPaths(this.root).index, 'utf8').catch(() => '');
    const parsed = parseIndex(text);
    const problems: IndexProblem[] = parsed.problems.map((problem) => ({ kind: 'invalid-link', ...problem }));
    const inPlace = this.keptInPlace;
    // The index holds only what mnemo renders: its title, type headings and topic lines (an index
    // Claude Code keeps holds what its writers put there: headings, prose and hand-written hooks).
    const linkLines = new Set(parsed.lines.map((line) => line.lineNumber));
    text.split(/\r?\n/).forEach((line, index) => {
      if (inPlace) return;
      const trimmed = line.trim();
      if (trimmed === '' || linkLines.has(index + 1) || /^#{1,2} [\p{L} ]{1,40}$/u.test(trimmed)) return;
      problems.push({
        kind: 'foreign-line',
        lineNumber: index + 1,
        message: `line ${index + 1} is not an index line mnemo renders (${JSON.stringify(trimmed.slice(0, 60))}); run mnemo index`,
      });
    });
    const expected = new Map(entries.map((entry) => [entry.slug, entry]));
    const omitted = new Set(report.omitted.map((entry) => entry.slug));
    const seen = new Set<string>();
    for (const line of parsed.lines) {
      if (line.slug === undefined) continue;
      const entry = expected.get(line.slug);
      if (seen.has(line.slug)) {
        problems.push({
          kind: 'duplicate',
          slug: line.slug,
          lineNumber: line.lineNumber,
          message: `line ${line.lineNumber}: ${line.slug} is listed twice`,
        });
        continue;
      }
      seen.add(line.slug);
      if (!entry) {
        problems.push({
          kind: 'dangling',
          slug: line.slug,
          lineNumber: line.lineNumber,
          message: `line ${line.lineNumber} points at ${line.target}, which is not an active topic`,
        });
        continue;
      }
      const rendered = renderIndexLine(entry);
      if (!inPlace && line.raw.trim() !== rendered) {
        problems.push({
          kind: 'stale',
          slug: line.slug,
          lineNumber: line.lineNumber,
          message: `line ${line.lineNumber} differs from what ${line.slug}.md says (expected: ${rendered})`,
        });
      }
    }
    for (const [slug, entry] of expected) {
      if (seen.has(slug) || omitted.has(slug)) continue;
      // Over budget, which entries fill the index shifts with age alone: a topic left out when the
      // index was written, with no room for it now either, is left out by the budget, not missing.
      if (report.omitted.length > 0 && !indexHasRoomFor(text, entry, report)) continue;
      problems.push({ kind: 'missing', slug, message: `${slug}.md has no line in MEMORY.md` });
    }
    return { ok: problems.length === 0, problems, report };
  }
}

export type { StoredTopic };
