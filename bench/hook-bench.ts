/*
 * The Claude Code hooks: how well the per-prompt hook picks the memory a prompt needs, and how
 * long each hook keeps Claude Code waiting.
 *
 * 1. Precision and recall of `mnemo hook user-prompt-submit` on a labelled set of 48 prompts over
 *    a memory of 18 topics (bench/hook-labelled-set.ts): the relevance threshold is tuned on one
 *    half (even prompts, best F1) and reported on the other half (odd prompts).
 * 2. Hook latency, process start to exit, of the built CLI (`npm run build` first) side by side
 *    with `node -e 0` on the same machine in the same run.
 *   npx tsx bench/hook-bench.ts
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { promptContext } from '../src/claude-code/index.js';
import { openMemory } from '../src/index.js';
import { formatMs, machineLine, markdownTable, percentile } from './bench-utils.js';
import { HOOK_PROMPTS, HOOK_TOPICS, type LabelledPrompt } from './hook-labelled-set.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

/** A git project whose `.mnemo/` holds the labelled memory. */
export async function labelledProject(): Promise<{ cwd: string; dir: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'mnemo-hook-bench-'));
  await mkdir(join(cwd, '.git'));
  const dir = join(cwd, '.mnemo');
  const memory = await openMemory({ dir, create: true, cwd, config: { logLevel: 'silent' } });
  memory.close();
  for (const topic of HOOK_TOPICS) {
    const { slug, body, ...meta } = topic;
    await writeFile(join(dir, `${slug}.md`), `---\n${stringify(meta)}---\n${body}\n`);
  }
  const rendered = await openMemory({ dir, cwd, config: { logLevel: 'silent' } });
  await rendered.renderIndex();
  rendered.close();
  return { cwd, dir };
}

interface Scored {
  prompt: LabelledPrompt;
  /** The topics the hook would add at threshold 0 (at most 3), with their relevance. */
  topics: { slug: string; score: number }[];
  /** Bytes of additionalContext at threshold 0. */
  bytes: number;
}

interface Quality {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Prompts that should get nothing and got nothing. */
  quiet: number;
  /** Average bytes added per prompt that should get nothing. */
  unrelatedBytes: number;
  prompts: number;
}

function quality(scored: readonly Scored[], threshold: number): Quality {
  let added = 0;
  let right = 0;
  let expected = 0;
  let found = 0;
  let unrelated = 0;
  let quiet = 0;
  let unrelatedBytes = 0;
  for (const item of scored) {
    const chosen = item.topics.filter((topic) => topic.score >= threshold);
    added += chosen.length;
    if (item.prompt.expected === undefined) {
      unrelated += 1;
      if (chosen.length === 0) quiet += 1;
      else unrelatedBytes += item.bytes;
      continue;
    }
    expected += 1;
    if (chosen.some((topic) => topic.slug === item.prompt.expected)) {
      found += 1;
      right += 1;
    }
  }
  const precision = added === 0 ? 1 : right / added;
  const recall = expected === 0 ? 1 : found / expected;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    threshold,
    precision,
    recall,
    f1,
    quiet: unrelated === 0 ? 1 : quiet / unrelated,
    unrelatedBytes: unrelated === 0 ? 0 : unrelatedBytes / unrelated,
    prompts: scored.length,
  };
}

export async function runPromptQuality(): Promise<{
  tuned: Quality;
  test: Quality;
  all: Quality;
  atDefault: Quality;
  defaultThreshold: number;
  /** The hook's own work in-process (recall, checks, relevance, state), per prompt: median and p90. */
  workMs: { median: number; p90: number };
}> {
  const { cwd, dir } = await labelledProject();
  try {
    const memory = await openMemory({ dir, cwd, config: { logLevel: 'silent' } });
    const scored: Scored[] = [];
    const work: number[] = [];
    try {
      for (const prompt of HOOK_PROMPTS) {
        const started = performance.now();
        const context = await promptContext(memory, prompt.prompt, { threshold: 0 });
        work.push(performance.now() - started);
        scored.push({ prompt, topics: context.topics, bytes: Buffer.byteLength(context.text) });
      }
    } finally {
      memory.close();
    }
    const tuning = scored.filter((_, index) => index % 2 === 0);
    const held = scored.filter((_, index) => index % 2 === 1);
    let tuned = quality(tuning, 0);
    for (let threshold = 0.1; threshold <= 10; threshold = Math.round((threshold + 0.1) * 10) / 10) {
      const candidate = quality(tuning, threshold);
      if (candidate.f1 > tuned.f1 + 1e-9) tuned = candidate;
    }
    const defaultThreshold = memory.config.hooks.promptThreshold;
    return {
      tuned,
      test: quality(held, tuned.threshold),
      all: quality(scored, tuned.threshold),
      atDefault: quality(held, defaultThreshold),
      defaultThreshold,
      workMs: { median: percentile(work, 50), p90: percentile(work, 90) },
    };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

function timeProcess(args: readonly string[], cwd: string, stdin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], {
      cwd,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, MNEMO_LOG_LEVEL: 'silent' },
    });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
    child.stdin.end(stdin);
  });
}

