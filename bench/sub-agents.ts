/*
 * Sub-agents: (1) a scripted task split into 4 independent sub-tasks, each sub-agent's model
 * answering after a simulated latency (SUB_AGENT_LATENCY_MS per request, default 1000 ms, real time), run with
 * agent.subAgents.concurrency 1 (one after the other) and 4 (in parallel): wall time of the
 * whole parent run and the ratio. (2) The first request of a sub-agent on a 1k-topic memory
 * against sending the whole index and every topic (what users of other agents report their
 * sub-agents get): tokens counted with gpt-tokenizer (o200k) on the request's text.
 * Real tools in a temp git repository, a real memory; only the models are scripted.
 *   npx tsx bench/sub-agents.ts            (SUB_AGENT_TOPICS=1000, SUB_AGENT_LATENCY_MS=1000)
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { countTokens } from 'gpt-tokenizer';
import { createScriptedAgentModel, type ScriptedAgentModel, type ScriptedAgentStep } from '../src/agent/index.js';
import { openMemory, type Memory } from '../src/index.js';
import { gitRepo } from '../test/helpers/git-repo.js';
import { markdownTable, seededRandom } from './bench-utils.js';
import { ScaleText } from './scale-text.js';

const LATENCY_MS = Number(process.env.SUB_AGENT_LATENCY_MS ?? 1000);
const SUB_TASKS = 4;
const REPEATS = 3;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function project(config: object): Promise<{ root: string; memory: Memory }> {
  const root = await mkdtemp(join(tmpdir(), 'mnemo-bench-sub-'));
  const files: Record<string, string> = {};
  for (let index = 0; index < SUB_TASKS; index += 1) files[`src/part${index}.js`] = `// part ${index}\nexports.value${index} = ${index};\n`;
  await gitRepo(root, files);
  const dir = join(root, '.mnemo');
  (await openMemory({ dir, workspace: root, create: true, config: { logLevel: 'silent' } })).close();
  await writeFile(join(dir, 'mnemo.config.json'), JSON.stringify(config));
  return { root, memory: await openMemory({ dir, workspace: root, config: { logLevel: 'silent' } }) };
}

/** A sub-agent's model: read its file, grep it, answer; every request after LATENCY_MS. */
function subAgentModel(index: number): ScriptedAgentModel {
  const slow =
    (step: { text?: string; toolCalls?: { toolName: string; input: unknown }[] }): ScriptedAgentStep =>
    async () => {
      await wait(LATENCY_MS);
      return step;
    };
  return createScriptedAgentModel([
    slow({ toolCalls: [{ toolName: 'read', input: { path: `src/part${index}.js` } }] }),
    slow({ toolCalls: [{ toolName: 'grep', input: { pattern: `value${index}` } }] }),
    slow({ text: `part ${index} exports value${index} = ${index}.` }),
  ]);
}

async function splitRun(concurrency: number): Promise<{ ms: number; completed: number; steps: number }> {
  const { root, memory } = await project({ agent: { subAgents: { concurrency } } });
  try {
    const parent = createScriptedAgentModel([
      {
        toolCalls: Array.from({ length: SUB_TASKS }, (_, index) => ({
          toolName: 'agent',
          input: { description: `part ${index}`, prompt: `Say what src/part${index}.js exports.` },
        })),
      },
      { text: 'All four parts reported.' },
    ]);
    const started = performance.now();
    const result = await memory
      .agent({ model: parent.model, subAgentModel: ({ description }) => subAgentModel(Number(description.split(' ')[1])).model })
      .run('Report what every part exports.');
    const ms = performance.now() - started;
    return {
      ms,
      completed: result.subAgents.filter((agent) => agent.outcome === 'completed').length,
      steps: result.subAgents.reduce((sum, agent) => sum + agent.steps, 0),
    };
  } finally {
    memory.close();
    await rm(root, { recursive: true, force: true });
  }
}

