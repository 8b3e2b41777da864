/*
 * How long the built CLI takes to start, process start to exit, side by side with `node -e 0` in the
 * same run (cases interleaved, so a busy moment of the machine falls on every case alike): `--help`,
 * `recall`, `status`, every Claude Code hook, and `mnemo mcp` to its answer to `initialize`. Goals
 * (issues 13 and 15): `--help`, `recall` and the hooks within 2× bare node; `stop`, `subagent-stop`
 * and `session-end` within 150 ms; `mcp` answers `initialize` within 300 ms. Also prints the
 * per-prompt hook's precision on the labelled set (bench/hook-labelled-set.ts).
 *   npm run build && npx tsx bench/cli-start.ts        (CLI_START_RUNS=20 for more runs)
 * CLI_START_COMPARE=/other/checkout/dist/cli/main.js adds the same cases for another build (e.g.
 * main before a change), interleaved in the same run, each marked "(compared build)".
 * After each case the bench waits until the detached children of the per-turn hooks have finished
 * and their `dream --if-due` (found in /proc), so no case is timed while an earlier one's background work still runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatMs, machineLine, markdownTable, percentile } from './bench-utils.js';
import { formatPromptQuality, hookProject, runPromptQuality } from './hook-bench.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

interface Case {
  what: string;
  args: string[];
  stdin: string;
  /** Time to the first line on stdout that answers request 1 (then the process is ended), not to exit. */
  untilAnswer?: boolean;
  /** Extra environment for this case (made fresh for each run when a function). */
  env?: () => Record<string, string>;
}

function timeProcess(entry: Case, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, entry.args, {
      cwd,
      stdio: ['pipe', entry.untilAnswer ? 'pipe' : 'ignore', 'ignore'],
      env: { ...process.env, MNEMO_LOG_LEVEL: 'silent', ...(entry.env?.() ?? {}) },
    });
    child.on('error', reject);
    if (entry.untilAnswer) {
      let seen = '';
      let answered = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (!answered && /"id":1\b/.test(seen)) {
          answered = true;
          const ms = performance.now() - started;
          child.once('exit', () => resolve(ms));
          child.kill();
        }
      });
      child.on('exit', () => {
        if (!answered) reject(new Error(`${entry.what}: exited before answering: ${seen.slice(0, 200)}`));
      });
      child.stdin?.write(entry.stdin);
    } else {
      child.on('exit', () => resolve(performance.now() - started));
      child.stdin?.end(entry.stdin);
    }
  });
}

/**
 * The detached children still running (found in /proc by their command line): `hook … --foreground`
 * and the `dream --if-due` that one starts when it is done, so that a case is timed only once the
 * work an earlier case handed off is done: rows do not overlap. Empty where there is no /proc.
 */
async function detachedChildren(cli: readonly string[]): Promise<number[]> {
  const pids = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if ((args.includes('--foreground') || args.includes('--if-due')) && args.some((arg) => cli.includes(arg))) found.push(Number(pid));
  }
  return found;
}

