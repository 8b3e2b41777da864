export interface RunProcessOptions {
  /** Working folder. */
  cwd: string;
  /** Killed (SIGKILL after SIGTERM) when it runs longer. */
  timeoutMs: number;
  /** Bytes kept from the end of stdout and of stderr. Default 4 KB. */
  outputCapBytes?: number;
  /** Run `command` through /bin/sh. Only for commands a person typed, never for stored text. */
  shell?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Text fed on stdin. */
  input?: string;
}

export interface ProcessOutcome {
  /** Exit code; undefined when killed or never started. */
  exitCode: number | undefined;
  timedOut: boolean;
  /** Set when the process could not start (not found, not executable, ...). */
  startError: string | undefined;
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
}

/** The port through which mnemo runs other programs. */
export type ProcessRunner = (command: string, args: readonly string[], options: RunProcessOptions) => Promise<ProcessOutcome>;

/** Keep the last `cap` bytes of a text, marking the cut. */
export function tailText(text: string, cap: number): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= cap) return text;
  const buffer = Buffer.from(text);
  const kept = buffer
    .subarray(bytes - cap)
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
  return `[… ${bytes - cap} bytes cut]\n${kept}`;
}

/**
 * Runs a real child process through execa; never throws for a failing command. The child gets
 * its own process group, so a timeout kills what it started too (a shell's `sleep`, a test
 * runner's workers), not only the direct child.
 */
export const runProcess: ProcessRunner = async (command, args, options) => {
  const cap = options.outputCapBytes ?? 4096;
  const started = Date.now();
  const { execa } = await import('execa');
  const child = execa(command, args, {
    cwd: options.cwd,
    shell: options.shell ?? false,
    reject: false,
    detached: true,
    stripFinalNewline: false,
    maxBuffer: 16 * 1024 * 1024,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.env ? { env: options.env, extendEnv: true } : {}),
  });
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  let forceKill: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    forceKill = setTimeout(() => killGroup('SIGKILL'), 1000);
    forceKill.unref();
  }, options.timeoutMs);
  timer.unref();
  const result = await child;
  clearTimeout(timer);
  if (forceKill) clearTimeout(forceKill);
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const notStarted = result.failed && result.exitCode === undefined && !timedOut && !result.isTerminated;
  return {
    exitCode: timedOut ? undefined : result.exitCode,
    timedOut,
    startError: notStarted ? (result.originalMessage ?? result.shortMessage) : undefined,
    stdoutTail: tailText(stdout, cap),
    stderrTail: tailText(stderr, cap),
    durationMs: Date.now() - started,
  };
};
