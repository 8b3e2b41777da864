import { unlink } from 'node:fs/promises';
import { memoryUsage } from 'node:process';
import type { Memory } from '../app/index.js';
import {
  MnemoError,
  describeError,
  systemClock,
  tryAcquireLock,
  writeFileAtomic,
  type Clock,
  type Logger,
  type ProcessRunner,
} from '../shared/index.js';
import { diagnosticSignature, failureNotification, matchLesson, recoveryNotification, runSignatures, type KnownLesson } from './check-notification.js';
import { resolveChecks, runCheck, type CheckRun, type DaemonCheck } from './daemon-checks.js';
import { daemonPaths } from './daemon-paths.js';
import { writeDaemonState, type DaemonState } from './daemon-state.js';
import { sendNotification, type DaemonNotification } from './notify-sinks.js';
import { PatchJobs, type PatchMemory, type PatchModelFactory } from './patch-job.js';
import { watchWorkspace, type WorkspaceWatcher } from './workspace-watcher.js';

/** The daemon's transcript session (layer 3): every diagnostic it saw, as an error event. */
export const DAEMON_SESSION = 'mnemo-daemon';

/** What the daemon uses of an open memory. */
export type DaemonMemory = Pick<Memory, 'root' | 'workspace' | 'config' | 'log' | 'records' | 'dream'> & PatchMemory;

export interface RunDaemonOptions {
  memory: DaemonMemory;
  /** Aborting stops the daemon: the step under way finishes, then it exits. */
  signal: AbortSignal;
  /** The daemon's log (the CLI passes the file logger). */
  logger: Logger;
  /** `PATH`, for the desktop sink. */
  path: string | undefined;
  clock?: Clock;
  runner?: ProcessRunner;
  /** For the model's API key in patch jobs (read through the config layer). */
  env?: NodeJS.ProcessEnv | undefined;
  /** The patch jobs' model instead of the configured one (tests script one). */
  patchModel?: PatchModelFactory;
}

type Trigger = { kind: 'start' } | { kind: 'change'; paths: string[] } | { kind: 'schedule'; check: string } | { kind: 'dream' };

interface CronJob {
  nextRun(): Date | null;
  stop(): void;
}

/** Croner, loaded with the daemon only; a bad expression is a clear error naming its owner. */
async function schedule(expression: string, owner: string, fire: () => void): Promise<CronJob> {
  const { Cron } = await import('croner');
  try {
    return new Cron(expression, { protect: true }, fire);
  } catch (error) {
    throw new MnemoError('invalid-input', `${owner}: ${JSON.stringify(expression)} is not a cron expression (${describeError(error)}).`, {
      hint: 'Use five or six fields, like "*/15 * * * *" (every 15 minutes) or "0 3 * * *" (03:00 daily).',
    });
  }
}

async function activeLessons(memory: DaemonMemory): Promise<KnownLesson[]> {
  const topics = await memory.records.topics();
  return topics.flatMap((topic) =>
    topic.meta.type === 'lesson' && topic.meta.status === 'active' && topic.meta.errorSignature
      ? [{ slug: topic.slug, name: topic.meta.name, signature: topic.meta.errorSignature, body: topic.body }]
      : [],
  );
}

