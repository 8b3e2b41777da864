import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { MnemoConfig } from '../config/index.js';
import { MnemoError, randomToken, runProcess, slugify, writeFileAtomic, type Clock, type ProcessRunner } from '../shared/index.js';
import type { SearchIndex } from '../retrieval/index.js';
import { newSessionId, rootPaths, type Evidence, type TopicSource } from '../store/index.js';
import { errorSignature } from './error-signature.js';
import type { IndexReport, MemoryWriter } from './memory-writer.js';
import { planPromotion } from './promotion.js';
import {
  TaskStore,
  isOpenStatus,
  serializeTask,
  taskFile,
  type PromotedTopic,
  type StagedNote,
  type TaskAttempt,
  type TaskRecord,
} from './task-store.js';
import { parseTopicInput, type Provenance, type TopicInput } from './topic-input.js';
import { logEvents } from './transcript-log.js';
import type { RedactionSummary, WriteGuard } from './write-guard.js';
import type { QuarantineItem } from './quarantine-store.js';
import { findSecrets } from '../guard/index.js';

export interface TaskServiceOptions {
  root: string;
  workspace: string;
  config: MnemoConfig;
  clock: Clock;
  search: SearchIndex;
  writer: MemoryWriter;
  newId: () => string;
  runner?: ProcessRunner;
  /** The guard every staged note passes. */
  guard: WriteGuard;
  /** Evidence for a promoted note: its explicit items plus those derived from its body that hold. */
  evidenceFor?: (body: string, explicit: readonly Evidence[], trust: TopicSource['trust']) => Promise<Evidence[]>;
}

export interface BeginTaskInput {
  goal: string;
  /** A shell command a person wrote; exit 0 means the task succeeded. */
  verify?: string | undefined;
  session?: string | undefined;
}

/** What became of a note: staged in the working set, or held in quarantine by the guard. */
export type NoteResult =
  | { status: 'staged'; note: StagedNote; warnings: string[]; redacted: RedactionSummary }
  | { status: 'quarantined'; item: QuarantineItem };

export type CompleteOutcome = 'promoted' | 'awaiting-approval' | 'verification-failed';

export interface CompleteResult {
  task: TaskRecord;
  outcome: CompleteOutcome;
  attempt: TaskAttempt | undefined;
  promoted: PromotedTopic[];
  index?: IndexReport;
}

const OUTPUT_TAIL_BYTES = 4096;

/**
 * Tasks and their working sets. Notes are staged, never visible to other sessions; they become
 * topics only when the task's verification passes (or a person confirms a task without one).
 * A failed verification promotes nothing: the attempt stays in the transcript.
 */
export class TaskService {
  readonly store: TaskStore;
  private readonly options: TaskServiceOptions;

  constructor(options: TaskServiceOptions) {
    this.options = options;
    this.store = new TaskStore(options.root, options.clock);
  }

  private transcript() {
    return { root: this.options.root, clock: this.options.clock, writes: this.options.config.writes };
  }

  private assertTasksAllowed(): void {
    if (this.options.config.writes === 'off') {
      throw new MnemoError('write-refused', 'Cannot use tasks: memory writes are set to "off".', {
        hint: 'Set "writes" to "auto", "confirm" or "read-only" in mnemo.config.json, or unset MNEMO_WRITES.',
      });
    }
  }

  async begin(input: BeginTaskInput): Promise<TaskRecord> {
    this.assertTasksAllowed();
    const goal = input.goal.trim();
    if (goal === '')
      throw new MnemoError('invalid-input', 'A task needs a goal.', {
        hint: 'Say what the task should achieve: mnemo task begin "fix the flaky login test".',
      });
    const now = this.options.clock.now().toISOString();
    let id = `t-${randomToken(6)}`;
    while ((await this.store.read(id)) !== undefined) id = `t-${randomToken(6)}`;
    const verify = input.verify?.trim() ? input.verify.trim() : undefined;
    if (verify && findSecrets(verify).length > 0) {
      throw new MnemoError('invalid-input', 'The verification command contains what looks like a secret; it would be stored in the task.', {
        hint: 'Pass secrets through the environment (export them before running mnemo), not on the command line.',
      });
    }
    const task: TaskRecord = {
      v: 1,
      id,
      goal,
      ...(verify ? { verify } : {}),
      session: input.session ?? newSessionId(this.options.clock),
      status: 'open',
      created: now,
      updated: now,
      notes: [],
      attempts: [],
      errors: [],
    };
    await logEvents(this.transcript(), task.session, [{ kind: 'task-begun', text: goal, task: id, data: { verify: verify ?? null } }]);
    await this.store.create(task);
    return task;
  }

