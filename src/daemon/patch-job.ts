import { existsSync, readlinkSync } from 'node:fs';
import { copyFile, lstat, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LanguageModel } from 'ai';
import type { AgentMemory } from '../agent/index.js';
import { modelApiKeyFor } from '../config/index.js';
import type { Memory } from '../app/index.js';
import {
  MnemoError,
  describeError,
  isProcessAlive,
  makeDirectory,
  randomToken,
  runProcess,
  sha256,
  slugify,
  writeFileAtomic,
  type Clock,
  type Logger,
  type ProcessRunner,
} from '../shared/index.js';
import { diagnosticSignature, type KnownLesson } from './check-notification.js';
import { runCheck, type CheckRun, type DaemonCheck } from './daemon-checks.js';
import type { DaemonNotification } from './notify-sinks.js';
import { patchTask, runExternalAgent, runModelAgent, type AgentAttempt } from './patch-agent.js';
import {
  applyPatch,
  dayOf,
  git,
  listPatches,
  patchPaths,
  readLedger,
  writeLedger,
  writePatchRecord,
  type PatchPaths,
  type PatchRecord,
} from './patch-store.js';
import { diagnosticLocation } from './parse-diagnostics.js';

/** What the patch jobs use of an open memory: the agent's tools, tasks (the write discipline), the transcript. */
export type PatchMemory = Pick<Memory, 'root' | 'workspace' | 'config' | 'log' | 'beginTask' | 'task'> & AgentMemory;

/** The model of the patch jobs: the configured one by default; tests give a scripted one. */
export type PatchModelFactory = () => Promise<{ model: LanguageModel; id: string }>;

export interface PatchJobsOptions {
  memory: PatchMemory;
  /** Every configured check: all are rerun in the worktree. */
  checks: readonly DaemonCheck[];
  logger: Logger;
  clock: Clock;
  /** The transcript session of the daemon, where attempts are recorded. */
  session: string;
  notify: (notification: DaemonNotification) => Promise<void>;
  /** For the model's API key (the config layer reads it from here). */
  env?: NodeJS.ProcessEnv | undefined;
  model?: PatchModelFactory;
  runner?: ProcessRunner;
  /** Called when a job starts or ends (the daemon saves its state). */
  onChange?: () => void;
}

/** Whether a failure gets a patch job, in words for the notification. */
export interface PatchDecision {
  started: boolean;
  /** One line for the notification. */
  note: string;
  /** The open patch for this signature, when there is one. */
  open?: string;
}

/** What `status` shows of the patch jobs. */
export interface PatchJobsState {
  agent: string | undefined;
  job: { id: string; check: string; signature: string; since: string; phase: string } | undefined;
  last: { id: string; check: string; outcome: 'offered' | 'failed' | 'stopped'; reason: string; time: string } | undefined;
}

interface Request {
  check: DaemonCheck;
  run: CheckRun;
  signature: string;
  lesson: KnownLesson | undefined;
}

interface JobFile {
  id: string;
  pid: number;
  worktree: string;
  agentPid: number | undefined;
  check: string;
  signature: string;
  started: string;
}

type AgentChoice = { kind: 'command'; command: string } | { kind: 'model' } | undefined;

