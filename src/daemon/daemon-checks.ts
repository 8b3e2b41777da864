import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonConfig } from '../config/index.js';
import { runProcess, type ProcessRunner } from '../shared/index.js';
import { parseDiagnostics, type Diagnostic } from './parse-diagnostics.js';

/** A check as the daemon runs it: from the config, or found in the project. */
export interface DaemonCheck {
  name: string;
  command: string;
  on: ('change' | 'schedule')[];
  cron: string | undefined;
  /** Milliseconds. */
  timeout: number;
  /** Found in the project (no `daemon.checks` in the config). */
  detected: boolean;
}

const DETECTED_TIMEOUT_MS = 300_000;
/** What `npm init` writes into `scripts.test`: no test at all. */
const NPM_INIT_TEST = /no test specified/;

function packageScripts(workspace: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as { scripts?: unknown };
    if (typeof parsed.scripts !== 'object' || parsed.scripts === null) return {};
    return Object.fromEntries(Object.entries(parsed.scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * The checks to run: `daemon.checks` when the config has them; otherwise found in the workspace:
 * `tsc --noEmit` when there is a tsconfig.json, and the `lint` and `test` scripts of package.json.
 */
export function resolveChecks(config: Pick<DaemonConfig, 'checks'>, workspace: string): DaemonCheck[] {
  if (config.checks !== undefined) {
    return config.checks.map((check) => ({
      name: check.name,
      command: check.command,
      on: [...new Set(check.on)],
      cron: check.cron,
      timeout: check.timeout,
      detected: false,
    }));
  }
  const found: DaemonCheck[] = [];
  const detected = (name: string, command: string): DaemonCheck => ({
    name,
    command,
    on: ['change'],
    cron: undefined,
    timeout: DETECTED_TIMEOUT_MS,
    detected: true,
  });
  if (existsSync(join(workspace, 'tsconfig.json'))) {
    const local = join('node_modules', '.bin', 'tsc');
    found.push(detected('typecheck', existsSync(join(workspace, local)) ? `${local} --noEmit` : 'npx --no-install tsc --noEmit'));
  }
  const scripts = packageScripts(workspace);
  if (scripts.lint !== undefined) found.push(detected('lint', 'npm run --silent lint'));
  if (scripts.test !== undefined && !NPM_INIT_TEST.test(scripts.test)) found.push(detected('test', 'npm run --silent test'));
  return found;
}

/** One run of a check. `passed` only when the command ran to its end and exited 0. */
export interface CheckRun {
  check: string;
  command: string;
  outcome: 'passed' | 'failed' | 'timed-out' | 'not-started';
  exitCode: number | undefined;
  startedAt: string;
  durationMs: number;
  diagnostics: Diagnostic[];
  /** The last lines of the output, for a failure nothing could parse. */
  outputTail: string;
}

const OUTPUT_CAP_BYTES = 1024 * 1024;

/** Run one check in the workspace through the shell, killed with everything it started after its timeout. */
export async function runCheck(
  check: DaemonCheck,
  options: { workspace: string; now: () => Date; runner?: ProcessRunner },
): Promise<CheckRun> {
  const startedAt = options.now().toISOString();
  const runner = options.runner ?? runProcess;
  const outcome = await runner(check.command, [], {
    cwd: options.workspace,
    timeoutMs: check.timeout,
    shell: true,
    outputCapBytes: OUTPUT_CAP_BYTES,
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const output = `${outcome.stdoutTail}\n${outcome.stderrTail}`;
  const result =
    outcome.startError !== undefined ? 'not-started' : outcome.timedOut ? 'timed-out' : outcome.exitCode === 0 ? 'passed' : 'failed';
  const tail = output
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-20)
    .join('\n');
  return {
    check: check.name,
    command: check.command,
    outcome: result,
    exitCode: outcome.exitCode,
    startedAt,
    durationMs: outcome.durationMs,
    diagnostics: result === 'passed' ? [] : parseDiagnostics(output, { workspace: options.workspace }),
    outputTail: outcome.startError ?? tail,
  };
}
