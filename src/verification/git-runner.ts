import { runProcess, type ProcessOutcome } from '../shared/index.js';
import type { CheckContext } from './check-context.js';

/** Run git with argv (never a shell) in the workspace, through the context's runner. */
export async function runGit(context: CheckContext, args: readonly string[]): Promise<ProcessOutcome> {
  const runner = context.runner ?? runProcess;
  return runner('git', args, { cwd: context.workspace, timeoutMs: context.commandTimeoutMs, outputCapBytes: 256 * 1024 });
}

/** Why a git run did not give an answer, or undefined when it ran to an exit code. */
export function gitFailure(outcome: ProcessOutcome): string | undefined {
  if (outcome.startError !== undefined) return `git could not start: ${outcome.startError}`;
  if (outcome.timedOut) return 'git did not answer in time';
  if (outcome.exitCode === undefined) return 'git was stopped before it finished';
  return undefined;
}

/** True when git's stderr says the workspace is not inside a repository. */
export function isNotARepository(outcome: ProcessOutcome): boolean {
  return /not a git repository/i.test(outcome.stderrTail);
}