/** A branch name part from a signature: readable words and a short hash (distinct signatures never share it). */
export function signatureSlug(signature: string): string {
  const words = slugify(signature.replace(/<[a-z]+>/g, ' '))
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${words}-${sha256(signature).slice(0, 6)}`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Whether a process's working folder is inside `folder` (Linux; elsewhere unknown: false). */
function worksIn(pid: number, folder: string): boolean {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === folder || cwd.startsWith(`${folder}${sep}`);
  } catch {
    return false;
  }
}

/**
 * The daemon's patch jobs, one at a time: a fresh git worktree of HEAD, the agent (the configured
 * model, or `daemon.agent.command`) on "make check X pass", then every configured check rerun in
 * the worktree. Only when all pass is the change offered: a branch `mnemo/fix-<signature>`, a
 * patch file and a record under `.state/daemon/patches/`, a notification, and a lesson through
 * the write discipline. Bounded: attempts per signature per day (then one "gave up"
 * notification), a timeout per job, the live worktrees, a daily token cap, one open patch per
 * signature. The user's tree is only written by `apply` (or `daemon.autoApply`).
 */
export class PatchJobs {
  private readonly paths: PatchPaths;
  private readonly run: ProcessRunner;
  private current:
    { request: Request; id: string; since: string; phase: string; promise: Promise<void>; controller: AbortController } | undefined;
  private pending: Request | undefined;
  private last: PatchJobsState['last'];
  private stopping = false;

  constructor(private readonly options: PatchJobsOptions) {
    this.paths = patchPaths(options.memory.root);
    this.run = options.runner ?? runProcess;
  }

  private get config() {
    return this.options.memory.config.daemon;
  }

  private agent(): AgentChoice {
    if (!this.config.patches.enabled) return undefined;
    if (this.config.agent) return { kind: 'command', command: this.config.agent.command };
    if (this.options.model || this.options.memory.config.model) return { kind: 'model' };
    return undefined;
  }

  private agentLabel(): string | undefined {
    const agent = this.agent();
    if (!agent) return undefined;
    if (agent.kind === 'command') return `command ${agent.command}`;
    const section = this.options.memory.config.model;
    return `model ${section ? `${section.provider}:${section.model}` : 'given'}`;
  }

  state(): PatchJobsState {
    return {
      agent: this.agentLabel(),
      job: this.current
        ? {
            id: this.current.id,
            check: this.current.request.check.name,
            signature: this.current.request.signature,
            since: this.current.since,
            phase: this.current.phase,
          }
        : undefined,
      last: this.last,
    };
  }

  /**
   * After a crash (SIGKILL, a reboot): the agent a dead daemon left running in its worktree is
   * killed, its worktrees are removed (unfinished changes stay on their `mnemo/agent-*` branch),
   * and the attempt is recorded in the transcript.
   */
  async cleanup(): Promise<{ removed: string[]; keptBranches: string[]; killed: number | undefined }> {
    let killed: number | undefined;
    const job = await readFile(this.paths.job, 'utf8')
      .then((text) => JSON.parse(text) as JobFile)
      .catch(() => undefined);
    if (job && job.pid !== process.pid && !isProcessAlive(job.pid)) {
      if (job.agentPid !== undefined && isProcessAlive(job.agentPid) && worksIn(job.agentPid, job.worktree)) {
        try {
          process.kill(-job.agentPid, 'SIGKILL');
          killed = job.agentPid;
        } catch {
          // gone meanwhile
        }
      }
      await this.record(
        'patch-job-abandoned',
        `patch job ${job.id} for ${job.check} ended with its daemon (pid ${job.pid}); nothing was offered`,
        {
          id: job.id,
          check: job.check,
          signature: job.signature,
        },
      );
    }
    // the links made into worktrees are not part of any change
    for (const name of await readdir(this.paths.worktrees).catch(() => [] as string[])) {
      for (const link of ['node_modules']) {
        const path = join(this.paths.worktrees, name, link);
        if (
          await lstat(path).then(
            (info) => info.isSymbolicLink(),
            () => false,
          )
        )
          await rm(path, { force: true });
      }
    }
    const { cleanDeadWorktrees } = await import('../agent/index.js');
    const cleaned = await cleanDeadWorktrees(this.paths.worktrees, this.run);
    await rm(this.paths.job, { force: true });
    if (cleaned.removed.length > 0 || killed !== undefined)
      this.options.logger.warn('patch-worktrees-cleaned', { ...cleaned, killedAgent: killed ?? null });
    return { ...cleaned, killed };
  }

  private async record(kind: string, text: string, data: Record<string, unknown>): Promise<void> {
    await this.options.memory
      .log(this.options.session, { kind, text, data })
      .catch((error: unknown) => this.options.logger.warn('transcript-write-failed', { error: describeError(error) }));
  }

  /** A failing run of `check`: start a patch job when the bounds allow, and say what happens in one line. */
  async consider(check: DaemonCheck, run: CheckRun, lesson: KnownLesson | undefined): Promise<PatchDecision> {
    const agent = this.agent();
    if (!agent || this.stopping) {
      return {
        started: false,
        note: this.config.patches.enabled
          ? 'No patch is offered: no model or daemon.agent is configured.'
          : 'No patch is offered: daemon.patches.enabled is false.',
      };
    }
    const first = run.diagnostics[0];
    const signature = first ? diagnosticSignature(first) : `${check.name} ${run.outcome} (exit ${String(run.exitCode)})`;
    const open = (await listPatches(this.paths)).find((item) => item.status === 'offered' && item.signature === signature);
    if (open)
      return { started: false, open: open.id, note: `Verified patch ${open.id} for this error waits: mnemo daemon apply ${open.id}.` };
    if (this.current?.request.signature === signature || this.pending?.signature === signature)
      return { started: false, note: 'A patch job for this error is under way.' };
    const request: Request = { check, run, signature, lesson };
    const refused = await this.bounds(request, agent);
    if (refused) return { started: false, note: refused };
    if (this.current) {
      this.pending = request;
      return { started: false, note: 'A patch job for this error starts when the one under way ends.' };
    }
    await this.start(request);
    return {
      started: true,
      note: 'A patch job started in a fresh worktree; you are told only if its patch passes every check. Your tree is not touched.',
    };
  }

  /** Why a request may not start now (attempts per day, the token cap), telling the person once; undefined: it may. */
  private async bounds(request: Request, agent: NonNullable<AgentChoice>): Promise<string | undefined> {
    const patches = this.config.patches;
    const now = this.options.clock.now();
    const ledger = await readLedger(this.paths.ledger, dayOf(now));
    const attempts = ledger.attempts[request.signature] ?? 0;
    if (attempts >= patches.attemptsPerDay) {
      const note = `The daemon gave up patching this error for today after ${attempts} attempt(s) (daemon.patches.attemptsPerDay).`;
      if (!ledger.gaveUp.includes(request.signature)) {
        ledger.gaveUp.push(request.signature);
        await writeLedger(this.paths.ledger, ledger);
        this.options.logger.warn('patch-gave-up', { check: request.check.name, signature: request.signature, attempts });
        await this.options.notify(
          this.notification('patch-gave-up', request, `${request.check.name}: no patch, gave up after ${attempts} attempt(s) today`, [
            `${this.problem(request)}`,
            `${attempts} patch attempt(s) for this error failed their checks today; the daemon tries again tomorrow (UTC), or raise daemon.patches.attemptsPerDay.`,
          ]),
        );
      }
      return note;
    }
    if (agent.kind === 'model' && ledger.tokens >= patches.dailyTokens) {
      if (!ledger.tokenCapNotified) {
        ledger.tokenCapNotified = true;
        await writeLedger(this.paths.ledger, ledger);
        this.options.logger.warn('patch-token-cap', { tokens: ledger.tokens, cap: patches.dailyTokens });
        await this.options.notify(
          this.notification('patch-gave-up', request, `no more patches today: the model used ${ledger.tokens} tokens`, [
            `The patch jobs used ${ledger.tokens} tokens today, the cap is daemon.patches.dailyTokens (${patches.dailyTokens}); they start again tomorrow (UTC).`,
          ]),
        );
      }
      return `No patch: the daily token cap (${patches.dailyTokens}) is used up.`;
    }
    ledger.attempts[request.signature] = attempts + 1;
    await writeLedger(this.paths.ledger, ledger);
    return undefined;
  }

  private problem(request: Request): string {
    const first = request.run.diagnostics[0];
    const where = first ? diagnosticLocation(first) : undefined;
    return first ? `${where ? `${where}: ` : ''}${first.message}` : `${request.check.name}: ${request.run.outcome}`;
  }

  private notification(
    kind: DaemonNotification['kind'],
    request: Request,
    title: string,
    lines: string[],
    patch: DaemonNotification['patch'] = null,
  ): DaemonNotification {
    const first = request.run.diagnostics[0];
    return {
      kind,
      title,
      message: lines.join('\n'),
      workspace: this.options.memory.workspace,
      check: request.check.name,
      time: this.options.clock.now().toISOString(),
      diagnostic: first
        ? { file: first.file, line: first.line, column: first.column, message: first.message, signature: request.signature }
        : undefined,
      diagnostics: request.run.diagnostics.length,
      lesson: request.lesson ? { slug: request.lesson.slug, name: request.lesson.name, fix: '' } : undefined,
      patch,
    };
  }

  private async start(request: Request): Promise<void> {
    const id = `p-${randomToken(8)}`;
    const controller = new AbortController();
    const job = { request, id, since: this.options.clock.now().toISOString(), phase: 'worktree', controller, promise: Promise.resolve() };
    this.current = job;
    job.promise = this.job(job).finally(async () => {
      // the waiting request starts now, unless its bounds refuse it; until then this job counts as
      // under way, so no second job can start beside it (one at a time)
      while (this.pending && !this.stopping) {
        const next = this.pending;
        this.pending = undefined;
        const refused = await this.bounds(next, this.agent() ?? { kind: 'model' }).catch((error: unknown) => {
          this.options.logger.error('patch-job-failed', { error: describeError(error) });
          return describeError(error);
        });
        if (refused === undefined) {
          await this.start(next);
          return;
        }
      }
      this.current = undefined;
      this.options.onChange?.();
    });
    this.options.onChange?.();
  }

  /** Resolves when no job runs and none waits. */
  async idle(): Promise<void> {
    while (this.current) await this.current.promise;
  }

  /** Stop: the job under way is aborted (its agent killed), its worktree removed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pending = undefined;
    this.current?.controller.abort();
    await this.idle();
  }

  private async job(job: { request: Request; id: string; since: string; phase: string; controller: AbortController }): Promise<void> {
    const { memory, logger, clock } = this.options;
    const { request, id, controller } = job;
    const { check } = request;
    const agent = this.agent();
    const label = this.agentLabel() ?? 'none';
    const patches = this.config.patches;
    const startedAt = performance.now();
    const timer = setTimeout(() => controller.abort(), patches.timeoutMs);
    timer.unref();
    const { WorktreePool } = await import('../agent/index.js');
    const pool = new WorktreePool({
      dir: this.paths.worktrees,
      workspace: memory.workspace,
      maxWorktrees: patches.maxWorktrees,
      maxBytes: Number.MAX_SAFE_INTEGER,
      run: this.run,
    });
    const jobFile: JobFile = {
      id,
      pid: process.pid,
      worktree: '',
      agentPid: undefined,
      check: check.name,
      signature: request.signature,
      started: job.since,
    };
    const links: string[] = [];
    let worktree: Awaited<ReturnType<typeof pool.acquire>> | undefined;
    let tokens = 0;
    const fail = async (reason: string, verification: PatchRecord['verification'] = []) => {
      const outcome = controller.signal.aborted && this.stopping ? 'stopped' : 'failed';
      this.last = { id, check: check.name, outcome, reason, time: clock.now().toISOString() };
      logger.warn('patch-failed', { id, check: check.name, signature: request.signature, reason, agent: label });
      await this.record(
        'patch-attempt-failed',
        `patch attempt ${id} for ${check.name} (${this.problem(request)}) offered nothing: ${reason}`,
        {
          id,
          check: check.name,
          signature: request.signature,
          agent: label,
          reason,
          verification,
          tokens,
        },
      );
    };
    logger.info('patch-started', { id, check: check.name, signature: request.signature, agent: label });
    try {
      await makeDirectory(this.paths.dir);
      await writeFileAtomic(this.paths.job, `${JSON.stringify(jobFile)}\n`);
      worktree = await pool.acquire(id).catch(async (error: unknown) => {
        // the pool speaks of sub-agents; here the bound is the daemon's own setting
        if (error instanceof MnemoError && error.code === 'write-refused' && error.message.includes('maxWorktrees')) {
          const live = /(\d+) worktree/.exec(error.message)?.[1] ?? '?';
          // no agent ran: this is not one of the day's attempts for the error
          const ledger = await readLedger(this.paths.ledger, dayOf(clock.now()));
          ledger.attempts[request.signature] = Math.max(0, (ledger.attempts[request.signature] ?? 1) - 1);
          await writeLedger(this.paths.ledger, ledger);
          throw new MnemoError(
            'write-refused',
            `no worktree: ${live} are live under ${this.paths.worktrees} and daemon.patches.maxWorktrees is ${patches.maxWorktrees}`,
          );
        }
        throw error;
      });
      jobFile.worktree = worktree.path;
      await writeFileAtomic(this.paths.job, `${JSON.stringify(jobFile)}\n`);
      links.push(...(await this.linkDependencies(worktree)));
      const exclude = links.map((link) => `:(exclude)${link}`);
      // the failure is in the user's tree: HEAD plus their uncommitted changes, copied (never moved)
      const snapshot = await this.copyWorkingTree(worktree, exclude);
      const others = this.options.checks.filter((item) => item.name !== check.name);
      const task = patchTask({ check, run: request.run, lesson: request.lesson, others });
      job.phase = 'agent';
      this.options.onChange?.();
      let attempt: AgentAttempt;
      if (agent?.kind === 'command') {
        attempt = await runExternalAgent(agent.command, task, {
          cwd: worktree.workspace,
          // what is left of the job's time
          timeoutMs: Math.max(1, patches.timeoutMs - (performance.now() - startedAt)),
          signal: controller.signal,
          onStart: (pid) => {
            jobFile.agentPid = pid;
            void writeFile(this.paths.job, `${JSON.stringify(jobFile)}\n`).catch(() => undefined);
          },
        });
      } else {
        const ledger = await readLedger(this.paths.ledger, dayOf(clock.now()));
        const { model, id: modelId } = await this.model();
        const result = await runModelAgent(task, {
          memory,
          workspace: worktree.workspace,
          model,
          modelId,
          config: memory.config.agent,
          maxSteps: patches.maxSteps,
          maxTokens: Math.max(1, patches.dailyTokens - ledger.tokens),
          signal: controller.signal,
          session: this.options.session,
        });
        attempt = result;
        if (result.task)
          await memory
            .task(result.task)
            .then((handle) => handle.abandon(`daemon patch ${id}: verified by the daemon's reruns, not by this task`))
            .catch(() => undefined);
      }
      tokens = attempt.tokens;
      if (tokens > 0) {
        const ledger = await readLedger(this.paths.ledger, dayOf(clock.now()));
        ledger.tokens += tokens;
        await writeLedger(this.paths.ledger, ledger);
      }
      if (controller.signal.aborted || performance.now() - startedAt >= patches.timeoutMs)
        return await fail(this.stopping ? 'the daemon stopped' : `the job timed out after ${Math.round(patches.timeoutMs / 1000)} s`);
      const status = (
        await git(this.run, worktree.path, ['status', '--porcelain', '--untracked-files=all', '--', '.', ...exclude])
      ).out.trim();
      if (status === '') return await fail(attempt.ok ? 'the agent changed nothing' : attempt.summary);
      job.phase = 'verify';
      this.options.onChange?.();
      const verification: PatchRecord['verification'] = [];
      for (const item of [check, ...others]) {
        if (controller.signal.aborted)
          return await fail(this.stopping ? 'the daemon stopped' : 'the job timed out while verifying', verification);
        const rerun = await runCheck(item, { workspace: worktree.workspace, now: () => clock.now(), runner: this.run });
        verification.push({ check: item.name, outcome: rerun.outcome, durationMs: Math.round(rerun.durationMs) });
        if (rerun.outcome !== 'passed') {
          const first = rerun.diagnostics[0];
          return await fail(
            `${item.name} ${rerun.outcome} in the worktree after the agent's change${first ? `: ${diagnosticLocation(first) ?? ''} ${first.message}`.trimEnd() : ''}`,
            verification,
          );
        }
      }
      job.phase = 'offer';
      const record = await this.offer(id, request, { ...worktree, snapshot }, exclude, verification, label, tokens, attempt.summary);
      this.last = { id, check: check.name, outcome: 'offered', reason: `branch ${record.branch}`, time: clock.now().toISOString() };
      logger.info('patch-offered', {
        id,
        check: check.name,
        branch: record.branch,
        files: record.files.map((file) => file.path),
        msFromFailure: Math.round(performance.now() - startedAt),
      });
      await this.announce(record, request);
      job.phase = 'lesson';
      const lesson = await this.lesson(id, request, worktree.workspace, attempt.summary, record);
      if (lesson) await writePatchRecord(this.paths, { ...(await this.reread(record)), lesson });
    } catch (error) {
      await fail(describeError(error));
    } finally {
      clearTimeout(timer);
      if (worktree)
        await this.remove(worktree, links).catch((error: unknown) =>
          logger.warn('patch-worktree-remove-failed', { id, error: describeError(error) }),
        );
      else await rm(join(this.paths.worktrees, `${id}.json`), { force: true });
      await rm(this.paths.job, { force: true });
      logger.info('patch-finished', { id, ms: Math.round(performance.now() - startedAt) });
    }
  }

  private async reread(record: PatchRecord): Promise<PatchRecord> {
    try {
      return JSON.parse(await readFile(join(this.paths.dir, `${record.id}.json`), 'utf8')) as PatchRecord;
    } catch {
      return record;
    }
  }

  private async model(): Promise<{ model: LanguageModel; id: string }> {
    if (this.options.model) return this.options.model();
    const section = this.options.memory.config.model;
    if (!section) throw new Error('no model is configured');
    const { createLanguageModel } = await import('../providers/index.js');
    return {
      model: await createLanguageModel(section, { apiKey: modelApiKeyFor(section, this.options.env) }),
      id: `${section.provider}:${section.model}`,
    };
  }

  /**
   * Make the worktree what the user's tree is: their uncommitted changes to tracked files (a
   * binary diff against HEAD) and their untracked files that git does not ignore, committed as a
   * snapshot. Returns that commit (HEAD when there was nothing uncommitted): the patch's base.
   */
  private async copyWorkingTree(worktree: { path: string; repo: string; base: string }, exclude: string[]): Promise<string> {
    const run = this.run;
    const diff = (await git(run, worktree.repo, ['diff', '--binary', worktree.base])).out;
    if (diff.trim() !== '') await git(run, worktree.path, ['apply', '--binary', '--whitespace=nowarn', '-'], { input: diff });
    const memoryRoot = relative(worktree.repo, this.options.memory.root).split(sep).join('/');
    const untracked = (await git(run, worktree.repo, ['ls-files', '--others', '--exclude-standard', '-z'])).out
      .split('\0')
      .filter((path) => path !== '' && (memoryRoot.startsWith('..') || (path !== memoryRoot && !path.startsWith(`${memoryRoot}/`))));
    for (const path of untracked) {
      const target = join(worktree.path, path);
      await makeDirectory(dirname(target));
      await copyFile(join(worktree.repo, path), target).catch(() => undefined);
    }
    if ((await git(run, worktree.path, ['status', '--porcelain', '--untracked-files=all', '--', '.', ...exclude])).out.trim() === '')
      return worktree.base;
    await git(run, worktree.path, ['add', '-A', '--', '.', ...exclude]);
    await git(run, worktree.path, [
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'mnemo: the working tree as the daemon found it (uncommitted changes)',
    ]);
    return (await git(run, worktree.path, ['rev-parse', 'HEAD'])).out.trim();
  }

  /** The workspace's installed dependencies (`node_modules`, untracked) linked into the worktree, so the checks run there as they do here. */
  private async linkDependencies(worktree: { path: string; workspace: string }): Promise<string[]> {
    const { workspace } = this.options.memory;
    const source = join(workspace, 'node_modules');
    const target = join(worktree.workspace, 'node_modules');
    if (!existsSync(source) || existsSync(target)) return [];
    await symlink(source, target, 'dir');
    return [relative(worktree.path, target).split(sep).join('/')];
  }

  private async offer(
    id: string,
    request: Request,
    worktree: { path: string; base: string; repo: string; snapshot: string },
    exclude: string[],
    verification: PatchRecord['verification'],
    agent: string,
    tokens: number,
    summary: string,
  ): Promise<PatchRecord> {
    const run = this.run;
    await git(run, worktree.path, ['add', '-A', '--', '.', ...exclude]);
    const names = (await git(run, worktree.path, ['diff', '--cached', '--name-only', worktree.snapshot])).out
      .split('\n')
      .filter((line) => line !== '');
    const diff = (await git(run, worktree.path, ['diff', '--cached', '--binary', worktree.snapshot])).out;
    const blob = async (commit: string, path: string) => {
      const found = await git(run, worktree.path, ['rev-parse', '--verify', '--quiet', `${commit}:${path}`], { allowFailure: true });
      return found.ok ? found.out.trim() : null;
    };
    const files = [];
    for (const path of names)
      files.push({ path, hashAtHead: await blob(worktree.base, path), hashBefore: await blob(worktree.snapshot, path) });
    const subject = `mnemo: make ${request.check.name} pass (${this.problem(request).slice(0, 120)})`;
    await git(run, worktree.path, [
      'commit',
      '-q',
      '--no-verify',
      '-m',
      subject,
      '-m',
      `Verified by the daemon: ${verification.map((item) => `${item.check} ${item.outcome}`).join(', ')}.\n\n${summary}`.trim(),
    ]);
    const base = `mnemo/fix-${signatureSlug(request.signature)}`;
    let branch = base;
    for (
      let n = 2;
      (await git(run, worktree.repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { allowFailure: true })).ok;
      n += 1
    )
      branch = `${base}-${n}`;
    await git(run, worktree.path, ['branch', branch, 'HEAD']);
    await makeDirectory(this.paths.dir);
    await writeFileAtomic(join(this.paths.dir, `${id}.patch`), diff);
    const record: PatchRecord = {
      v: 1,
      id,
      signature: request.signature,
      check: request.check.name,
      problem: this.problem(request),
      branch,
      base: worktree.base,
      snapshot: worktree.snapshot,
      patchFile: `${id}.patch`,
      files,
      created: this.options.clock.now().toISOString(),
      status: 'offered',
      agent,
      verification,
      lesson: undefined,
      applied: undefined,
      repo: worktree.repo,
      tokens,
    };
    await writePatchRecord(this.paths, record);
    return record;
  }

  private async announce(record: PatchRecord, request: Request): Promise<void> {
    const lines = [
      this.problem(request),
      `A verified patch is waiting: ${record.id} on branch ${record.branch} (${record.files.map((file) => file.path).join(', ')}).`,
      `Every check passed on it in a fresh worktree: ${record.verification.map((item) => item.check).join(', ')}.`,
    ];
    let applied = false;
    if (this.config.autoApply) {
      try {
        await applyPatch(this.paths, record.id, { now: this.options.clock.now(), run: this.run });
        applied = true;
        lines.push('daemon.autoApply is on: it was applied to your working tree.');
      } catch (error) {
        lines.push(`daemon.autoApply is on, but it was not applied: ${describeError(error)}`);
      }
    } else lines.push(`Apply it with: mnemo daemon apply ${record.id}   (or drop it: mnemo daemon drop ${record.id})`);
    await this.options.notify(
      this.notification('patch-offered', request, `${record.check}: a verified patch is waiting (${record.id})`, lines, {
        id: record.id,
        branch: record.branch,
        file: join(this.paths.dir, record.patchFile),
        files: record.files.map((file) => file.path),
        applied,
      }),
    );
  }

  /** The verified fix becomes a lesson through the write discipline: a task whose verification reruns the checks in the worktree. */
  private async lesson(id: string, request: Request, workspace: string, summary: string, record: PatchRecord): Promise<string | undefined> {
    const { memory, logger } = this.options;
    if (memory.config.writes === 'read-only' || memory.config.writes === 'off') return undefined;
    try {
      // run from the workspace (where task verifications run), into the worktree: relative, so the lesson reads well
      const folder = relative(memory.workspace, workspace) || '.';
      const verify = `cd ${quote(folder)} && ${this.options.checks.map((item) => `(${item.command})`).join(' && ')}`;
      const task = await memory.beginTask({
        goal: `make the check ${request.check.name} pass (daemon patch ${id})`,
        verify,
        session: this.options.session,
      });
      for (const item of request.run.diagnostics.slice(0, 3)) await task.observe('error', item.text);
      if (request.run.diagnostics.length === 0) await task.observe('error', request.signature);
      const fix = summary
        .split('\n')
        .find((line) => line.trim() !== '')
        ?.trim()
        .slice(0, 200);
      const completed = await task.complete({
        summary: `${fix ? `${fix}; ` : ''}the daemon's patch ${id} changed ${record.files.map((file) => file.path).join(', ')} (branch ${record.branch})`,
      });
      const lesson = completed.promoted.find((item) => item.slug.startsWith('lesson-'))?.slug;
      logger.info('patch-lesson', { id, outcome: completed.outcome, lesson: lesson ?? null });
      return lesson;
    } catch (error) {
      logger.warn('patch-lesson-failed', { id, error: describeError(error) });
      return undefined;
    }
  }

  private async remove(worktree: { id: string; path: string; repo: string; branch: string }, links: string[]): Promise<void> {
    for (const link of links) await rm(join(worktree.path, link), { force: true });
    await git(this.run, worktree.repo, ['worktree', 'remove', '--force', worktree.path], { allowFailure: true });
    await rm(worktree.path, { recursive: true, force: true });
    await git(this.run, worktree.repo, ['worktree', 'prune'], { allowFailure: true });
    await git(this.run, worktree.repo, ['branch', '-D', worktree.branch], { allowFailure: true });
    await rm(join(this.paths.worktrees, `${worktree.id}.json`), { force: true });
  }
}