/**
 * Run the daemon in this process until `signal` aborts: one per memory root (its lock is held for
 * the whole run, a lock of a dead process is taken over), watching the workspace, running the
 * checks on change (debounced) and on their schedules, one step at a time, telling the sinks what
 * broke and what recovered, and logging every diagnostic into the `mnemo-daemon` session.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<DaemonState> {
  const { memory, logger } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now().toISOString();
  const paths = daemonPaths(memory.root);
  const config = memory.config.daemon;
  const attempt = await tryAcquireLock(paths.lock, { purpose: 'mnemo daemon', staleMs: Number.POSITIVE_INFINITY, clock });
  if (!attempt.acquired) {
    throw new MnemoError(
      'lock-timeout',
      `A daemon already runs for ${memory.root} (process ${attempt.owner?.pid ?? '?'}, since ${attempt.owner?.acquiredAt ?? '?'}).`,
      {
        hint: 'Use `mnemo daemon status` to see it, or `mnemo daemon stop` to stop it first.',
      },
    );
  }
  const lock = attempt.handle;
  const checks = resolveChecks(config, memory.workspace);
  const state: DaemonState = {
    v: 1,
    pid: process.pid,
    root: memory.root,
    workspace: memory.workspace,
    startedAt: now(),
    status: 'starting',
    heartbeatAt: now(),
    current: undefined,
    checks: Object.fromEntries(
      checks.map((check) => [
        check.name,
        {
          command: check.command,
          on: check.on,
          cron: check.cron,
          detected: check.detected,
          runs: 0,
          last: undefined,
          failingSince: undefined,
          nextRun: undefined,
        },
      ]),
    ),
    runs: 0,
    changes: { events: 0, batches: 0, lastBatch: [], lastBatchSize: 0, paths: 0 },
    notifications: 0,
    nextDream: undefined,
    lastDream: undefined,
    stoppedAt: undefined,
  };
  const jobs = new Map<string, CronJob>();
  let watcher: WorkspaceWatcher | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const queue: Trigger[] = [];
  let wake: (() => void) | undefined;
  const patches = new PatchJobs({
    memory,
    checks,
    logger,
    clock,
    session: DAEMON_SESSION,
    notify: (notification) => notify(notification),
    env: options.env,
    ...(options.patchModel ? { model: options.patchModel } : {}),
    ...(options.runner ? { runner: options.runner } : {}),
    onChange: () => void save().catch((error: unknown) => logger.warn('state-write-failed', { error: describeError(error) })),
  });
  const save = async () => {
    for (const [name, job] of jobs) {
      const next = job.nextRun()?.toISOString();
      if (name === 'dream') state.nextDream = next;
      else if (state.checks[name]) state.checks[name].nextRun = next;
    }
    if (watcher) state.changes.events = watcher.events();
    state.patches = patches.state();
    await writeDaemonState(paths.state, state);
  };
  const enqueue = (trigger: Trigger) => {
    const merged = trigger.kind === 'change' ? queue.find((item) => item.kind === 'change') : undefined;
    if (merged?.kind === 'change' && trigger.kind === 'change') merged.paths = [...new Set([...merged.paths, ...trigger.paths])];
    else if (!queue.some((item) => JSON.stringify(item) === JSON.stringify(trigger))) queue.push(trigger);
    wake?.();
  };

  const notify = async (notification: DaemonNotification) => {
    state.notifications += 1;
    await sendNotification(notification, config.notify, {
      logger,
      path: options.path,
      ...(options.runner ? { runner: options.runner } : {}),
    });
  };

  const record = async (check: DaemonCheck, run: CheckRun) => {
    const entry = state.checks[check.name];
    if (!entry) return;
    const before = entry.last;
    const wasFailing = before !== undefined && before.outcome !== 'passed';
    const signatures = runSignatures(run);
    entry.runs += 1;
    state.runs += 1;
    logger.info('check-finished', {
      check: check.name,
      outcome: run.outcome,
      exitCode: run.exitCode,
      durationMs: run.durationMs,
      diagnostics: run.diagnostics.length,
      first: run.diagnostics[0]?.text,
    });
    if (run.outcome === 'passed') {
      entry.last = { ...run, signatures, lesson: undefined };
      if (wasFailing) {
        await memory
          .log(DAEMON_SESSION, { kind: 'check-recovered', text: `${check.name} passes again`, data: { check: check.name } })
          .catch((error: unknown) => logger.warn('transcript-write-failed', { error: describeError(error) }));
        await notify(recoveryNotification(run, { workspace: memory.workspace, failingSince: entry.failingSince, now: now() }));
      }
      entry.failingSince = undefined;
      return;
    }
    const lessons = await activeLessons(memory).catch((error: unknown) => {
      logger.warn('lesson-lookup-failed', { error: describeError(error) });
      return [];
    });
    // a patch job (when a model or daemon.agent is configured and the bounds allow), said in the notification
    const decision = await patches.consider(check, run, matchLesson(run, lessons)?.lesson).catch((error: unknown) => {
      logger.error('patch-job-failed', { error: describeError(error) });
      return { started: false, note: `No patch is offered: ${describeError(error)}` };
    });
    const notification = failureNotification(run, { workspace: memory.workspace, lessons, now: now(), patchNote: decision.note });
    entry.last = { ...run, diagnostics: run.diagnostics.slice(0, 20), signatures, lesson: notification.lesson?.slug };
    entry.failingSince ??= run.startedAt;
    // The same failure again (same signatures) is not news: only a new or changed failure is told.
    const same = wasFailing && JSON.stringify(before.signatures) === JSON.stringify(signatures);
    if (same) return;
    const events = (run.diagnostics.length > 0 ? run.diagnostics.slice(0, 20) : [undefined]).map((item) => ({
      kind: 'error',
      text: item?.text ?? `${check.name}: ${run.outcome}${run.outputTail ? `\n${run.outputTail}` : ''}`,
      data: {
        check: check.name,
        signature: item ? diagnosticSignature(item) : signatures[0],
        ...(item
          ? { file: item.file, line: item.line, column: item.column, source: item.source, code: item.code }
          : { outcome: run.outcome }),
      },
    }));
    await memory
      .log(DAEMON_SESSION, events)
      .catch((error: unknown) => logger.warn('transcript-write-failed', { error: describeError(error) }));
    await notify(notification);
  };

  const runOne = async (check: DaemonCheck, trigger: Trigger) => {
    state.status = 'running';
    state.current = { step: `check ${check.name}`, since: now() };
    await save();
    logger.info('check-started', {
      check: check.name,
      trigger: trigger.kind,
      ...(trigger.kind === 'change' ? { paths: trigger.paths.slice(0, 20) } : {}),
    });
    const run = await runCheck(check, {
      workspace: memory.workspace,
      now: () => clock.now(),
      ...(options.runner ? { runner: options.runner } : {}),
    });
    await record(check, run);
  };

  const step = async (trigger: Trigger) => {
    if (trigger.kind === 'dream') {
      state.current = { step: 'dream', since: now() };
      await save();
      const outcome = await memory.dream({ ifDue: true });
      state.lastDream = { time: now(), status: outcome.status };
      logger.info('dream-finished', { status: outcome.status });
      return;
    }
    if (trigger.kind === 'change') {
      state.changes.batches += 1;
      state.changes.lastBatch = trigger.paths.slice(0, 50);
      state.changes.lastBatchSize = trigger.paths.length;
      state.changes.paths += trigger.paths.length;
    }
    const chosen =
      trigger.kind === 'schedule'
        ? checks.filter((check) => check.name === trigger.check)
        : checks.filter((check) => check.on.includes('change'));
    for (const check of chosen) {
      // a stop waits for the check under way, not for the rest of the batch
      if (options.signal.aborted) return;
      await runOne(check, trigger);
    }
  };

  const stopped = new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await writeFileAtomic(paths.pid, `${process.pid}\n`);
    await patches.cleanup().catch((error: unknown) => logger.warn('patch-cleanup-failed', { error: describeError(error) }));
    await save();
    logger.info('daemon-started', {
      root: memory.root,
      workspace: memory.workspace,
      checks: checks.map((check) => `${check.name}: ${check.command}`),
    });
    for (const check of checks) {
      if (check.on.includes('schedule') && check.cron !== undefined)
        jobs.set(
          check.name,
          await schedule(check.cron, `daemon.checks "${check.name}"`, () => enqueue({ kind: 'schedule', check: check.name })),
        );
    }
    if (config.dreamCron !== null)
      jobs.set('dream', await schedule(config.dreamCron, 'daemon.dreamCron', () => enqueue({ kind: 'dream' })));
    if (checks.some((check) => check.on.includes('change'))) {
      watcher = await watchWorkspace({
        workspace: memory.workspace,
        ignoredFolders: [memory.root, paths.dir],
        ignoreGlobs: config.ignore,
        debounceMs: config.debounceMs,
        onBatch: (changed) => enqueue({ kind: 'change', paths: changed }),
        logger,
        ...(options.runner ? { runner: options.runner } : {}),
      });
      await watcher.ready;
    }
    heartbeat = setInterval(() => {
      state.heartbeatAt = now();
      const usage = memoryUsage();
      logger.info('heartbeat', {
        rssMb: Math.round(usage.rss / 1048576),
        heapMb: Math.round(usage.heapUsed / 1048576),
        queue: queue.length,
        runs: state.runs,
      });
      if (state.status !== 'running') save().catch((error: unknown) => logger.warn('state-write-failed', { error: describeError(error) }));
    }, config.heartbeatSeconds * 1000);
    heartbeat.unref();
    if (checks.length === 0)
      logger.warn('no-checks', { hint: 'add daemon.checks to mnemo.config.json; no tsconfig.json or package.json scripts were found' });
    enqueue({ kind: 'start' });
    state.status = 'watching';
    await save();
    logger.info('watching', { checks: checks.length, debounceMs: config.debounceMs });
    while (!options.signal.aborted) {
      const next = queue.shift();
      if (next === undefined) {
        state.status = 'watching';
        state.current = undefined;
        await save();
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stopped]);
        wake = undefined;
        continue;
      }
      try {
        await step(next);
      } catch (error) {
        logger.error('step-failed', { trigger: next.kind, error: describeError(error) });
      }
    }
    logger.info('daemon-stopping', { reason: 'signal' });
    return state;
  } finally {
    state.status = 'stopped';
    state.current = undefined;
    state.stoppedAt = now();
    for (const job of jobs.values()) job.stop();
    if (heartbeat) clearInterval(heartbeat);
    await patches.stop().catch(() => undefined);
    await watcher?.close().catch(() => undefined);
    await save().catch(() => undefined);
    await unlink(paths.pid).catch(() => undefined);
    await lock.release();
    logger.info('daemon-stopped', { runs: state.runs, notifications: state.notifications });
  }
}
