import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { DaemonState, DaemonStatus } from '../../daemon/index.js';
import { MnemoError } from '../../shared/index.js';
import { loadConfigFor, positiveInt, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT, type Output } from '../output.js';
import { untilSignal } from '../server-flags.js';

interface DaemonFlags extends RootOptions {
  json?: boolean;
}

/** The memory root of a command that does not open the memory (status, stop, logs). */
async function rootOf(context: CommandContext, options: RootOptions): Promise<{ root: string; workspace: string }> {
  const loaded = await loadConfigFor(context, options);
  return { root: loaded.root, workspace: loaded.workspace };
}

/** How to run this CLI again: the built `main.js`, or `main.ts` through tsx when running from source. */
function selfCommand(): { command: string; args: string[] } {
  const built = fileURLToPath(new URL('../main.js', import.meta.url));
  if (existsSync(built)) return { command: process.execPath, args: [built] };
  return { command: process.execPath, args: ['--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))] };
}

function ago(time: string | undefined): string {
  return time === undefined ? '' : time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function printStatus(out: Output, status: DaemonStatus, workspace: string): void {
  const state: DaemonState | undefined = status.state;
  out.line(
    status.running
      ? `daemon: running (pid ${status.pid ?? '?'}) since ${ago(state?.startedAt)}, ${state?.status ?? 'starting'}${state?.current ? `: ${state.current.step} since ${ago(state.current.since)}` : ''}`
      : `daemon: not running${status.staleLock ? ' (its last run ended without stopping: the next start takes its lock over)' : ''}${state?.stoppedAt ? `; stopped ${ago(state.stoppedAt)}` : ''}`,
  );
  out.line(`workspace: ${state?.workspace ?? workspace}`);
  out.line(`memory: ${status.root}`);
  out.line(`log: ${status.paths.log}`);
  if (state === undefined) return out.line('checks: unknown until the daemon has run (mnemo daemon start)');
  if (status.running)
    out.line(
      `heartbeat: ${ago(state.heartbeatAt)}; ${state.runs} check runs, ${state.changes.batches} change batches, ${state.notifications} notifications`,
    );
  out.line('checks:');
  for (const [name, check] of Object.entries(state.checks)) {
    const last = check.last;
    const result = last ? `${last.outcome} ${ago(last.startedAt)} (${Math.round(last.durationMs)} ms)` : 'not run yet';
    const next = check.nextRun && status.running ? `, next ${ago(check.nextRun)}` : '';
    out.line(`  ${name}  ${result}${next}  [${check.on.join(', ')}${check.detected ? ', detected' : ''}]  ${check.command}`);
  }
  const problems = Object.entries(state.checks).filter(([, check]) => check.last && check.last.outcome !== 'passed');
  out.line(problems.length === 0 ? 'open problems: none' : 'open problems:');
  for (const [name, check] of problems) {
    const first = check.last?.diagnostics[0];
    const where = first?.file ? `${first.file}${first.line === undefined ? '' : `:${first.line}`}: ` : '';
    out.line(
      `  ${name} since ${ago(check.failingSince)}: ${first ? `${where}${first.message}` : (check.last?.outputTail.split('\n').at(-1) ?? '')}${check.last?.lesson ? ` (lesson ${check.last.lesson})` : ''}`,
    );
  }
  out.line('patches offered: none (the daemon reports; it does not write patches yet)');
  if (status.running && state.nextDream) out.line(`next dream check: ${ago(state.nextDream)}`);
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A log line for a person: time, level, message, fields; a line that is not JSON as it is. */
function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, pid: _pid, ...fields } = record;
  const when = typeof time === 'number' ? new Date(time).toISOString() : typeof time === 'string' ? time : '';
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value.replace(/\n/g, ' | ') : JSON.stringify(value)}`)
    .join(' ');
  return `${when} ${LEVEL_NAMES[Number(level)] ?? String(level)} ${typeof msg === 'string' ? msg : ''}${rest ? ` ${rest}` : ''}`;
}

async function followLog(path: string, from: number, print: (line: string) => void, stop: Promise<unknown>): Promise<void> {
  let offset = from;
  let carry = '';
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const size = await stat(path).then(
      (info) => info.size,
      () => 0,
    );
    if (size < offset) offset = 0;
    if (size > offset) {
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(size - offset);
        await handle.read(buffer, 0, buffer.length, offset);
        offset = size;
        const lines = (carry + buffer.toString('utf8')).split('\n');
        carry = lines.pop() ?? '';
        for (const line of lines) if (line !== '') print(line);
      } finally {
        await handle.close();
      }
    }
    await Promise.race([delay(250), stop]);
  }
}

/** `mnemo daemon run|start|stop|status|logs|notify-test`. */
export function registerDaemon(program: Command, context: CommandContext): void {
  const daemon = program
    .command('daemon')
    .description(
      'the background process: watch the workspace, run the checks on change and on schedule, tell you what broke and what recovered',
    );

  rootOptions(daemon.command('run'))
    .description(
      'run the daemon in the foreground until SIGTERM or Ctrl-C (for systemd, launchd, containers; `start` runs this in the background)',
    )
    .action(async (options: RootOptions) => {
      const { runDaemon, createFileLogger, daemonPaths } = await import('../../daemon/index.js');
      const { environmentSettings } = await import('../../config/index.js');
      await withMemory(context, options, async (memory) => {
        const paths = daemonPaths(memory.root);
        const logger = createFileLogger(paths.log);
        const controller = new AbortController();
        const ignoreHangup = () => logger.info('signal-ignored', { signal: 'SIGHUP' });
        process.on('SIGHUP', ignoreHangup);
        void untilSignal().then((signal) => {
          logger.info('signal', { signal, action: 'finishing the step under way, then stopping' });
          controller.abort();
        });
        context.out.note(`mnemo daemon for ${memory.workspace} (log: ${paths.log}); SIGTERM or Ctrl-C stops it.`);
        try {
          await runDaemon({ memory, signal: controller.signal, logger, path: environmentSettings(context.io.env).searchPath });
        } finally {
          process.off('SIGHUP', ignoreHangup);
          logger.close();
        }
      });
    });

  rootOptions(daemon.command('start'))
    .description('start the daemon in the background (it survives the terminal); waits until it watches')
    .option('--json', 'print the result as JSON')
    .action(async (options: DaemonFlags) => {
      const { startDaemon } = await import('../../daemon/index.js');
      const { root } = await rootOf(context, options);
      const self = selfCommand();
      const args = [...self.args, 'daemon', 'run', '--dir', root, ...(options.workspace ? ['--workspace', options.workspace] : [])];
      const result = await startDaemon(root, {
        command: self.command,
        args,
        cwd: context.io.cwd,
        ...(context.io.env ? { env: context.io.env } : {}),
      });
      if (options.json) return context.out.json(result);
      if (result.status === 'already-running') return context.out.line(`The daemon already runs for ${root} (pid ${result.pid}).`);
      const checks = Object.keys(result.state.checks);
      context.out.line(
        `Daemon started (pid ${result.pid}), watching ${result.state.workspace} with ${checks.length === 0 ? 'no checks' : checks.join(', ')}.`,
      );
      context.out.note('See it with `mnemo daemon status`, follow it with `mnemo daemon logs -f`, stop it with `mnemo daemon stop`.');
    });

  rootOptions(daemon.command('stop'))
    .description('stop the daemon: it finishes the step under way, then exits; waits for it')
    .option('--timeout <seconds>', 'how long to wait for it to exit', positiveInt('--timeout'), 60)
    .option('--json', 'print the result as JSON')
    .action(async (options: DaemonFlags & { timeout: number }) => {
      const { stopDaemon } = await import('../../daemon/index.js');
      const { root } = await rootOf(context, options);
      const result = await stopDaemon(root, { timeoutMs: options.timeout * 1000 });
      if (result.status === 'still-running') context.exitCode = EXIT.failed;
      if (options.json) return context.out.json(result);
      if (result.status === 'not-running')
        return context.out.line(
          `No daemon runs for ${root}.${result.staleLockRemoved ? ' (A lock left by a crashed one was removed.)' : ''}`,
        );
      if (result.status === 'stopped') return context.out.line(`Daemon stopped (pid ${result.pid}, after ${result.waitedMs} ms).`);
      throw new MnemoError(
        'io',
        `The daemon (pid ${result.pid}) still runs after ${options.timeout} s${result.current ? `: ${result.current.step} since ${result.current.since}` : ''}.`,
        {
          hint: `It exits once that step ends; wait, run \`mnemo daemon stop\` again, or end it at once with \`kill -9 ${result.pid}\` (the next start takes its lock over).`,
        },
      );
    });

  rootOptions(daemon.command('status'))
    .description('whether the daemon runs, the workspace, each check with its last result and time, open problems, the next scheduled runs')
    .option('--json', 'print the status as JSON')
    .action(async (options: DaemonFlags) => {
      const { daemonStatus } = await import('../../daemon/index.js');
      const { root, workspace } = await rootOf(context, options);
      const status = await daemonStatus(root);
      if (options.json) return context.out.json({ ...status, workspace: status.state?.workspace ?? workspace });
      printStatus(context.out, status, workspace);
    });

  rootOptions(daemon.command('logs'))
    .description('print the end of the daemon log (.state/daemon/daemon.log); -f keeps following it')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <count>', 'how many lines from the end', positiveInt('--lines'), 40)
    .option('--json', 'print the raw JSON lines')
    .action(async (options: DaemonFlags & { follow?: boolean; lines: number }) => {
      const { daemonPaths, readLogTail } = await import('../../daemon/index.js');
      const { root } = await rootOf(context, options);
      const path = daemonPaths(root).log;
      const print = (line: string) => context.out.line(options.json ? line : formatLogLine(line));
      const lines = await readLogTail(path, options.lines);
      if (lines.length === 0 && !options.follow)
        context.out.note(`No daemon log yet (${path}); start the daemon with \`mnemo daemon start\`.`);
      for (const line of lines) print(line);
      if (options.follow)
        await followLog(
          path,
          await stat(path).then(
            (info) => info.size,
            () => 0,
          ),
          print,
          untilSignal(),
        );
    });

  rootOptions(daemon.command('notify-test'))
    .description('send a test notification to every configured sink (daemon.notify) and say how each did')
    .option('--json', 'print the results as JSON')
    .action(async (options: DaemonFlags) => {
      const { sendNotification, createFileLogger, daemonPaths } = await import('../../daemon/index.js');
      const { environmentSettings } = await import('../../config/index.js');
      const loaded = await loadConfigFor(context, options);
      const logger = createFileLogger(daemonPaths(loaded.root).log);
      const results = await sendNotification(
        {
          kind: 'test',
          title: 'mnemo daemon: test notification',
          message: `A test from \`mnemo daemon notify-test\` for ${loaded.workspace}: this sink works.`,
          workspace: loaded.workspace,
          check: undefined,
          time: new Date().toISOString(),
          diagnostic: undefined,
          diagnostics: 0,
          lesson: undefined,
          patch: null,
        },
        loaded.config.daemon.notify,
        { logger, path: environmentSettings(context.io.env).searchPath },
      );
      logger.close();
      if (results.some((result) => !result.ok)) context.exitCode = EXIT.checkFailed;
      if (options.json) return context.out.json(results);
      for (const result of results) context.out.line(`${result.ok ? 'ok    ' : 'FAILED'}  ${result.sink}: ${result.detail}`);
      if (loaded.config.daemon.notify.length === 0)
        context.out.note(
          'Only the log is configured: add sinks under daemon.notify in mnemo.config.json (webhook, ntfy, desktop, command).',
        );
    });
}