async function waitForDetached(cli: readonly string[]): Promise<void> {
  const deadline = performance.now() + 60_000;
  while ((await detachedChildren(cli)).length > 0) {
    if (performance.now() > deadline) throw new Error('a detached hook child ran for over 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface StartRow {
  what: string;
  medianMs: number;
  p95Ms: number;
  /** Median of this case over the median of `node -e 0`. */
  ratio: number;
  goal: string;
}

export async function runCliStart(runs = Number(process.env.CLI_START_RUNS ?? 10)): Promise<StartRow[]> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const { cwd, transcript, payload } = await hookProject();
  try {
    const initialize = `${JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cli-start-bench', version: '1' } },
    })}\n`;
    const twice = '≤ 2×';
    const own: (Case & { goal: string })[] = [
      { what: '`node -e 0` (baseline)', args: ['-e', '0'], stdin: '', goal: '' },
      { what: '`mnemo --help`', args: [CLI, '--help'], stdin: '', goal: twice },
      { what: '`mnemo recall deploy staging`', args: [CLI, 'recall', 'deploy staging'], stdin: '', goal: twice },
      { what: '`mnemo status`', args: [CLI, 'status'], stdin: '', goal: '' },
      {
        what: '`mnemo hook session-start`',
        args: [CLI, 'hook', 'session-start'],
        stdin: payload({ hook_event_name: 'SessionStart', source: 'startup' }),
        goal: twice,
      },
      {
        what: '`mnemo hook user-prompt-submit`',
        args: [CLI, 'hook', 'user-prompt-submit'],
        stdin: payload({ hook_event_name: 'UserPromptSubmit', prompt: 'Deploy the new build to staging and switch traffic over' }),
        goal: twice,
      },
      {
        what: '`mnemo hook stop` (work detached)',
        args: [CLI, 'hook', 'stop'],
        stdin: payload({ hook_event_name: 'Stop', stop_hook_active: false }),
        goal: '≤ 150 ms',
      },
      {
        what: '`mnemo hook subagent-stop` (work detached)',
        args: [CLI, 'hook', 'subagent-stop'],
        stdin: payload({ hook_event_name: 'SubagentStop', agent_id: 'a1', agent_transcript_path: transcript }),
        goal: '≤ 150 ms',
      },
      {
        what: '`mnemo hook session-end` (work detached)',
        args: [CLI, 'hook', 'session-end'],
        stdin: payload({ hook_event_name: 'SessionEnd', reason: 'exit' }),
        goal: '≤ 150 ms',
      },
      { what: '`mnemo mcp` to its `initialize` answer', args: [CLI, 'mcp'], stdin: initialize, untilAnswer: true, goal: '≤ 300 ms' },
      // What the code cache (src/cli/compiled-bundle.ts) saves, and what a run with an empty one costs
      // (it compiles, then writes the cache as it exits).
      {
        what: '`mnemo hook user-prompt-submit`, compile cache off',
        args: [CLI, 'hook', 'user-prompt-submit'],
        stdin: payload({ hook_event_name: 'UserPromptSubmit', prompt: 'Deploy the new build to staging and switch traffic over' }),
        env: () => ({ MNEMO_COMPILE_CACHE: '0' }),
        goal: '',
      },
      {
        what: '`mnemo hook user-prompt-submit`, first run (empty cache)',
        args: [CLI, 'hook', 'user-prompt-submit'],
        stdin: payload({ hook_event_name: 'UserPromptSubmit', prompt: 'Deploy the new build to staging and switch traffic over' }),
        env: () => ({ XDG_CACHE_HOME: mkdtempSync(join(cwd, 'cache-')) }),
        goal: '',
      },
    ];
    const compare = process.env.CLI_START_COMPARE;
    const cases = compare
      ? own.flatMap((entry) =>
          entry.args[0] === CLI
            ? [entry, { ...entry, what: `${entry.what} (compared build)`, args: [compare, ...entry.args.slice(1)], goal: '' }]
            : [entry],
        )
      : own;
    const timings = new Map<string, number[]>(cases.map((entry) => [entry.what, []]));
    for (let run = 0; run < runs + 1; run += 1) {
      for (const entry of cases) {
        const ms = await timeProcess(entry, cwd);
        await waitForDetached(compare ? [CLI, compare] : [CLI]);
        if (run > 0) timings.get(entry.what)?.push(ms); // the first round warms the file cache
      }
    }
    const baseline = percentile(timings.get(cases[0]?.what ?? '') ?? [], 50);
    return cases.map(({ what, goal }) => {
      const values = timings.get(what) ?? [];
      const median = percentile(values, 50);
      return { what, medianMs: median, p95Ms: percentile(values, 95), ratio: median / baseline, goal };
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export function formatCliStart(rows: readonly StartRow[]): string {
  return markdownTable(
    ['process', 'median', 'p95', 'vs `node -e 0`', 'goal'],
    rows.map((row) => [row.what, formatMs(row.medianMs), formatMs(row.p95Ms), `${row.ratio.toFixed(2)}×`, row.goal]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`Machine: ${machineLine()}\n\n`);
  process.stdout.write(
    `## CLI start (process start to exit; interleaved with \`node -e 0\`)\n\n${formatCliStart(await runCliStart())}\n\n`,
  );
  process.stdout.write(`## Per-prompt hook: precision and recall\n\n${formatPromptQuality(await runPromptQuality())}\n`);
}