export interface SubAgentBench {
  latencyMs: number;
  sequentialMs: number;
  parallelMs: number;
  ratio: number;
  completed: number;
  topics: number;
  firstRequestTokens: number;
  wholeMemoryTokens: number;
  sizeRatio: number;
  recalledBytes: number;
  indexTokens: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function firstRequest(
  topicCount: number,
): Promise<Pick<SubAgentBench, 'topics' | 'firstRequestTokens' | 'wholeMemoryTokens' | 'sizeRatio' | 'recalledBytes' | 'indexTokens'>> {
  const { root, memory } = await project({});
  try {
    const text = new ScaleText(seededRandom(17));
    const topics = Array.from({ length: topicCount }, (_, index) => text.topic(index));
    for (const [index, topic] of topics.entries()) await memory.remember({ ...topic, slug: `t-${index}` });
    const prompt = `Find out how ${topics[Math.min(42, topics.length - 1)]!.name} is used and report the files.`;
    const child = createScriptedAgentModel([{ text: 'Reported.' }]);
    const parent = createScriptedAgentModel([
      { toolCalls: [{ toolName: 'agent', input: { description: 'scout', prompt } }] },
      { text: 'ok' },
    ]);
    const result = await memory.agent({ model: parent.model, subAgentModel: () => child.model }).run('Learn about one topic.');
    const index = await memory.indexText();
    const files = (await readdir(join(root, '.mnemo'))).filter((name) => name.endsWith('.md') && name !== 'MEMORY.md');
    const bodies = await Promise.all(files.map((name) => readFile(join(root, '.mnemo', name), 'utf8')));
    const firstRequestTokens = countTokens(child.requests[0]!.text);
    const wholeMemoryTokens = countTokens([index, ...bodies].join('\n\n'));
    return {
      topics: files.length,
      firstRequestTokens,
      wholeMemoryTokens,
      sizeRatio: firstRequestTokens / wholeMemoryTokens,
      recalledBytes: result.subAgents[0]?.memoryBytes ?? 0,
      indexTokens: countTokens(index),
    };
  } finally {
    memory.close();
    await rm(root, { recursive: true, force: true });
  }
}

export async function runSubAgentBench(topicCount = Number(process.env.SUB_AGENT_TOPICS ?? 1000)): Promise<SubAgentBench> {
  const sequential: number[] = [];
  const parallel: number[] = [];
  let completed = 0;
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    // interleaved, so load on the machine hits both alike
    const one = await splitRun(1);
    const four = await splitRun(SUB_TASKS);
    sequential.push(one.ms);
    parallel.push(four.ms);
    completed = Math.min(one.completed, four.completed);
  }
  const sequentialMs = median(sequential);
  const parallelMs = median(parallel);
  return {
    latencyMs: LATENCY_MS,
    sequentialMs,
    parallelMs,
    ratio: parallelMs / sequentialMs,
    completed,
    ...(await firstRequest(topicCount)),
  };
}

export function formatSubAgentBench(bench: SubAgentBench): string {
  const speed = markdownTable(
    ['4 sub-tasks, 3 model requests each', 'concurrency 1 (sequential)', 'concurrency 4 (parallel)', 'parallel / sequential (goal ≤ 0.35)'],
    [
      [
        `${bench.latencyMs} ms simulated latency per request, median of ${REPEATS}`,
        `${bench.sequentialMs.toFixed(0)} ms`,
        `${bench.parallelMs.toFixed(0)} ms`,
        bench.ratio.toFixed(2),
      ],
    ],
  );
  const size = markdownTable(
    ['memory', "sub-agent's first request", 'whole index + all topics', 'share (goal ≤ 10%)', 'recalled memory in it', 'of it the index'],
    [
      [
        `${bench.topics} topics`,
        `${bench.firstRequestTokens} tokens`,
        `${bench.wholeMemoryTokens} tokens`,
        `${(bench.sizeRatio * 100).toFixed(1)}%`,
        `${bench.recalledBytes} bytes`,
        `${bench.indexTokens} tokens`,
      ],
    ],
  );
  return `${speed}\n\n${size}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bench = await runSubAgentBench();
  process.stdout.write(`${formatSubAgentBench(bench)}\n`);
  if (bench.completed !== SUB_TASKS) process.exitCode = 1;
}
