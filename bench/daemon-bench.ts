/*
 * The daemon: how soon a breaking save becomes a notification (with the check's own time shown
 * apart), what the daemon costs while it watches a 10k-file workspace and does nothing (CPU and
 * RSS from /proc), and how many file events a second it absorbs without falling behind (bursts
 * of new files of growing size; every path must reach the check runner).
 *
 *   npm run build && npx tsx bench/daemon-bench.ts [--seconds 60]   (idle period; also in `npm run bench`)
 *
 * `--seconds 10` (or DAEMON_IDLE_SECONDS=10) for a quick run; the goals are for 60 s.
 *
 * Real processes throughout: the built CLI's `mnemo daemon run` as a child, real tsc runs, a
 * loopback webhook receiving the notifications.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { formatMs, machineLine, markdownTable, percentile } from './bench-utils.js';

const REPO = join(import.meta.dirname, '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const CLOCK_TICKS = 100;

interface Received {
  kind: string;
  at: number;
}

interface State {
  status: string;
  runs: number;
  changes: { events: number; batches: number; lastBatch: string[]; lastBatchSize: number; paths: number };
  checks: Record<string, { last?: { outcome: string; durationMs: number } }>;
}

async function until<T>(probe: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await delay(10);
  }
}

/** `until`, giving up (undefined) after `ms`. */
async function within<T>(ms: number, probe: () => T | undefined | false): Promise<T | undefined> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await delay(10);
  }
  return undefined;
}

function readState(path: string): State | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=bench@mnemo.invalid', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    stdio: 'ignore',
  });
}

async function project(daemon: Record<string, unknown>, files: Record<string, string>): Promise<{ cwd: string; statePath: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'mnemo-daemon-bench-'));
  git(cwd, 'init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(cwd, path, '..'), { recursive: true });
    await writeFile(join(cwd, path), content);
  }
  execFileSync(process.execPath, [CLI, 'init'], { cwd, stdio: 'ignore' });
  await writeFile(join(cwd, '.mnemo', 'mnemo.config.json'), JSON.stringify({ daemon: { dreamCron: null, ...daemon } }));
  return { cwd, statePath: join(cwd, '.mnemo', '.state', 'daemon', 'state.json') };
}

function startDaemon(cwd: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'daemon', 'run'], { cwd, stdio: 'ignore' });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** utime + stime of a process, in seconds, and its resident set now and at its peak, in MB. */
function processUsage(pid: number): { cpuSeconds: number; rssMb: number; peakRssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSeconds, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

const GOOD = 'export function total(prices: number[]): number {\n  return prices.reduce((sum, price) => sum + price, 0);\n}\n';
const BROKEN = 'export function total(prices: number[]): number {\n  const sum: number = prices.join(",");\n  return sum;\n}\n';

export interface LatencyRow {
  debounceMs: number;
  trials: number;
  tscAloneMs: number;
  saveToNotificationMs: number;
  checkMs: number;
  overheadMs: number;
}

/** Save → notification, `trials` breaks and as many recoveries, with the check's time read from the state file. */
async function latency(debounceMs: number, trials: number): Promise<LatencyRow> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ kind: (JSON.parse(body) as { kind: string }).kind, at: performance.now() });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { cwd, statePath } = await project(
    {
      debounceMs,
      checks: [{ name: 'typecheck', command: `"${process.execPath}" "${TSC}" --noEmit -p .` }],
      notify: [{ type: 'webhook', url }],
    },
    {
      '.gitignore': 'node_modules/\n',
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['src'] }),
      'src/total.ts': GOOD,
    },
  );
  // the baseline: the same check run by hand
  const alone: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    execFileSync(process.execPath, [TSC, '--noEmit', '-p', '.'], { cwd });
    alone.push(performance.now() - started);
  }
  const child = startDaemon(cwd);
  await until(() => readState(statePath)?.status === 'watching' && (readState(statePath)?.runs ?? 0) >= 1);
  const latencies: number[] = [];
  const checks: number[] = [];
  for (let trial = 0; trial < trials * 2; trial += 1) {
    const broken = trial % 2 === 0;
    const before = received.length;
    const saved = performance.now();
    writeFileSync(join(cwd, 'src', 'total.ts'), broken ? BROKEN : GOOD);
    const notification = await until(() => received[before]);
    latencies.push(notification.at - saved);
    const state = await until(() => {
      const read = readState(statePath);
      return read?.status === 'watching' && read.checks.typecheck?.last?.outcome === (broken ? 'failed' : 'passed') ? read : undefined;
    });
    checks.push(state.checks.typecheck?.last?.durationMs ?? Number.NaN);
  }
  await stop(child);
  server.close();
  await rm(cwd, { recursive: true, force: true });
  const saveToNotificationMs = percentile(latencies, 50);
  const checkMs = percentile(checks, 50);
  return {
    debounceMs,
    trials: latencies.length,
    tscAloneMs: percentile(alone, 50),
    saveToNotificationMs,
    checkMs,
    overheadMs: saveToNotificationMs - checkMs - debounceMs,
  };
}

