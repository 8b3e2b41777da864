import { readFile } from 'node:fs/promises';
import type { MnemoConfig } from '../config/index.js';
import {
  RANK_USAGE_FILE,
  appendVerdict,
  findConflicts,
  type IndexReport,
  type MemoryWriter,
  type StateFileWrite,
  type UsageLog,
  newTombstone,
} from '../discipline/index.js';
import type { LanguageModelPort } from '../providers/index.js';
import type { SearchIndex } from '../retrieval/index.js';
import {
  HOUR_MS,
  MnemoError,
  sha256,
  tryAcquireLock,
  type Clock,
  type LockOwner,
  type Logger,
  type ProcessRunner,
} from '../shared/index.js';
import {
  LAST_DREAM_FILE,
  TOMBSTONES_FILE,
  dreamLockPath,
  newDreamId,
  readLastDream,
  recordFile,
  reportFile,
  statePath,
  type ChangedFile,
  type DreamRecord,
  type LastDream,
} from './dream-files.js';
import { gatherForDream, type DreamGathered } from './dream-gather.js';
import { DreamPlan, type DreamActionKind, type Tombstone } from './dream-plan.js';
import { countActions, renderDreamReport, type IndexOutlook } from './dream-report.js';
import { checkDreamDue, type DreamDue } from './dream-trigger.js';
import { indexOutlook } from './index-outlook.js';
import { planConflicts } from './plan-conflicts.js';
import { planRelativeDates } from './plan-dates.js';
import { planLessons } from './plan-lessons.js';
import { planMerges } from './plan-merges.js';
import { planConciseMerges, planDistilledNotes, type HeldCandidate, type ModelOutcome } from './plan-model.js';
import { planEvidenceChecks, type RecheckOutcome } from './plan-recheck.js';
import { planRetirements, type HeldRetirement } from './plan-retire.js';
import { removeOrphanSnapshots, takeSnapshot } from './snapshot.js';

/** The phases of a dream, reported to `onPhase` (crash tests kill the process there) and as progress. */
export type DreamPhase = 'orient' | 'gather' | 'consolidate' | 'prune' | 're-index' | 'report' | 'snapshot-written' | 'applied';

/** What a dream needs; the app builds it from the pieces of an open memory. */
export interface DreamDependencies {
  root: string;
  workspace: string;
  config: MnemoConfig;
  clock: Clock;
  logger: Logger;
  search: SearchIndex;
  writer: MemoryWriter;
  newId: () => string;
  usage: UsageLog;
  environment: Record<string, string | undefined>;
  runner?: ProcessRunner | undefined;
  /** The configured model; without one, dream is fully deterministic. */
  model?: LanguageModelPort | undefined;
  /** Why a configured model cannot be used (e.g. its key is not set); said in the report. */
  modelProblem?: string | undefined;
  onPhase?: ((phase: DreamPhase, detail?: string) => void | Promise<void>) | undefined;
}

export interface DreamOptions {
  /** Compute everything and return the plan as a readable diff; change nothing. */
  propose?: boolean;
  /** The tools' form: `apply: false` proposes, `apply: true` applies. `propose` wins when both are given. */
  apply?: boolean;
  /** Run only when due (and quietly return `not-due` or `busy` otherwise). */
  ifDue?: boolean;
  /** One line per phase, for a terminal. */
  onProgress?: (message: string) => void;
}

/** One change of a dream, as the API returns it. */
export interface DreamActionSummary {
  kind: DreamActionKind;
  slug: string;
  slugs: string[];
  reason: string;
}

interface DreamFindings {
  id: string;
  trigger: string[];
  counts: Partial<Record<DreamActionKind, number>>;
  actions: DreamActionSummary[];
  heldRetirements: HeldRetirement[];
  heldCandidates: HeldCandidate[];
  /** The report (markdown; secrets redacted). */
  text: string;
}

export type DreamOutcome =
  | { status: 'not-due'; due: DreamDue; text: string }
  | { status: 'busy'; holder: LockOwner | undefined; text: string }
  | ({ status: 'proposed'; index: IndexOutlook } & DreamFindings)
  | ({
      status: 'applied';
      index: IndexReport;
      skipped: string[];
      reportPath: string;
      snapshot: string | undefined;
      /** Tombstone files older than `tombstones.keepDays` pruned after the dream (copies in `.state/trash/tombstones/`). */
      tombstonesPruned: string[];
    } & DreamFindings);

