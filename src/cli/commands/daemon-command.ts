import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { DaemonState, DaemonStatus, PatchRecord } from '../../daemon/index.js';
import { MnemoError, createShiftedClock } from '../../shared/index.js';
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

function patchLine(record: PatchRecord): string {
  return `${record.id}  ${record.status}  ${ago(record.created)}  ${record.check}: ${record.problem}  → ${record.branch} (${record.files.map((file) => file.path).join(', ')})`;
}

function printStatus(out: Output, status: DaemonStatus, workspace: string, patches: readonly PatchRecord[]): void {
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
  const offered = patches.filter((record) => record.status === 'offered');
  const writer = state.patches?.agent;
  out.line(
    offered.length === 0
      ? `patches offered: none${writer ? ` (written by ${writer})` : ' (no model or daemon.agent is configured: the daemon only reports)'}`
      : 'patches offered (mnemo daemon apply ID):',
  );
  for (const record of offered) out.line(`  ${patchLine(record)}`);
  if (state.patches?.job)
    out.line(
      `patch job: ${state.patches.job.id} for ${state.patches.job.check}, ${state.patches.job.phase} since ${ago(state.patches.job.since)}`,
    );
  else if (state.patches?.last)
    out.line(
      `last patch job: ${state.patches.last.id} ${state.patches.last.outcome} ${ago(state.patches.last.time)}: ${state.patches.last.reason}`,
    );
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
      // The handlers stay on until the daemon has finished: a SIGTERM with no listener of ours
      // kills the process on the spot (exit by signal, the step cut off, the lock left behind). That
      // includes the one signal-exit re-raises when, during an atomic write (`writeFileAtomic`,
      // which removes its temp file on a signal), it finds itself the only SIGTERM listener; which
      // it does if a handler removes itself.
      const controller = new AbortController();
      let stopping: ((signal: NodeJS.Signals) => void) | undefined;
      const onStop = (signal: NodeJS.Signals) => {
        if (!controller.signal.aborted) controller.abort(signal);
        stopping?.(signal);
      };
      process.on('SIGTERM', onStop);
      process.on('SIGINT', onStop);
      try {
        const { runDaemon, createFileLogger, daemonPaths } = await import('../../daemon/index.js');
        const { environmentSettings } = await import('../../config/index.js');
        await withMemory(context, options, async (memory) => {
          const paths = daemonPaths(memory.root);
          const logger = createFileLogger(paths.log);
          const ignoreHangup = () => logger.info('signal-ignored', { signal: 'SIGHUP' });
          process.on('SIGHUP', ignoreHangup);
          let told = false;
          stopping = (signal) => {
            logger.info('signal', { signal, action: told ? 'already stopping' : 'finishing the step under way, then stopping' });
            told = true;
          };
          if (controller.signal.aborted) stopping(controller.signal.reason as NodeJS.Signals);
          context.out.note(`mnemo daemon for ${memory.workspace} (log: ${paths.log}); SIGTERM or Ctrl-C stops it.`);
          try {
            const settings = environmentSettings(context.io.env);
            await runDaemon({
              memory,
              signal: controller.signal,
              logger,
              path: settings.searchPath,
              env: context.io.env,
              // MNEMO_NOW (already checked by opening the memory): the daemon's days start there
              ...(settings.fixedNow ? { clock: createShiftedClock(settings.fixedNow) } : {}),
            });
          } finally {
            process.off('SIGHUP', ignoreHangup);
            stopping = undefined;
            logger.close();
          }
        });
      } finally {
        process.off('SIGTERM', onStop);
        process.off('SIGINT', onStop);
      }
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
      const { daemonStatus, listPatches, patchPaths } = await import('../../daemon/index.js');
      const { root, workspace } = await rootOf(context, options);
      const status = await daemonStatus(root);
      const patches = await listPatches(patchPaths(root));
      if (options.json)
        return context.out.json({
          ...status,
          workspace: status.state?.workspace ?? workspace,
          patches: patches.filter((record) => record.status === 'offered'),
        });
      printStatus(context.out, status, workspace, patches);
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

  rootOptions(daemon.command('patches'))
    .description('the verified patches the daemon offers (and those applied), newest first')
    .option('--all', 'also the applied ones')
    .option('--json', 'print the records as JSON')
    .action(async (options: DaemonFlags & { all?: boolean }) => {
      const { listPatches, patchPaths } = await import('../../daemon/index.js');
      const { root } = await rootOf(context, options);
      const paths = patchPaths(root);
      const patches = (await listPatches(paths)).filter((record) => options.all || record.status === 'offered');
      if (options.json) return context.out.json(patches.map((record) => ({ ...record, patchFile: join(paths.dir, record.patchFile) })));
      if (patches.length === 0) return context.out.line(options.all ? 'No patches.' : 'No patch is offered.');
      for (const record of patches) context.out.line(patchLine(record));
      context.out.note('Apply one with `mnemo daemon apply ID`, drop it with `mnemo daemon drop ID`; the patch files are in ' + paths.dir);
    });

  rootOptions(daemon.command('apply'))
    .description('apply a verified patch to your working tree (refused when a file it touches changed since)')
    .argument('<id>', 'the patch id (mnemo daemon patches)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes:\n  0  applied (the changes are in your working tree, not committed)\n  2  refused, nothing written: a file the patch touches changed since it was made, git could not apply it,\n     the patch is not offered any more (applied, dropped), or there is no such patch\n  3  could not complete (git failed, I/O)\n\nA refused patch stays offered: look at it on its branch, apply it by hand, or `mnemo daemon drop ID`.',
    )
    .action(async (id: string, options: DaemonFlags) => {
      const { applyPatch, patchPaths } = await import('../../daemon/index.js');
      const { root } = await rootOf(context, options);
      const result = await applyPatch(patchPaths(root), id, { now: new Date() });
      if (options.json) return context.out.json(result);
      context.out.line(`Applied patch ${result.id}${result.method === '3way' ? ' (three-way)' : ''}: ${result.files.join(', ')}.`);
      context.out.note('The changes are in your working tree, not committed; review them with `git diff`.');
    });

  rootOptions(daemon.command('drop'))
    .description('drop an offered patch: its branch is deleted, the patch and its record go to .state/trash (recoverable)')
    .argument('<id>', 'the patch id (mnemo daemon patches)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nThe record, the patch file and the commit of its branch are kept in .state/trash/daemon-patches/<id>-<time>/:\nrecover it with `git apply <that folder>/<id>.patch` or `git branch <branch> <branchCommit>`.\n\nExit codes: 0 dropped, 2 no such patch, 3 could not complete.',
    )
    .action(async (id: string, options: DaemonFlags) => {
      const { dropPatch, patchPaths } = await import('../../daemon/index.js');
      const { root } = await rootOf(context, options);
      const result = await dropPatch(patchPaths(root), id, { now: new Date() });
      if (options.json) return context.out.json(result);
      context.out.line(`Dropped patch ${result.id}${result.branchDeleted ? ` and its branch ${result.branch}` : ''}.`);
      context.out.note(`A copy is in ${result.trash} (git apply it from there to recover it).`);
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
