import { spawn } from 'node:child_process';
import type { LanguageModel } from 'ai';
import type { AgentConfig } from '../config/index.js';
import type { AgentMemory } from '../agent/index.js';
import { describeError, tailText } from '../shared/index.js';
import type { KnownLesson } from './check-notification.js';
import type { CheckRun, DaemonCheck } from './daemon-checks.js';
import { diagnosticLocation } from './parse-diagnostics.js';

/** The task an agent gets: make the check pass, with its diagnostics, the matching lesson and the checks that must keep passing. */
export function patchTask(input: {
  check: DaemonCheck;
  run: CheckRun;
  lesson: KnownLesson | undefined;
  others: readonly DaemonCheck[];
}): string {
  const { check, run, lesson, others } = input;
  const diagnostics = run.diagnostics.slice(0, 10).map((item) => {
    const where = diagnosticLocation(item);
    return `- ${where ? `${where}: ` : ''}${item.message}`;
  });
  return [
    `Make the check "${check.name}" pass in this repository.`,
    '',
    `It runs \`${check.command}\` in this folder and fails now${run.diagnostics.length > 0 ? ` with ${run.diagnostics.length} problem(s)` : ` (${run.outcome}, exit ${String(run.exitCode)})`}:`,
    ...(diagnostics.length > 0 ? diagnostics : [run.outputTail.split('\n').slice(-15).join('\n')]),
    ...(run.diagnostics.length > 10 ? [`- and ${run.diagnostics.length - 10} more`] : []),
    '',
    ...(lesson
      ? [`A lesson in memory matches this error (${lesson.slug}): ${lesson.name}`, lesson.body.split('\n').slice(0, 12).join('\n'), '']
      : []),
    ...(others.length > 0
      ? [`These checks must keep passing: ${others.map((item) => `${item.name} (\`${item.command}\`)`).join(', ')}.`, '']
      : []),
    'Change as little as you can: fix the cause, do not silence the check (no disabling rules, no skipped tests, no `any` casts to get past types).',
    'Do not commit, do not touch files outside this folder. This is a fresh checkout of HEAD made for you; when you stop,',
    'every check is run again here, and only if all pass is your change offered to the user as a patch.',
  ].join('\n');
}

/** How an agent's run ended, before the checks are rerun. */
export interface AgentAttempt {
  ok: boolean;
  /** Why it did not finish, or its last words. */
  summary: string;
  tokens: number;
}

/**
 * An external agent (`claude -p`, `codex exec`, `aider …`): the command through the shell in the
 * worktree, the task on stdin, in its own process group, killed with everything it started at
 * the timeout or when `signal` aborts. `onStart` gets its pid (the group), for a clean-up after a crash.
 */
export function runExternalAgent(
  command: string,
  task: string,
  options: { cwd: string; timeoutMs: number; signal: AbortSignal; onStart?: (pid: number) => void },
): Promise<AgentAttempt> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal.addEventListener('abort', onAbort, { once: true });
    // aborted before it started (the job's time ran out while its worktree was made)
    if (options.signal.aborted) killGroup();
    if (child.pid !== undefined) options.onStart?.(child.pid);
    const collect = (chunk: Buffer) => {
      output = tailText(output + chunk.toString('utf8'), 16 * 1024);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdin.on('error', () => undefined);
    child.stdin.end(task);
    const finish = (attempt: AgentAttempt) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    child.once('error', (error) => finish({ ok: false, summary: `could not start \`${command}\`: ${describeError(error)}`, tokens: 0 }));
    child.once('close', (code, signal) => {
      const last = output.trim().split('\n').slice(-5).join('\n');
      if (timedOut) return finish({ ok: false, summary: `the agent timed out after ${Math.round(options.timeoutMs / 1000)} s`, tokens: 0 });
      if (options.signal.aborted) return finish({ ok: false, summary: 'the daemon stopped the job', tokens: 0 });
      finish({
        ok: code === 0,
        summary: code === 0 ? last : `\`${command}\` exited with ${code === null ? `signal ${String(signal)}` : `code ${code}`}: ${last}`,
        tokens: 0,
      });
    });
  });
}

/** The memory as the agent sees it in a worktree: the same memory, its tools rooted in the worktree. */
export function memoryInWorktree<T extends AgentMemory>(memory: T, workspace: string): T {
  return new Proxy(memory, {
    get: (target, property, receiver) => (property === 'workspace' ? workspace : Reflect.get(target, property, receiver)),
  });
}

/**
 * The runtime's agent (the configured model) on the task in the worktree: its tools (read, write,
 * edit, bash, …) confined to the worktree, no sub-agents, within the step and token budgets. Its
 * transcript goes to `session`; its own task stays unverified (the daemon verifies by rerunning the checks).
 */
export async function runModelAgent(
  task: string,
  options: {
    memory: AgentMemory;
    workspace: string;
    model: LanguageModel;
    modelId: string;
    config: AgentConfig;
    maxSteps: number;
    maxTokens: number;
    signal: AbortSignal;
    session: string;
  },
): Promise<AgentAttempt & { task: string | undefined }> {
  const { openAgentSession } = await import('../agent/index.js');
  const memory = memoryInWorktree(options.memory, options.workspace);
  try {
    const session = await openAgentSession(task, {
      memory,
      model: options.model,
      modelId: options.modelId,
      config: { ...options.config, subAgents: { ...options.config.subAgents, enabled: false } },
      limits: { maxSteps: options.maxSteps, maxTokens: options.maxTokens },
      // the worktree is the agent's own checkout; the configured deny rules still hold
      yes: true,
      signal: options.signal,
      session: options.session,
    });
    const result = await session.finish(await session.send(task));
    return {
      ok: result.outcome === 'completed',
      summary:
        result.outcome === 'completed' ? result.answer.trim().slice(0, 500) : `${result.outcome}: ${result.error?.message ?? ''}`.trim(),
      tokens: result.usage.totalTokens,
      task: result.task,
    };
  } catch (error) {
    return { ok: false, summary: `the agent failed: ${describeError(error)}`, tokens: 0, task: undefined };
  }
}
