import { runProcess } from '../shared/index.js';
import { confirmed, contradicted, unverifiable, type CheckContext, type CheckOutcome, type CommandEvidence } from './check-context.js';
import { parseCommandLine } from './command-line.js';
import { excerpt, findPattern, showPattern } from './text-pattern.js';

/** Bytes kept from the end of a command's stdout and stderr. */
export const COMMAND_OUTPUT_CAP_BYTES = 4096;

/** Why `command` or `http` evidence may not run in this context, or undefined when it may. */
export function refusalToRun(kind: 'command' | 'http', context: CheckContext): string | undefined {
  if (context.trust !== 'trusted') return `untrusted provenance never runs ${kind === 'command' ? 'commands' : 'HTTP requests'}`;
  if (kind === 'command' && !context.allowCommands) return 'commands are not allowed (verification.allowCommands is off)';
  if (kind === 'http' && !context.allowHttp) return 'HTTP checks are not allowed (verification.allowHttp is off)';
  return undefined;
}

/**
 * `command` evidence: runs only for trusted topics when commands are allowed; split into argv
 * (never a shell), run in the workspace with the command timeout and a 4 KB output cap. The
 * exit code must equal `expect.exit` (default 0) and stdout must match `expect.stdout`.
 */
export async function checkCommand(evidence: CommandEvidence, context: CheckContext): Promise<CheckOutcome> {
  const refusal = refusalToRun('command', context);
  if (refusal) return unverifiable(refusal);
  const parsed = parseCommandLine(evidence.run);
  if (!parsed.ok) return unverifiable(parsed.reason);
  const expectedExit = evidence.expect?.exit ?? 0;
  const stdoutPattern = evidence.expect?.stdout;
  const [program, ...args] = parsed.argv;
  const runner = context.runner ?? runProcess;
  const outcome = await runner(program, args, {
    cwd: context.workspace,
    timeoutMs: context.commandTimeoutMs,
    outputCapBytes: COMMAND_OUTPUT_CAP_BYTES,
  });
  const observed: Record<string, unknown> = {
    exitCode: outcome.exitCode,
    stdout: outcome.stdoutTail,
    stderr: outcome.stderrTail,
    durationMs: outcome.durationMs,
  };
  if (outcome.startError !== undefined) return unverifiable(`\`${evidence.run}\` could not start: ${outcome.startError}`, observed);
  if (outcome.timedOut) return unverifiable(`\`${evidence.run}\` did not finish within ${context.commandTimeoutMs} ms`, observed);
  if (outcome.exitCode === undefined) return unverifiable(`\`${evidence.run}\` was stopped before it finished`, observed);
  if (outcome.exitCode !== expectedExit) {
    const said = excerpt(outcome.stderrTail || outcome.stdoutTail);
    return contradicted(`\`${evidence.run}\` now exits ${outcome.exitCode}, expected ${expectedExit}${said ? `: ${said}` : ''}`, observed);
  }
  if (stdoutPattern !== undefined && !findPattern(stdoutPattern, outcome.stdoutTail).matched) {
    return contradicted(`the output of \`${evidence.run}\` no longer matches ${showPattern(stdoutPattern)}`, observed);
  }
  return confirmed(
    `\`${evidence.run}\` exits ${expectedExit}${stdoutPattern === undefined ? '' : ` and prints ${showPattern(stdoutPattern)}`}`,
    observed,
  );
}
