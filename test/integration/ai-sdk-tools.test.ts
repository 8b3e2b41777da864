import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { runExample } from '../../examples/ai-sdk-agent.js';
import { MEMORY_TOOL_NAMES, openMemory } from '../../src/index.js';
import { tempDir } from '../helpers/temp-root.js';

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

describe('memory.tools() in the Vercel AI SDK', () => {
  it('runs the example agent: what the user asked to remember reaches memory', async () => {
    const dir = join(await tempDir(), '.mnemo');
    const outcome = await runExample(dir);
    expect(outcome.toolCalls).toEqual(['recall', 'remember', 'task_complete']);
    expect(outcome.text).toMatch(/staging deploys need the VPN/);
    expect(outcome.memories).toEqual(['staging-deploys-need-the-vpn']);
    const topic = await readFile(join(dir, 'staging-deploys-need-the-vpn.md'), 'utf8');
    expect(topic).toMatch(/source: \{kind: agent, origin: ai-sdk/);
    expect(outcome.recalled).toContain('connect the VPN before');
  });

  it('hands out the same tools as the MCP server, optionally a few of them under a prefix', async () => {
    const memory = await openMemory({ dir: join(await tempDir(), '.mnemo'), create: true, config: { logLevel: 'silent' } });
    try {
      expect(Object.keys(memory.tools())).toEqual([...MEMORY_TOOL_NAMES]);
      const picked = memory.tools({ only: ['recall', 'remember'], prefix: 'memory_' });
      expect(Object.keys(picked)).toEqual(['memory_recall', 'memory_remember']);
      expect(picked.memory_recall?.description).toMatch(/^Search this project's long-term memory/);
    } finally {
      memory.close();
    }
  });

  it('sends a failing call back to the model as an error text it can act on, without throwing', async () => {
    const memory = await openMemory({ dir: join(await tempDir(), '.mnemo'), create: true, config: { logLevel: 'silent' } });
    let seen = '';
    const model = new MockLanguageModelV3({
      doGenerate: async (options) => {
        const result = options.prompt.flatMap((message) => (message.role === 'tool' ? message.content : [])).at(-1);
        if (!result) {
          return {
            content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'show', input: JSON.stringify({ topic: 'nothing-here' }) }],
            finishReason: { unified: 'tool-calls', raw: undefined },
            usage,
            warnings: [],
          };
        }
        if (result.type === 'tool-result' && result.output.type === 'error-text') seen = result.output.value;
        return { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] };
      },
    });
    try {
      const result = await generateText({ model, tools: memory.tools(), stopWhen: stepCountIs(3), prompt: 'show it' });
      expect(result.text).toBe('done');
      expect(result.steps[0]?.toolResults[0]?.output).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(seen).toMatch(/^Error: No topic "nothing-here".*\nWhat to do: Call list/s);
    } finally {
      memory.close();
    }
  });
});