interface Planned {
  plan: DreamPlan;
  gathered: DreamGathered;
  recheck: RecheckOutcome;
  held: HeldRetirement[];
  model: ModelOutcome | undefined;
  outlook: IndexOutlook;
  topics: number;
}

async function phase(dependencies: DreamDependencies, options: DreamOptions, name: DreamPhase, detail: string): Promise<void> {
  options.onProgress?.(`dream: ${name}${detail ? ` (${detail})` : ''}`);
  await dependencies.onPhase?.(name, detail);
}

async function planDream(dependencies: DreamDependencies, options: DreamOptions, last: LastDream | undefined): Promise<Planned> {
  const { root, search, clock, config, usage } = dependencies;
  // Dream works on every topic: the full scan, so that it sees every hand edit too.
  await search.sync({ full: true });
  const catalog = search.catalog();
  const plan = new DreamPlan(root, catalog, clock.now());
  await phase(dependencies, options, 'orient', `${catalog.length} topics`);
  const gathered = await gatherForDream(root, clock, usage, last);
  await phase(
    dependencies,
    options,
    'gather',
    `${gathered.sessions.length} session(s), ${gathered.events} event(s), ${gathered.tasks.length} task(s)`,
  );
  await planRelativeDates(plan, gathered);
  const recheck = await planEvidenceChecks(root, plan, dependencies);
  const settled = await planConflicts(plan);
  const groups = await planMerges(plan, gathered.usage, config.dream.mergeThreshold, settled);
  await planLessons(plan, gathered, dependencies.newId);
  let model: ModelOutcome | undefined;
  if (dependencies.model && config.dream.useModel) {
    const context = {
      model: dependencies.model,
      workspace: dependencies.workspace,
      clock,
      newId: dependencies.newId,
      mergeThreshold: config.dream.mergeThreshold,
    };
    model = await planDistilledNotes(plan, gathered, context);
    await planConciseMerges(plan, groups, context, model);
  }
  await phase(dependencies, options, 'consolidate', `${plan.actions.length} change(s)`);
  const before = plan.actions.length;
  const held = await planRetirements(plan, gathered, config.dream);
  await phase(dependencies, options, 'prune', `${plan.actions.length - before} retirement(s), ${held.length} held for a person`);
  const outlook = indexOutlook(plan, catalog, config, usage.counts());
  await phase(
    dependencies,
    options,
    're-index',
    `${outlook.entries} entries${outlook.omitted.length ? `, ${outlook.omitted.length} left out` : ''}`,
  );
  return { plan, gathered, recheck, held, model, outlook, topics: catalog.length };
}

function report(
  dependencies: DreamDependencies,
  planned: Planned,
  id: string,
  mode: 'proposed' | 'applied',
  trigger: string[],
  skipped: string[],
): string {
  const { plan, gathered } = planned;
  return renderDreamReport({
    id,
    time: plan.nowText,
    mode,
    trigger,
    plan,
    contents: plan.contents(),
    stats: {
      topics: planned.topics,
      sessions: gathered.sessions.length,
      events: gathered.events,
      recallHits: [...gathered.usage.values()].reduce((sum, usage) => sum + usage.hits, 0),
      tasks: gathered.tasks.length,
    },
    heldRetirements: planned.held,
    heldCandidates: planned.model?.held ?? [],
    notChecked: planned.recheck.notChecked,
    skipped,
    problems: [...(dependencies.modelProblem ? [`model not used: ${dependencies.modelProblem}`] : []), ...(planned.model?.problems ?? [])],
    index: planned.outlook,
    model: dependencies.model && dependencies.config.dream.useModel ? dependencies.model.id : undefined,
  });
}

function findings(planned: Planned, id: string, trigger: string[], text: string): DreamFindings {
  return {
    id,
    trigger,
    counts: countActions(planned.plan),
    actions: planned.plan.actions.map(({ kind, slug, slugs, reason }) => ({ kind, slug, slugs, reason })),
    heldRetirements: planned.held,
    heldCandidates: planned.model?.held ?? [],
    text,
  };
}