export interface IdleRow {
  files: number;
  folders: number;
  readyMs: number;
  seconds: number;
  cpuPercent: number;
  /** When it reported that it watches, and at the end of the idle period. */
  readyRssMb: number;
  rssMb: number;
  peakRssMb: number;
  /** The same daemon on a one-file workspace: what the opened memory, SQLite, pino and croner cost. */
  baselineRssMb: number;
}

export interface BurstRow {
  files: number;
  writeMs: number;
  /** Paths that reached the check runner for this burst (all of them: `files`). */
  reached: number;
  batches: number;
  /** From the last write to the last path reaching the runner, less the debounce. */
  catchUpMs: number;
  cpuSeconds: number;
  peakRssMb: number;
}

const DEBOUNCE_MS = 1500;

/** A workspace of `files` files in folders of 100 (a git repository) whose only check is `true`. */
async function workspace(files: number): Promise<{ cwd: string; statePath: string }> {
  const layout: Record<string, string> = { '.gitignore': 'node_modules/\n' };
  for (let index = 0; index < files; index += 1)
    layout[`src/m${Math.floor(index / 100)}/f${index}.ts`] = `export const v${index} = ${index};\n`;
  return project({ debounceMs: DEBOUNCE_MS, checks: [{ name: 'quick', command: 'true' }] }, layout);
}

async function started(cwd: string, statePath: string): Promise<{ child: ChildProcess; readyMs: number }> {
  const begun = performance.now();
  const child = startDaemon(cwd);
  await until(() => readState(statePath)?.status === 'watching' && (readState(statePath)?.runs ?? 0) >= 1);
  return { child, readyMs: performance.now() - begun };
}

/**
 * Idle cost over `seconds` in a workspace of `files` files (against the same daemon on one file),
 * then bursts of new files of each size in `bursts`, one after the other in the same daemon.
 */
async function idleAndBursts(files: number, seconds: number, bursts: readonly number[]): Promise<{ idle: IdleRow; bursts: BurstRow[] }> {
  const small = await workspace(1);
  const baseline = await started(small.cwd, small.statePath);
  const baselineRssMb = processUsage(baseline.child.pid as number).rssMb;
  await stop(baseline.child);
  await rm(small.cwd, { recursive: true, force: true });

  const { cwd, statePath } = await workspace(files);
  const { child, readyMs } = await started(cwd, statePath);
  const pid = child.pid as number;
  const before = processUsage(pid);
  await delay(seconds * 1000);
  const after = processUsage(pid);
  const idle: IdleRow = {
    files,
    folders: Math.ceil(files / 100) + 2,
    readyMs,
    seconds,
    cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / seconds) * 100,
    readyRssMb: before.rssMb,
    rssMb: after.rssMb,
    peakRssMb: after.peakRssMb,
    baselineRssMb,
  };
  const folders = Math.ceil(files / 100);
  const rows: BurstRow[] = [];
  let serial = 0;
  for (const size of bursts) {
    const start = readState(statePath) as State;
    const usage = processUsage(pid);
    const writeStart = performance.now();
    for (let index = 0; index < size; index += 1, serial += 1)
      writeFileSync(join(cwd, 'src', `m${serial % folders}`, `new${serial}.ts`), `export const n${serial} = 1;\n`);
    const written = performance.now();
    // every path reached the runner, or (a path lost) nothing more comes for 30 s after the debounce
    let last = start;
    let lastChange = performance.now();
    const done = await until(() => {
      const read = readState(statePath);
      if (read === undefined) return undefined;
      if (read.changes.paths !== last.changes.paths) lastChange = performance.now();
      last = read;
      if (read.status === 'watching' && read.changes.paths - start.changes.paths >= size) return { read, at: lastChange };
      if (performance.now() - Math.max(lastChange, written) > DEBOUNCE_MS + 30_000) return { read, at: lastChange };
      return undefined;
    });
    const end = processUsage(pid);
    rows.push({
      files: size,
      writeMs: written - writeStart,
      reached: done.read.changes.paths - start.changes.paths,
      batches: done.read.changes.batches - start.changes.batches,
      catchUpMs: Math.max(0, done.at - written - DEBOUNCE_MS),
      cpuSeconds: end.cpuSeconds - usage.cpuSeconds,
      peakRssMb: end.peakRssMb,
    });
    // a straggling batch (late events) lands before the next burst counts
    await within(DEBOUNCE_MS * 2, () => false);
  }
  await stop(child);
  await rm(cwd, { recursive: true, force: true });
  return { idle, bursts: rows };
}

