/*
 * Context over a long session: a scripted 300-step session (reads, failing commands with long
 * logs, fixes, passing runs, notes) run through mnemo's agent runtime, and through the same loop
 * with context management off (every result appended in full, never compacted: the naive loop).
 * Real tools in a temp git repository, a real memory; only the model is scripted (its summaries
 * for compaction too: it keeps the first line of every failed result and the assistant's text).
 * Reports the context tokens sent per step (4 characters per token, the engine's own estimate),
 * peak and mean, whether the goal was in every request, and the share of the facts needed at the
 * last step (the cause of every error met) that were in that last request.
 *   npx tsx bench/context.ts
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScriptedAgentModel, type ScriptedAgentStep } from '../src/agent/index.js';
import { defaultConfig } from '../src/config/index.js';
import { openMemory } from '../src/index.js';
import { silentLogger } from '../src/shared/index.js';
import { gitRepo } from '../test/helpers/git-repo.js';
import { markdownTable, seededRandom, syntheticVocabulary } from './bench-utils.js';

const CYCLES = 60;
const GOAL = 'Make every module pass its check (node checks/run.js K for K = 0..59), then report the cause of each failure you fixed.';

interface Scenario {
  files: Record<string, string>;
  causes: string[];
}

function scenario(): Scenario {
  const random = seededRandom(16);
  const words = syntheticVocabulary(4000, random);
  const pick = (count: number) => Array.from({ length: count }, () => words[Math.floor(random() * words.length)]).join(' ');
  const files: Record<string, string> = {};
  const causes: string[] = [];
  for (let k = 0; k < CYCLES; k += 1) {
    const cause = `${pick(2)}-${k}`;
    causes.push(cause);
    files[`src/module${k}.js`] = Array.from({ length: 80 }, (_, line) => `// module ${k} line ${line}: ${pick(6)}`).join('\n') + `\nexports.value = 'broken-${k}';\n`;
    const log = Array.from({ length: 400 }, (_, line) => `  at step ${line} (${pick(5)})`).join('\n');
    files[`logs/fail${k}.log`] = `running check ${k}\n${log}\nERROR E${k}: cause: ${cause}\n`;
    files[`logs/pass${k}.log`] = `${Array.from({ length: 100 }, (_, line) => `ok ${line} ${pick(4)}`).join('\n')}\ncheck ${k} passed\n`;
  }
  return { files, causes };
}

/** The model's 300 steps: read, run (fails with a long log), fix, run (passes), stage a note; then the report. */
function script(causes: readonly string[]): ScriptedAgentStep[] {
  const steps: ScriptedAgentStep[] = [];
  for (let k = 0; k < CYCLES; k += 1) {
    steps.push({ text: `Looking at module ${k}.`, toolCalls: [{ toolName: 'read', input: { path: `src/module${k}.js` } }] });
    steps.push({ toolCalls: [{ toolName: 'bash', input: { command: `cat logs/fail${k}.log; exit 1` } }] });
    steps.push({ toolCalls: [{ toolName: 'edit', input: { path: `src/module${k}.js`, old: `'broken-${k}'`, new: `'fixed-${k}'` } }] });
    steps.push({ toolCalls: [{ toolName: 'bash', input: { command: `cat logs/pass${k}.log` } }] });
    steps.push((request) => ({
      toolCalls: [
        {
          toolName: 'task_note',
          input: {
            task: /task (t-[a-z0-9]+)/.exec(request.text)?.[1] ?? 't-unknown',
            name: `Module ${k} failure`,
            description: `E${k} was caused by ${causes[k]}`,
            type: 'project',
            body: `Check ${k} failed with E${k}; the cause was ${causes[k]}; fixed in src/module${k}.js.`,
          },
        },
      ],
    }));
  }
  steps.push({ text: 'All modules pass; causes reported.' });
  return steps;
}

/** A scripted summarizer: the assistant's lines and the first line of each failed result, nothing else. */
function summarize(prompt: string): string {
  return prompt
    .split('\n')
    .filter((line) => line.startsWith('ASSISTANT:') || / -> FAILED /.test(line) || /^ERROR E\d+/.test(line))
    .map((line) => line.slice(0, 200))
    .join('\n');
}

export interface ContextRun {
  name: string;
  tokens: number[];
  goalEverywhere: boolean;
  factsPresent: number;
  compactions: number;
  outcome: string;
}

async function runSession(name: string, managed: boolean, contextWindow: number): Promise<ContextRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-context-bench-'));
  try {
    const { files, causes } = scenario();
    await mkdir(join(dir, 'checks'), { recursive: true });
    await gitRepo(dir, files);
    await writeFile(join(dir, '.gitignore'), '.mnemo/\n');
    const agent = managed
      ? { ...defaultConfig().agent, contextWindow }
      : { ...defaultConfig().agent, compactAt: 1_000_000_000, toolResultBytes: 1_000_000_000 };
    const memory = await openMemory({ dir: join(dir, '.mnemo'), workspace: dir, create: true, logger: silentLogger, config: { agent } });
    const scripted = createScriptedAgentModel(script(causes), summarize);
    let compactions = 0;
    try {
      const result = await memory.agent({ model: scripted.model, permissions: { yes: true }, limits: { maxSteps: 400, ...(managed ? { contextWindow } : {}) } }).run(GOAL, {
        onEvent: (event) => {
          if (event.type === 'compaction' && event.ok) compactions += 1;
        },
      });
      const last = scripted.requests.at(-1)?.text ?? '';
      return {
        name,
        tokens: result.steps.map((step) => step.contextTokens),
        goalEverywhere: scripted.requests.every((request) => request.text.includes(JSON.stringify(GOAL).slice(1, -1))),
        factsPresent: causes.filter((cause) => last.includes(cause)).length / causes.length,
        compactions,
        outcome: result.outcome,
      };
    } finally {
      memory.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runContextBench(): Promise<ContextRun[]> {
  return [
    await runSession('naive loop (append everything)', false, 0),
    await runSession('mnemo, 200k window (compacts at 167k)', true, 200_000),
    await runSession('mnemo, 64k window (compacts at 31k)', true, 64_000),
  ];
}

export function formatContextBench(runs: readonly ContextRun[]): string {
  const naive = runs[0]!;
  const at = (run: ContextRun, step: number) => run.tokens[Math.min(step, run.tokens.length) - 1] ?? 0;
  const rows = runs.map((run) => {
    const peak = Math.max(...run.tokens);
    const mean = run.tokens.reduce((sum, value) => sum + value, 0) / run.tokens.length;
    return [
      run.name,
      String(run.tokens.length),
      [50, 100, 200, 300].map((step) => `${Math.round(at(run, step) / 1000)}k`).join(' / '),
      `${Math.round(peak / 1000)}k`,
      `${((peak / Math.max(...naive.tokens)) * 100).toFixed(0)}%`,
      `${Math.round(mean / 1000)}k`,
      run.goalEverywhere ? '100%' : 'no',
      `${(run.factsPresent * 100).toFixed(0)}%`,
      String(run.compactions),
      run.outcome,
    ];
  });
  return markdownTable(
    ['loop', 'steps', 'context at step 50 / 100 / 200 / 300', 'peak', 'peak vs naive', 'mean', 'goal in requests', 'needed facts at the end', 'compactions', 'outcome'],
    rows,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatContextBench(await runContextBench())}\n`);
}