/**
 * One consolidation: orient → gather → consolidate → prune → re-index → report. With `propose`,
 * nothing is written. Otherwise, under the dream lock (one dream at a time across processes) and
 * then the memory lock: a snapshot of every topic and MEMORY.md, then all changes as one
 * journaled change set against the current files (a topic someone changed meanwhile is left
 * alone, with everything grouped with it), one audit line per change, the record, the report
 * and the tombstones in the same change. A dream killed at any point leaves the memory as it
 * was before it, or as it is after it, never in between.
 */
export async function runDream(dependencies: DreamDependencies, options: DreamOptions = {}): Promise<DreamOutcome> {
  const { root, config, clock, writer } = dependencies;
  const propose = options.propose ?? (options.apply === undefined ? false : !options.apply);
  if (!propose) writer.assertWritable('dream');
  const due = await checkDreamDue(root, config.dream, clock);
  if (options.ifDue && !due.due) {
    return due.running
      ? { status: 'busy', holder: due.running, text: `Not dreaming: ${due.reasons.join('; ')}.` }
      : { status: 'not-due', due, text: `No dream due: ${due.reasons.join('; ')}.` };
  }
  const trigger = due.due ? due.reasons : ['run by hand'];
  const id = await newDreamId(root, clock.now());
  if (propose) {
    const planned = await planDream(dependencies, options, await readLastDream(root));
    const text = report(dependencies, planned, id, 'proposed', trigger, []);
    await phase(dependencies, options, 'report', 'proposed');
    return { status: 'proposed', index: planned.outlook, ...findings(planned, id, trigger, text) };
  }
  const lock = await tryAcquireLock(dreamLockPath(root), { purpose: 'dream', clock, staleMs: config.dream.lockStaleHours * HOUR_MS });
  if (!lock.acquired) {
    const holder = lock.owner;
    const text = `Another dream is running${holder ? ` (process ${holder.pid}, since ${holder.acquiredAt})` : ''}.`;
    if (options.ifDue) return { status: 'busy', holder, text };
    throw new MnemoError('lock-timeout', text, {
      hint: 'Wait for it to finish (`mnemo dream status`); a dead or hour-old holder is taken over.',
    });
  }
  try {
    // Finish a change a killed dream (or writer) left, before its snapshot could be mistaken for an orphan.
    await writer.locked('dream: recover', async () => undefined);
    await removeOrphanSnapshots(root, undefined);
    const planned = await planDream(dependencies, options, await readLastDream(root));
    const applied = await apply(dependencies, planned, id, trigger);
    await phase(dependencies, options, 'applied', `${applied.changed} file(s)`);
    for (const { slug, record } of planned.recheck.verdicts) {
      if (!applied.skipped.includes(slug)) await appendVerdict(root, slug, record);
    }
    await phase(dependencies, options, 'report', statePath(root, reportFile(id)));
    return {
      status: 'applied',
      index: applied.index,
      skipped: applied.skipped,
      reportPath: statePath(root, reportFile(id)),
      snapshot: applied.snapshot,
      tombstonesPruned: applied.tombstonesPruned,
      ...findings(planned, id, trigger, applied.text),
    };
  } finally {
    await lock.handle.release();
  }
}