  /**
   * Stage a note in the task's working set, after the guard: secrets are redacted, and untrusted
   * content that trips the injection scan (or would change a `feedback` topic) is held in
   * quarantine instead of being staged.
   */
  async note(id: string, input: TopicInput & { source?: Provenance }): Promise<NoteResult> {
    this.assertTasksAllowed();
    const valid = parseTopicInput(input);
    const provenance: Provenance = input.source ?? { kind: 'agent' };
    const task = await this.store.get(id);
    if (!isOpenStatus(task.status))
      throw new MnemoError('invalid-input', `Task ${id} is ${task.status}; it can no longer change.`, {
        hint: 'Begin a new task with `mnemo task begin`.',
      });
    const existing = this.options.search.lookup(slugify(valid.name));
    const guarded = await this.options.guard.inspect(
      {
        name: valid.name,
        description: valid.description,
        type: valid.type,
        body: valid.body,
        tags: valid.tags,
        evidence: valid.evidence,
        source: { ...provenance, session: provenance.session ?? task.session, task: id },
      },
      'staging',
      { task: id, ...(existing?.readable ? { existingType: existing.meta.type } : {}) },
    );
    if (!guarded.ok) {
      await logEvents(this.transcript(), task.session, [
        {
          kind: 'note-quarantined',
          // the notice names the item and the rules, never the payload (see mnemo quarantine show)
          text: `a staged note was held in quarantine (${guarded.item.id}): ${guarded.item.findings.map((finding) => `${finding.severity} ${finding.family}/${finding.rule}`).join(', ') || 'untrusted source'}; review it with mnemo quarantine show ${guarded.item.id}`,
          task: id,
        },
      ]);
      return { status: 'quarantined', item: guarded.item };
    }
    const candidate = guarded.candidate;
    const staged: StagedNote = {
      id: `n-${randomToken(6)}`,
      name: candidate.name,
      description: candidate.description,
      type: candidate.type,
      body: candidate.body,
      tags: candidate.tags ?? [],
      evidence: candidate.evidence ?? [],
      links: valid.links,
      source: candidate.source,
      staged: this.options.clock.now().toISOString(),
    };
    await this.store.update(id, (current) => {
      current.notes.push(staged);
    });
    return { status: 'staged', note: staged, warnings: guarded.warnings, redacted: guarded.redacted };
  }

  /** Record what happened (an error, a result) in the transcript; errors are remembered by signature. */
  async observe(id: string, input: { kind: string; text: string }): Promise<{ signature: string | undefined }> {
    this.assertTasksAllowed();
    const task = await this.store.get(id);
    if (!isOpenStatus(task.status))
      throw new MnemoError('invalid-input', `Task ${id} is ${task.status}.`, { hint: 'Begin a new task with `mnemo task begin`.' });
    await logEvents(this.transcript(), task.session, [{ kind: input.kind, text: input.text, task: id }]);
    const signature = input.kind === 'error' ? (errorSignature(input.text) ?? input.text.split('\n')[0]?.trim().slice(0, 200)) : undefined;
    if (signature) {
      await this.store.update(id, (current) => {
        current.errors.push({ time: this.options.clock.now().toISOString(), signature, text: input.text.slice(0, 1000) });
      });
    }
    return { signature };
  }

  private async runVerification(task: TaskRecord, confirmed: boolean): Promise<TaskAttempt> {
    const time = this.options.clock.now().toISOString();
    if (task.verify === undefined) {
      if (!confirmed) {
        throw new MnemoError('invalid-input', `Task ${task.id} has no verification command, so only a person can confirm it.`, {
          hint: `If it worked, run \`mnemo task complete ${task.id} --confirmed\`; otherwise \`mnemo task fail ${task.id} --reason "…"\`.`,
        });
      }
      return { time, passed: true, check: 'confirmed by a person', outputTail: '' };
    }
    const run = this.options.runner ?? runProcess;
    // The verification is a command a person wrote when the task began; never built from notes.
    const outcome = await run('/bin/sh', ['-c', task.verify], {
      cwd: this.options.workspace,
      timeoutMs: this.options.config.tasks.verifyTimeoutMs,
      outputCapBytes: OUTPUT_TAIL_BYTES,
    });
    const output = [outcome.stdoutTail, outcome.stderrTail].filter((part) => part.trim() !== '').join('\n');
    return {
      time,
      passed: outcome.exitCode === 0 && !outcome.timedOut,
      check: task.verify,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      outputTail: outcome.startError ? `could not start: ${outcome.startError}` : output.slice(-OUTPUT_TAIL_BYTES),
      durationMs: outcome.durationMs,
    };
  }

