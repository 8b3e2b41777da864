import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/run-cli.js';
import { gitRepo } from '../helpers/git-repo.js';
import { tempDir } from '../helpers/temp-root.js';
import { BROKEN, GOOD, waitFor, webhook } from '../helpers/daemon-harness.js';

/*
 * The daemon as a user runs it: the built CLI as a real child process, a real git repository
 * with TypeScript, real tsc runs, a loopback webhook receiving the notifications. Nothing waits
 * for a fixed time: every wait polls a condition (the state file, the webhook, a process).
 */
const REPO = join(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const LONG = 240_000;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
});

interface Notification {
  kind: string;
  title: string;
  message: string;
  check?: string;
  diagnostic?: { file?: string; line?: number; message: string; signature: string };
  lesson?: { slug: string; name: string; fix: string };
}

interface State {
  pid: number;
  status: string;
  current?: { step: string; since: string };
  runs: number;
  changes: { events: number; batches: number; lastBatch: string[] };
  checks: Record<string, { runs: number; last?: { outcome: string; diagnostics: unknown[] } }>;
  lastDream?: { status: string };
}

const servers: Server[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});


/** A git repository with TypeScript code that compiles, a memory root, and the daemon's config. */
async function project(daemon: Record<string, unknown>): Promise<{ cwd: string; dir: string; statePath: string }> {
  const cwd = await tempDir('mnemo-daemon-');
  await gitRepo(cwd, {
    '.gitignore': 'build/\nnode_modules/\n',
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['src'] }),
    'src/total.ts': GOOD,
  });
  await cli(['init'], { cwd });
  const dir = join(cwd, '.mnemo');
  await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify({ daemon: { dreamCron: null, ...daemon } }));
  return { cwd, dir, statePath: join(dir, '.state', 'daemon', 'state.json') };
}

const typecheck = { name: 'typecheck', command: `"${process.execPath}" "${TSC}" --noEmit -p .` };

function readState(path: string): State | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

/** `mnemo daemon run` as a child process; resolves with its exit once it ends. */
function runDaemon(cwd: string): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, 'daemon', 'run'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

