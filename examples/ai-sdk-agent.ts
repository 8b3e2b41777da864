/*
 * mnemo as the memory of a Vercel AI SDK agent: `generateText({ tools: memory.tools() })`.
 *
 *   npx tsx examples/ai-sdk-agent.ts
 *
 * The model here is scripted (MockLanguageModelV3 from `ai/test`), so the example runs offline:
 * it recalls, remembers what the user said, confirms it (the user asked for it), and answers.
 * Swap in a real model (`anthropic('claude-…')`, `openai('gpt-…')`) and drop the script to use
 * it for real; the tools stay the same.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { openMemory } from '../src/index.js';

type LanguageModelV3CallOptions = Parameters<MockLanguageModelV3['doGenerate']>[0];
type LanguageModelV3GenerateResult = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 10, text: 10, reasoning: undefined },
};

function toolCall(step: number, toolName: string, input: unknown): LanguageModelV3GenerateResult {
  return {
    content: [{ type: 'tool-call', toolCallId: `call-${step}`, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: 'tool-calls', raw: 'tool_use' },
    usage,
    warnings: [],
  };
}

/** The text of the last tool result the model was shown. */
function lastToolResult(options: LanguageModelV3CallOptions): string {
  for (const message of [...options.prompt].reverse()) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type === 'tool-result' && (part.output.type === 'text' || part.output.type === 'error-text')) return part.output.value;
    }
  }
  return '';
}

/** A model that follows a script: recall, remember, confirm, answer. */
export function scriptedModel(): MockLanguageModelV3 {
  let step = 0;
  return new MockLanguageModelV3({
    doGenerate: async (options) => {
      step += 1;
      if (step === 1) return toolCall(step, 'recall', { query: 'staging deploy VPN' });
      if (step === 2) {
        return toolCall(step, 'remember', {
          name: 'Staging deploys need the VPN',
          description: 'deploying to staging only works from inside the company VPN',
          type: 'project',
          body: 'Deploys to staging need the VPN.\n**Why:** the staging cluster has no public endpoint.\n**How to apply:** connect the VPN before `npm run deploy:staging`.',
          tags: ['deploy', 'staging'],
        });
      }
      if (step === 3) {
        const task = /task (t-[a-z0-9]+)/.exec(lastToolResult(options))?.[1];
        return toolCall(step, 'task_complete', { task, confirmed: true, summary: 'the user asked to remember it' });
      }
      return {
        content: [{ type: 'text', text: 'Noted: staging deploys need the VPN. I will remember it in later sessions.' }],
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage,
        warnings: [],
      };
    },
  });
}

/** Run the scripted agent against the memory in `dir`; returns its answer, the tools it called and the memories there now. */
export async function runExample(dir: string) {
  const memory = await openMemory({ dir, create: true, config: { logLevel: 'silent' } });
  try {
    const result = await generateText({
      model: scriptedModel(),
      tools: memory.tools(),
      stopWhen: stepCountIs(5),
      prompt: 'Please remember: deploys to staging only work from inside the VPN.',
    });
    return {
      text: result.text,
      toolCalls: result.steps.flatMap((step) => step.toolCalls.map((call) => call.toolName)),
      memories: (await memory.list()).map((topic) => topic.slug),
      recalled: (await memory.recall('staging deploy VPN')).text,
    };
  } finally {
    memory.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-example-'));
  try {
    const outcome = await runExample(join(dir, '.mnemo'));
    console.log(`tools called: ${outcome.toolCalls.join(' → ')}`);
    console.log(`answer: ${outcome.text}`);
    console.log(`memories now: ${outcome.memories.join(', ')}`);
    console.log(`\nrecall "staging deploy VPN":\n${outcome.recalled}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