export interface DaemonBench {
  latency: LatencyRow[];
  idle: IdleRow;
  bursts: BurstRow[];
}

export async function runDaemonBench(
  options: { idleSeconds?: number; trials?: number; bursts?: readonly number[]; onPart?: (part: unknown) => void } = {},
): Promise<DaemonBench> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const trials = options.trials ?? 3;
  const watched = await idleAndBursts(10_000, options.idleSeconds ?? 60, options.bursts ?? [1000, 4000, 16_000]);
  options.onPart?.(watched);
  const rows: LatencyRow[] = [];
  for (const debounceMs of [200, 1500]) {
    rows.push(await latency(debounceMs, trials));
    options.onPart?.(rows.at(-1));
  }
  return { latency: rows, ...watched };
}

export function formatDaemonBench(result: DaemonBench): string {
  const latencyTable = markdownTable(
    [
      'debounce',
      'saves (break + recover)',
      'tsc alone (median)',
      'save → notification (median)',
      'check inside it',
      'daemon overhead (rest − debounce)',
    ],
    result.latency.map((row) => [
      `${row.debounceMs} ms`,
      String(row.trials),
      formatMs(row.tscAloneMs),
      formatMs(row.saveToNotificationMs),
      formatMs(row.checkMs),
      formatMs(row.overheadMs),
    ]),
  );
  const { idle: row } = result;
  const idleTable = markdownTable(
    [
      'workspace',
      'ready after',
      'idle period',
      'idle CPU (of one core, goal < 1%)',
      'RSS when ready / after the idle period (goal < 150 MB)',
      'peak RSS',
      'RSS on a 1-file workspace, when ready',
    ],
    [
      [
        `${row.files.toLocaleString('en')} files, ${row.folders} folders`,
        formatMs(row.readyMs),
        `${row.seconds} s`,
        `${row.cpuPercent.toFixed(2)}%`,
        `${row.readyRssMb.toFixed(0)} MB / ${row.rssMb.toFixed(0)} MB`,
        `${row.peakRssMb.toFixed(0)} MB`,
        `${row.baselineRssMb.toFixed(0)} MB`,
      ],
    ],
  );
  const burstTable = markdownTable(
    [
      'new files in the burst',
      'written in',
      'write rate (files/s; 2 inotify events each)',
      'paths that reached the runner',
      'check runs',
      'caught up after the last write (debounce left out)',
      'daemon CPU for the burst',
      'peak RSS so far',
    ],
    result.bursts.map((burst) => [
      burst.files.toLocaleString('en'),
      formatMs(burst.writeMs),
      `${((burst.files / burst.writeMs) * 1000).toFixed(0)}/s`,
      `${burst.reached.toLocaleString('en')}${burst.reached === burst.files ? ' (all)' : ` of ${burst.files.toLocaleString('en')}`}`,
      String(burst.batches),
      formatMs(burst.catchUpMs),
      `${burst.cpuSeconds.toFixed(2)} s`,
      `${burst.peakRssMb.toFixed(0)} MB`,
    ]),
  );
  return `${latencyTable}\n\n${idleTable}\n\n${burstTable}`;
}

/** `--seconds N` (or DAEMON_IDLE_SECONDS), default 60. */
function idleSecondsOption(argv: readonly string[]): number {
  const flag = argv.indexOf('--seconds');
  const raw = flag >= 0 ? argv[flag + 1] : process.env.DAEMON_IDLE_SECONDS;
  const value = Number(raw ?? 60);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--seconds wants a positive number of seconds, not ${JSON.stringify(raw)}.`);
  return value;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const idleSeconds = idleSecondsOption(process.argv.slice(2));
  process.stdout.write(`Machine: ${machineLine()}\n\n`);
  process.stdout.write(
    `${formatDaemonBench(await runDaemonBench({ idleSeconds, onPart: (part) => process.stderr.write(`${JSON.stringify(part)}\n`) }))}\n`,
  );
}