async function apply(
  dependencies: DreamDependencies,
  planned: Planned,
  id: string,
  trigger: string[],
): Promise<{
  index: IndexReport;
  skipped: string[];
  text: string;
  snapshot: string | undefined;
  changed: number;
  tombstonesPruned: string[];
}> {
  const { root, writer, clock } = dependencies;
  const { plan, gathered } = planned;
  return writer.locked(`dream ${id}`, async () => {
    const conflicts = await findConflicts(root, plan.changes('dream', id));
    const skipped = conflicts.length > 0 ? plan.drop(new Set(conflicts.map((conflict) => conflict.slug))) : [];
    const { writes, removals, audit } = plan.changes('dream', id);
    const changesTopics = writes.length + removals.length > 0;
    const snapshot = changesTopics ? await takeSnapshot(root, id) : undefined;
    if (snapshot) await dependencies.onPhase?.('snapshot-written', snapshot.folder);
    const files: Record<string, ChangedFile> = {};
    for (const write of writes) files[write.slug] = { before: write.expectHash ?? null, after: sha256(write.content) };
    for (const removal of removals) files[removal.slug] = { before: removal.expectHash ?? null, after: null };
    const text = report(dependencies, planned, id, 'applied', trigger, skipped);
    const record: DreamRecord = {
      v: 1,
      id,
      time: plan.nowText,
      trigger,
      status: 'applied',
      files,
      actions: plan.actions.map(({ kind, slug, slugs, reason }) => ({ kind, slug, slugs, reason })),
      skipped,
      counts: countActions(plan),
      snapshot: snapshot?.folder ?? '',
      report: reportFile(id),
      indexHash: snapshot?.files['MEMORY.md'] ?? null,
      indexOmitted: planned.outlook.omitted,
      model: dependencies.model && dependencies.config.dream.useModel ? dependencies.model.id : undefined,
      rankUsageBefore: await readFile(statePath(root, RANK_USAGE_FILE), 'utf8').catch(() => null),
    };
    const last: LastDream = {
      id,
      time: plan.nowText,
      sessions: gathered.activity.sizes,
      auditOffset: gathered.activity.auditSize,
      lastActivity: gathered.activity.lastActivity,
    };
    const tombstones: Tombstone[] = [...plan.retired].map(([slug, { hash, reason, topic }]) => ({
      slug,
      id: topic.meta.id,
      name: topic.meta.name,
      type: topic.meta.type,
      dream: id,
      time: plan.nowText,
      reason,
      hash,
      copy: `${snapshot?.folder ?? ''}/${slug}.md`,
      supersededBy: topic.meta.supersededBy,
    }));
    // The same retirements as tombstone files in the repository: after a pull, other clones retire these topics too.
    const repositoryTombstones = writer.keptInPlace
      ? []
      : [...plan.retired].map(([, { reason, topic }]) =>
          newTombstone({ status: 'ok', topic }, { now: clock.now(), by: 'dream', reason, dream: id }),
        );
    const state: StateFileWrite[] = [
      { path: recordFile(id), content: JSON.stringify(record, null, 2) },
      // Re-index ranks by use as counted now; the index keeps this ranking until the next dream.
      { path: RANK_USAGE_FILE, content: JSON.stringify({ dream: id, hits: Object.fromEntries(dependencies.usage.counts()) }) },
      { path: reportFile(id), content: text },
      { path: LAST_DREAM_FILE, content: JSON.stringify(last, null, 2) },
      ...(planned.model?.held ?? []).map((candidate, index) => ({
        path: `quarantine/dream-${id}-${index + 1}.json`,
        content: JSON.stringify({ kind: 'topic-candidate', time: plan.nowText, dream: id, ...candidate }, null, 2),
      })),
    ];
    if (tombstones.length > 0) {
      const existing = await readFile(statePath(root, TOMBSTONES_FILE), 'utf8').catch(() => '');
      state.push({ path: TOMBSTONES_FILE, content: `${existing}${tombstones.map((tombstone) => JSON.stringify(tombstone)).join('\n')}\n` });
    }
    const result = await writer.commitLocked(
      {
        reason: `dream ${id}`,
        writes,
        removals,
        audit: [
          ...audit,
          { action: 'dream-finished', actor: 'dream', reason: `dream ${id}`, details: { dream: id, counts: record.counts } },
        ],
        state,
        tombstones: repositoryTombstones.map(({ file, content }) => ({ file, content })),
      },
      { onConflict: 'skip' },
    );
    // Housekeeping after the dream's own change (not part of it: its rollback leaves these alone).
    const pruning = await writer.pruneTombstonesLocked();
    return {
      tombstonesPruned: pruning.pruned.map((entry) => entry.file),
      index: result.index,
      skipped,
      text,
      snapshot: snapshot ? statePath(root, snapshot.folder) : undefined,
      changed: writes.length + removals.length,
    };
  });
}