function mnemo(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The daemon watches and its first run of every check is done. */
function settled(statePath: string, runs: number): Promise<State> {
  return waitFor(() => {
    const state = readState(statePath);
    return state?.status === 'watching' && state.runs >= runs ? state : undefined;
  });
}

/** Whether a process runs (a zombie waiting for init to reap it does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

describe('mnemo daemon (the built CLI as a real process)', () => {
  it(
    'notices a type error after the save, notifies with file:line and the matching lesson, says "recovered" only after tsc passes again, and stops cleanly',
    async () => {
      const hook = await webhook<Notification>(servers);
      const { cwd, dir, statePath } = await project({ debounceMs: 300, checks: [typecheck], notify: [{ type: 'webhook', url: hook.url }] });
      // A lesson learned earlier: a task hit this error, and its verified fix became a lesson.
      const task = (await cli(['task', 'begin', 'make the total a number', '--verify', 'true'], { cwd })).stdout.trim();
      await cli(
        ['task', 'observe', task, '--kind', 'error', "src/cart.ts(8,9): error TS2322: Type 'string' is not assignable to type 'number'."],
        { cwd },
      );
      expect(
        (await cli(['task', 'complete', task, '--summary', 'sum the numbers with reduce instead of joining them into a string'], { cwd }))
          .code,
      ).toBe(0);

      const daemon = runDaemon(cwd);
      const first = await settled(statePath, 1);
      expect(first.checks.typecheck?.last?.outcome).toBe('passed');
      expect(hook.received).toEqual([]);

      await writeFile(join(cwd, 'src', 'total.ts'), BROKEN);
      const failed = await waitFor(() => hook.received.find((item) => item.kind === 'failed'));
      expect(failed.title).toBe('typecheck failed (1 problem): src/total.ts:2:9');
      expect(failed.diagnostic).toMatchObject({
        file: 'src/total.ts',
        line: 2,
        message: "Type 'string' is not assignable to type 'number'.",
      });
      expect(failed.lesson?.fix).toContain('sum the numbers with reduce');
      expect(failed.message).toMatch(/Lesson lesson-\S+ matches/);
      // every diagnostic is an error event with its signature in the daemon's own session
      const sessions = await readdir(join(dir, 'sessions'));
      const daemonSession = sessions.find((name) => name.endsWith('mnemo-daemon.jsonl'));
      expect(daemonSession).toBeDefined();
      const events = (await readFile(join(dir, 'sessions', daemonSession ?? ''), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { kind: string; data: { signature: string; file: string } });
      expect(events.find((event) => event.kind === 'error')?.data).toMatchObject({
        file: 'src/total.ts',
        signature: "<path>(<n>,<n>): error TS2322: Type 'string' is not assignable to type 'number'.",
      });
      const status = await mnemo(cwd, 'daemon', 'status');
      expect(status.stdout).toMatch(/daemon: running \(pid \d+\)/);
      expect(status.stdout).toMatch(/typecheck since .*: src\/total\.ts:2: Type 'string' is not assignable/);

      await writeFile(join(cwd, 'src', 'total.ts'), GOOD);
      const recovered = await waitFor(() => hook.received.find((item) => item.kind === 'recovered'));
      expect(recovered.title).toBe('typecheck recovered: it passes again');
      expect(hook.received.map((item) => item.kind)).toEqual(['failed', 'recovered']);
      expect(JSON.stringify(hook.received)).not.toMatch(/\bfixed\b/i);

      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      expect(readState(statePath)?.status).toBe('stopped');
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.lock'))).toBe(false);
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.pid'))).toBe(false);
      expect((await mnemo(cwd, 'daemon', 'status', '--json')).stdout).toMatch(/"running": false/);
      // the user's tree: only what the test wrote (and put back), and the memory folder
      expect(execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' })).toBe('?? .mnemo/\n');
    },
    LONG,
  );

  it(
    'start detaches and reports, a second daemon is refused, SIGKILL leaves no lock that blocks the next start, and stop waits for the exit',
    async () => {
      const { cwd, statePath } = await project({ debounceMs: 300, checks: [{ name: 'quick', command: 'true' }] });
      const started = await mnemo(cwd, 'daemon', 'start', '--json');
      expect(started.code).toBe(0);
      const first = JSON.parse(started.stdout) as { status: string; pid: number };
      expect(first.status).toBe('started');
      expect(alive(first.pid)).toBe(true);
      expect(JSON.parse((await mnemo(cwd, 'daemon', 'start', '--json')).stdout)).toEqual({ status: 'already-running', pid: first.pid });
      const second = runDaemon(cwd);
      expect(await second.exited).toBe(3);
      expect(second.stderr()).toMatch(/A daemon already runs for .* \(process \d+/);

      process.kill(first.pid, 'SIGKILL');
      await waitFor(() => !alive(first.pid));
      const afterKill = JSON.parse((await mnemo(cwd, 'daemon', 'status', '--json')).stdout) as { running: boolean; staleLock: boolean };
      expect(afterKill).toMatchObject({ running: false, staleLock: true });

      const restarted = JSON.parse((await mnemo(cwd, 'daemon', 'start', '--json')).stdout) as { status: string; pid: number };
      expect(restarted.status).toBe('started');
      expect(restarted.pid).not.toBe(first.pid);
      await settled(statePath, 1);
      const stopped = await mnemo(cwd, 'daemon', 'stop');
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toMatch(new RegExp(`Daemon stopped \\(pid ${restarted.pid}, after \\d+ ms\\)`));
      expect(alive(restarted.pid)).toBe(false);
      expect((await mnemo(cwd, 'daemon', 'stop')).stdout).toMatch(/No daemon runs for/);
      const logs = await mnemo(cwd, 'daemon', 'logs', '-n', '200');
      expect(logs.stdout).toMatch(/info daemon-stopped/);
    },
    LONG,
  );

  it(
    '`mnemo daemon stop` during a check (and a second SIGTERM): the check finishes and is recorded, the rest of the batch is not started, exit 0, no lock or pidfile left',
    async () => {
      const gate = await tempDir('mnemo-gate-');
      const started = join(gate, 'started');
      const release = join(gate, 'release');
      // the check says it started, then waits for the test to let it finish
      const slow = {
        name: 'slow',
        command: `echo started > "${started}"; while [ ! -f "${release}" ]; do sleep 0.05; done; echo finished`,
      };
      const { cwd, dir, statePath } = await project({ debounceMs: 300, checks: [slow, { name: 'after', command: 'true' }] });
      const logPath = join(dir, '.state', 'daemon', 'daemon.log');
      const daemon = runDaemon(cwd);
      await waitFor(() => existsSync(started) && readState(statePath)?.current?.step === 'check slow');
      const stopping = mnemo(cwd, 'daemon', 'stop', '--json');
      // the daemon has the signal and says it finishes the step under way; it still runs
      await waitFor(() => existsSync(logPath) && /"msg":"signal"/.test(readFileSync(logPath, 'utf8')));
      expect(readFileSync(logPath, 'utf8')).toMatch(/"action":"finishing the step under way, then stopping"/);
      expect(daemon.child.exitCode).toBeNull();
      expect(alive(daemon.child.pid as number)).toBe(true);
      expect(readState(statePath)?.status).toBe('running');
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.lock'))).toBe(true);
      // an impatient second SIGTERM (systemd, a second `stop`) does not cut the step short either
      process.kill(daemon.child.pid as number, 'SIGTERM');
      await waitFor(() => {
        // the old way: no listener left after the first signal, the second killed the daemon on the spot
        if (daemon.child.exitCode !== null || daemon.child.signalCode !== null)
          throw new Error(`the daemon died (${daemon.child.signalCode ?? daemon.child.exitCode}) before its check finished`);
        return /"action":"already stopping"/.test(readFileSync(logPath, 'utf8'));
      });
      expect(alive(daemon.child.pid as number)).toBe(true);

      await writeFile(release, '');
      const stopped = await stopping;
      expect(stopped.code).toBe(0);
      expect(JSON.parse(stopped.stdout)).toMatchObject({ status: 'stopped', pid: daemon.child.pid });
      expect(await daemon.exited).toBe(0);
      const state = readState(statePath);
      expect(state?.status).toBe('stopped');
      expect(state?.checks.slow?.runs).toBe(1);
      expect(state?.checks.slow?.last?.outcome).toBe('passed');
      expect(state?.checks.after?.runs).toBe(0);
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.lock'))).toBe(false);
      expect(existsSync(join(dir, '.state', 'daemon', 'daemon.pid'))).toBe(false);
      expect(daemon.stderr()).not.toMatch(/error/i);
      const log = readFileSync(logPath, 'utf8');
      expect(log.indexOf('"msg":"check-finished"')).toBeGreaterThan(log.indexOf('"msg":"signal"'));
      expect(log).toMatch(/"msg":"daemon-stopped"/);
      expect((await mnemo(cwd, 'daemon', 'status', '--json')).stdout).toMatch(/"running": false/);
    },
    LONG,
  );

  it(
    'a check that hangs is killed with what it started after its timeout and reported as timed out',
    async () => {
      const hook = await webhook<Notification>(servers);
      const pidFile = join(await tempDir('mnemo-hang-'), 'grandchild.pid');
      const { cwd, statePath } = await project({
        // the shell starts a grandchild and waits for it: the timeout must end both
        checks: [{ name: 'hangs', command: `sleep 300 & echo $! > "${pidFile}"; wait`, timeout: 2000 }],
        notify: [{ type: 'webhook', url: hook.url }],
      });
      const daemon = runDaemon(cwd);
      const timedOut = await waitFor(() => hook.received.find((item) => item.kind === 'timed-out'));
      expect(timedOut.title).toMatch(/^hangs timed out after \d+ s/);
      await waitFor(() => readState(statePath)?.checks.hangs?.last?.outcome === 'timed-out');
      const grandchild = Number(await readFile(pidFile, 'utf8'));
      await waitFor(() => !alive(grandchild));
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    },
    LONG,
  );

  it(
    'a check runs on its cron schedule and dream --if-due on its own; status shows the next runs',
    async () => {
      const { cwd, statePath } = await project({
        dreamCron: '* * * * * *',
        checks: [{ name: 'every-second', command: 'true', on: ['schedule'], cron: '* * * * * *' }],
      });
      const daemon = runDaemon(cwd);
      const state = await waitFor(() => {
        const read = readState(statePath);
        return read !== undefined && (read.checks['every-second']?.runs ?? 0) >= 2 && read.lastDream !== undefined ? read : undefined;
      });
      expect(state.lastDream?.status).toMatch(/^(not-due|busy|applied)$/);
      // a schedule-only check is not run on start or on change
      expect(state.changes.batches).toBe(0);
      const status = await mnemo(cwd, 'daemon', 'status');
      expect(status.stdout).toMatch(/every-second {2}passed .*, next \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
      expect(status.stdout).toMatch(/next dream check: \d{4}-/);
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    },
    LONG,
  );

  it(
    'a burst of saves is one run; git-ignored files and the memory root trigger nothing',
    async () => {
      const { cwd, statePath } = await project({ debounceMs: 1000, checks: [{ name: 'quick', command: 'true' }] });
      const daemon = runDaemon(cwd);
      const start = await settled(statePath, 1);
      expect(start.changes.batches).toBe(0);
      for (let save = 0; save < 10; save += 1) writeFileSync(join(cwd, 'src', 'total.ts'), `${GOOD}// save ${save}\n`);
      const burst = await waitFor(() => {
        const state = readState(statePath);
        return state?.status === 'watching' && state.changes.batches >= 1 && state.runs >= 2 ? state : undefined;
      });
      expect(burst.changes.lastBatch).toEqual(['src/total.ts']);
      expect(burst.runs).toBe(2);
      expect(burst.changes.events).toBeGreaterThanOrEqual(1);

      // ignored: a build output (in .gitignore, its folder new since the start) and a note in the memory
      await writeFiles(cwd, { 'build/out.js': 'x', 'node_modules/dep/index.js': 'y' });
      expect(
        (await cli(['remember', 'The total sums prices.', '--name', 'Totals', '--description', 'how', '--type', 'project'], { cwd })).code,
      ).toBe(0);
      await writeFile(join(cwd, 'src', 'sentinel.ts'), 'export const sentinel = 1;\n');
      const after = await waitFor(() => {
        const state = readState(statePath);
        return state?.status === 'watching' && state.changes.lastBatch.includes('src/sentinel.ts') ? state : undefined;
      });
      expect(after.changes.lastBatch).toEqual(['src/sentinel.ts']);
      expect(after.changes.batches).toBe(2);
      expect(after.runs).toBe(3);
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    },
    LONG,
  );
});

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  const { writeFiles: write } = await import('../helpers/git-repo.js');
  await write(root, files);
}