  /**
   * Run the verification. Pass: promote the working set (or hold it for approval in `confirm`
   * mode). Fail: promote nothing, keep the attempt and the notes in the transcript, keep the task open.
   */
  async complete(id: string, options: { confirmed?: boolean; summary?: string; actor?: string } = {}): Promise<CompleteResult> {
    const mode = this.options.config.writes;
    if (mode === 'read-only' || mode === 'off') this.options.writer.assertWritable(`complete task ${id}`);
    return this.store.withTask(id, async () => {
      const task = await this.store.get(id);
      if (task.status === 'awaiting-approval') {
        throw new MnemoError('invalid-input', `Task ${id} already passed its verification and waits for approval.`, {
          hint: `A person approves it with \`mnemo task approve ${id}\`.`,
        });
      }
      if (!isOpenStatus(task.status))
        throw new MnemoError('invalid-input', `Task ${id} is ${task.status}.`, { hint: 'Begin a new task with `mnemo task begin`.' });
      const attempt = await this.runVerification(task, options.confirmed === true);
      task.attempts.push(attempt);
      if (options.summary) task.summary = options.summary;
      if (!attempt.passed) return this.recordFailure(task, attempt);
      await logEvents(this.transcript(), task.session, [
        { kind: 'verification-passed', text: `${attempt.check} passed`, task: id, data: { exitCode: attempt.exitCode ?? null } },
      ]);
      if (mode === 'confirm') {
        task.status = 'awaiting-approval';
        await this.saveOpen(task);
        return { task, outcome: 'awaiting-approval', attempt, promoted: [] };
      }
      return this.promote(task, attempt, options.actor ?? 'agent');
    });
  }

  /** Promote a task held by `confirm` mode; a person's approval. */
  async approve(id: string, options: { actor?: string } = {}): Promise<CompleteResult> {
    this.options.writer.assertWritable(`approve task ${id}`);
    return this.store.withTask(id, async () => {
      const task = await this.store.get(id);
      if (task.status !== 'awaiting-approval') {
        throw new MnemoError('invalid-input', `Task ${id} is ${task.status}, not waiting for approval.`, {
          hint: `Complete it first: mnemo task complete ${id}.`,
        });
      }
      return this.promote(task, task.attempts.at(-1), options.actor ?? 'user');
    });
  }

  private async saveOpen(task: TaskRecord): Promise<void> {
    task.updated = this.options.clock.now().toISOString();
    await this.store.create(task);
  }

  private async recordFailure(task: TaskRecord, attempt: TaskAttempt): Promise<CompleteResult> {
    const signature =
      errorSignature(attempt.outputTail) ??
      `verification failed: ${attempt.check}${attempt.timedOut ? ' (timed out)' : ` (exit ${attempt.exitCode ?? '?'})`}`;
    task.errors.push({ time: attempt.time, signature, text: attempt.outputTail.slice(-1000) });
    await logEvents(this.transcript(), task.session, [
      {
        kind: 'attempt-failed',
        text: `verification \`${attempt.check}\` failed${attempt.timedOut ? ' (timed out)' : ` with exit ${attempt.exitCode ?? '?'}`}; nothing was promoted\n${attempt.outputTail}`,
        task: task.id,
        data: { notes: task.notes.map(({ name, description, type, body }) => ({ name, description, type, body })), signature },
      },
    ]);
    await this.saveOpen(task);
    return { task, outcome: 'verification-failed', attempt, promoted: [] };
  }

  private async promote(task: TaskRecord, attempt: TaskAttempt | undefined, actor: string): Promise<CompleteResult> {
    const { writer, root, search, clock, newId, evidenceFor } = this.options;
    if (evidenceFor) {
      for (const note of task.notes) note.evidence = await evidenceFor(note.body, note.evidence, note.source.trust);
    }
    const result = await writer.locked(`complete task ${task.id}`, async () => {
      await search.sync();
      const plan = await planPromotion({ root, search, clock, newId }, task, { summary: task.summary, actor });
      const committed = await writer.commitLocked(plan.changes);
      return { plan, committed };
    });
    await logEvents(this.transcript(), task.session, [
      {
        kind: 'task-completed',
        text: `promoted: ${result.plan.promoted.map((item) => `${item.slug} (${item.action})`).join(', ') || 'nothing'}`,
        task: task.id,
      },
    ]);
    const closed = await this.store.get(task.id);
    return { task: closed, outcome: 'promoted', attempt, promoted: result.plan.promoted, index: result.committed.index };
  }

  /** Close a task without promoting anything; its notes stay in the transcript as a failed attempt. */
  async close(id: string, status: 'failed' | 'abandoned', reason: string): Promise<TaskRecord> {
    return this.store.withTask(id, async () => {
      const task = await this.store.get(id);
      if (!isOpenStatus(task.status)) throw new MnemoError('invalid-input', `Task ${id} is already ${task.status}.`);
      await logEvents(this.transcript(), task.session, [
        {
          kind: status === 'failed' ? 'task-failed' : 'task-abandoned',
          text: `${reason || status}; nothing was promoted`,
          task: id,
          data: { notes: task.notes.map(({ name, description, type, body }) => ({ name, description, type, body })) },
        },
      ]);
      const closed: TaskRecord = { ...task, status, reason, updated: this.options.clock.now().toISOString() };
      const state = rootPaths(this.options.root).state;
      await writeFileAtomic(join(state, taskFile(id, status)), serializeTask(closed));
      await unlink(join(state, taskFile(id, 'open'))).catch(() => undefined);
      return closed;
    });
  }
}
