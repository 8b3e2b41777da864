import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { NotifySinkConfig } from '../config/index.js';
import { describeError, runProcess, type Logger, type ProcessRunner } from '../shared/index.js';

/** What the daemon tells a person: a check broke, came back, or a test of the sinks. */
export interface DaemonNotification {
  kind: 'failed' | 'timed-out' | 'recovered' | 'patch-offered' | 'patch-gave-up' | 'test';
  /** One line: what happened. */
  title: string;
  /** A few lines: where, the first diagnostic, the lesson if one matched. */
  message: string;
  workspace: string;
  check: string | undefined;
  time: string;
  /** The first diagnostic of a failure. */
  diagnostic:
    { file: string | undefined; line: number | undefined; column: number | undefined; message: string; signature: string } | undefined;
  diagnostics: number;
  /** A lesson whose error signature the failure carries. */
  lesson: { slug: string; name: string; fix: string } | undefined;
  /** The verified patch waiting (`patch-offered`); null otherwise: the daemon never says a patch exists before its checks passed. */
  patch: { id: string; branch: string; file: string; files: string[]; applied: boolean } | null;
}

/**
 * A notification's id: a hash of its content (kind, check, time, text …), the same on every retry
 * and every sink, so a receiver can drop a copy it already has (a webhook's 2xx lost on the way
 * back makes the daemon send it again).
 */
export function notificationId(notification: DaemonNotification): string {
  return `ntf-${createHash('sha256').update(JSON.stringify(notification)).digest('hex').slice(0, 20)}`;
}

export interface SinkResult {
  sink: string;
  ok: boolean;
  detail: string;
}

export interface NotifyOptions {
  logger: Logger;
  /** `PATH`, to find `notify-send` (the daemon gets it from the config layer). */
  path: string | undefined;
  runner?: ProcessRunner;
  /** Pause before the n-th retry of a webhook; default 500 ms × 2^(n-1). */
  retryDelayMs?: (attempt: number) => number;
}

/** Whether a program is on PATH (an executable file in one of its folders). */
export function onPath(program: string, path: string | undefined): boolean {
  for (const folder of (path ?? '').split(delimiter)) {
    if (folder === '') continue;
    try {
      accessSync(join(folder, program), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

async function postWithRetry(
  url: string,
  init: { body: string; headers: Record<string, string> },
  retries: number,
  retryDelayMs: (attempt: number) => number,
): Promise<SinkResult['detail']> {
  let last = '';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt > 0) await delay(retryDelayMs(attempt));
    try {
      const response = await fetch(url, { method: 'POST', body: init.body, headers: init.headers, signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      if (response.ok) return `HTTP ${response.status}${attempt > 0 ? ` after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}` : ''}`;
      last = `HTTP ${response.status}`;
      // a client error will not change by asking again
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      last = describeError(error);
    }
  }
  throw new Error(last);
}

function sinkName(sink: NotifySinkConfig): string {
  switch (sink.type) {
    case 'webhook':
    case 'ntfy':
      return `${sink.type} ${new URL(sink.url).host}`;
    case 'command':
      return `command ${sink.command.split(/\s+/)[0] ?? ''}`;
    case 'desktop':
      return 'desktop';
  }
}

async function sendTo(sink: NotifySinkConfig, notification: DaemonNotification & { id: string }, options: NotifyOptions): Promise<string> {
  const retryDelayMs = options.retryDelayMs ?? ((attempt: number) => 500 * 2 ** (attempt - 1));
  const runner = options.runner ?? runProcess;
  switch (sink.type) {
    case 'webhook':
      return postWithRetry(
        sink.url,
        {
          body: JSON.stringify(notification),
          headers: { 'content-type': 'application/json', 'idempotency-key': notification.id, ...sink.headers },
        },
        sink.retries,
        retryDelayMs,
      );
    case 'ntfy':
      return postWithRetry(
        sink.url,
        {
          body: notification.message,
          headers: {
            // HTTP headers carry Latin-1 only
            Title: notification.title.replace(/[^\x20-\x7e]/g, '?'),
            Tags: notification.kind === 'recovered' ? 'white_check_mark' : notification.kind === 'test' ? 'bell' : 'warning',
            ...(sink.priority === undefined ? {} : { Priority: String(sink.priority) }),
          },
        },
        2,
        retryDelayMs,
      );
    case 'desktop': {
      if (!onPath('notify-send', options.path)) return 'skipped: notify-send is not on PATH';
      const outcome = await runner('notify-send', ['--app-name=mnemo', notification.title, notification.message], {
        cwd: notification.workspace,
        timeoutMs: 5000,
      });
      if (outcome.exitCode !== 0) throw new Error(outcome.startError ?? (outcome.stderrTail.trim() || `exit ${String(outcome.exitCode)}`));
      return 'shown';
    }
    case 'command': {
      const outcome = await runner(sink.command, [], {
        cwd: notification.workspace,
        timeoutMs: sink.timeout,
        shell: true,
        input: `${JSON.stringify(notification)}\n`,
      });
      if (outcome.exitCode !== 0)
        throw new Error(
          outcome.startError ??
            (outcome.timedOut ? 'timed out' : `exit ${String(outcome.exitCode)}: ${outcome.stderrTail.trim().slice(-200)}`),
        );
      return 'exit 0';
    }
  }
}

/**
 * Send a notification to the log (always) and to every configured sink, each independently: one
 * sink failing (after its retries) is reported and logged, and does not stop the others.
 */
export async function sendNotification(
  notification: DaemonNotification,
  sinks: readonly NotifySinkConfig[],
  options: NotifyOptions,
): Promise<SinkResult[]> {
  // the id first, so that it leads the JSON a webhook or a command reads
  const sending = { id: notificationId(notification), ...notification };
  const level = notification.kind === 'failed' || notification.kind === 'timed-out' ? 'warn' : 'info';
  options.logger[level]('notification', {
    id: sending.id,
    kind: notification.kind,
    title: notification.title,
    check: notification.check,
    text: notification.message,
  });
  const results: SinkResult[] = [{ sink: 'log', ok: true, detail: 'written' }];
  const sent = await Promise.all(
    sinks.map(async (sink): Promise<SinkResult> => {
      const name = sinkName(sink);
      try {
        return { sink: name, ok: true, detail: await sendTo(sink, sending, options) };
      } catch (error) {
        options.logger.warn('notification-failed', { sink: name, error: describeError(error) });
        return { sink: name, ok: false, detail: describeError(error) };
      }
    }),
  );
  return [...results, ...sent];
}