export interface LatencyRow {
  what: string;
  medianMs: number;
  p90Ms: number;
  ratio: number;
}

/** The labelled project with a one-line transcript, and the hook payload for it (extra fields per event). */
export async function hookProject(): Promise<{ cwd: string; transcript: string; payload: (extra: Record<string, unknown>) => string }> {
  const { cwd } = await labelledProject();
  const transcript = join(cwd, 'session.jsonl');
  await writeFile(transcript, `${JSON.stringify({ type: 'user', sessionId: 'bench', message: { role: 'user', content: 'hello' } })}\n`);
  const payload = (extra: Record<string, unknown>) =>
    JSON.stringify({ session_id: 'bench-session', transcript_path: transcript, cwd, ...extra });
  return { cwd, transcript, payload };
}

export async function runHookLatency(runs = 10): Promise<LatencyRow[]> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const { cwd, payload } = await hookProject();
  try {
    const cases: { what: string; args: string[]; stdin: string }[] = [
      { what: '`node -e 0` (baseline)', args: ['-e', '0'], stdin: '' },
      { what: '`mnemo --version` (the CLI starting, no hook)', args: [CLI, '--version'], stdin: '' },
      {
        what: '`mnemo hook session-start`',
        args: [CLI, 'hook', 'session-start'],
        stdin: payload({ hook_event_name: 'SessionStart', source: 'startup' }),
      },
      {
        what: '`mnemo hook user-prompt-submit` (a prompt that matches)',
        args: [CLI, 'hook', 'user-prompt-submit'],
        stdin: payload({ hook_event_name: 'UserPromptSubmit', prompt: 'Deploy the new build to staging and switch traffic over' }),
      },
      {
        what: '`mnemo hook user-prompt-submit` (an unrelated prompt)',
        args: [CLI, 'hook', 'user-prompt-submit'],
        stdin: payload({ hook_event_name: 'UserPromptSubmit', prompt: 'Write a haiku about autumn leaves' }),
      },
      {
        what: '`mnemo hook stop` (returns; the import runs detached)',
        args: [CLI, 'hook', 'stop'],
        stdin: payload({ hook_event_name: 'Stop', stop_hook_active: false }),
      },
      {
        what: '`mnemo hook stop --foreground` (the detached work itself)',
        args: [CLI, 'hook', 'stop', '--foreground'],
        stdin: payload({ hook_event_name: 'Stop', stop_hook_active: false }),
      },
    ];
    const timings = new Map<string, number[]>(cases.map((entry) => [entry.what, []]));
    // Interleaved, so that a busy moment of the machine falls on every case alike.
    for (let run = 0; run < runs + 1; run += 1) {
      for (const entry of cases) {
        const ms = await timeProcess(entry.args, cwd, entry.stdin);
        if (run > 0) timings.get(entry.what)?.push(ms); // the first round warms the file cache
      }
    }
    const baseline = percentile(timings.get(cases[0]?.what ?? '') ?? [], 50);
    return cases.map(({ what }) => {
      const values = timings.get(what) ?? [];
      const median = percentile(values, 50);
      return { what, medianMs: median, p90Ms: percentile(values, 90), ratio: median / baseline };
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

export function formatPromptQuality(result: Awaited<ReturnType<typeof runPromptQuality>>): string {
  const row = (label: string, q: Quality) => [
    label,
    String(q.prompts),
    q.threshold.toFixed(1),
    percent(q.precision),
    percent(q.recall),
    percent(q.quiet),
    `${q.unrelatedBytes.toFixed(0)} B`,
  ];
  return (
    markdownTable(
      ['set', 'prompts', 'threshold', 'precision', 'recall', 'unrelated prompts given nothing', 'bytes per unrelated prompt'],
      [
        row('tuning half (even prompts)', result.tuned),
        row('held-out half (odd prompts)', result.test),
        row(`held-out half at the shipped default`, result.atDefault),
        row('all 48', result.all),
      ],
    ) +
    `\n\nThe hook's own work in-process (recall with checks on use, relevance, session state), per prompt: median ${formatMs(result.workMs.median)}, p90 ${formatMs(result.workMs.p90)}.`
  );
}

export function formatHookLatency(rows: readonly LatencyRow[]): string {
  return markdownTable(
    ['process', 'median', 'p90', 'vs `node -e 0`'],
    rows.map((row) => [row.what, formatMs(row.medianMs), formatMs(row.p90Ms), `${row.ratio.toFixed(1)}×`]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`Machine: ${machineLine()}\n\n`);
  process.stdout.write(`## Per-prompt hook: precision and recall\n\n${formatPromptQuality(await runPromptQuality())}\n\n`);
  process.stdout.write(`## Hook latency (process start to exit, 10 runs each)\n\n${formatHookLatency(await runHookLatency())}\n`);
}
