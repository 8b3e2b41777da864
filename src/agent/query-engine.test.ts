import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../test/helpers/temp-root.js';
import { defineTool, workspaceTools, type ToolDefinition } from '../tools/index.js';
import type { AgentEvent } from './agent-events.js';
import { QueryEngine, type EngineLimits } from './query-engine.js';
import { createScriptedAgentModel, type ScriptedAgentStep } from './scripted-agent-model.js';

const GOAL = 'Make check.js pass: the greeting must say hello.';
const LIMITS: EngineLimits = { maxSteps: 20, compactAt: 100_000, keepTurns: 3, toolResultBytes: 8192 };

async function engine(script: ScriptedAgentStep[], options: { tools?: ToolDefinition[]; limits?: Partial<EngineLimits>; summarize?: (text: string) => Promise<string> } = {}) {
  const workspace = await tempDir();
  await writeFile(join(workspace, 'greeting.txt'), 'goodbye world\n');
  const scripted = createScriptedAgentModel(script);
  const events: AgentEvent[] = [];
  const sleeps: number[] = [];
  const query = new QueryEngine(
    {
      model: scripted.model,
      modelId: 'scripted:agent',
      system: 'You are a test agent.',
      tools: options.tools ?? workspaceTools({ workspace }),
      limits: { ...LIMITS, ...options.limits },
      retry: { sleep: async (ms) => void sleeps.push(ms) },
      onEvent: (event) => events.push(event),
      ...(options.summarize ? { summarize: options.summarize } : {}),
    },
    { goal: GOAL },
  );
  return { query, scripted, events, sleeps, workspace };
}

describe('query engine', () => {
  it('loops model ↔ tools until the model answers, counting usage per step and streaming events', async () => {
    const { query, events } = await engine([
      { text: 'Reading.', toolCalls: [{ toolName: 'read', input: { path: 'greeting.txt' } }] },
      { toolCalls: [{ toolName: 'edit', input: { path: 'greeting.txt', old: 'goodbye', new: 'hello' } }] },
      { text: 'Done: the greeting says hello.' },
    ]);
    const result = await query.turn();
    expect(result.outcome).toBe('completed');
    expect(result.answer).toBe('Done: the greeting says hello.');
    expect(result.steps.map((step) => step.toolCalls.map((call) => call.toolName))).toEqual([['read'], ['edit'], []]);
    expect(result.usage.totalTokens).toBe(result.steps.reduce((sum, step) => sum + step.usage.totalTokens, 0));
    expect(result.steps.every((step) => step.usage.inputTokens > 0)).toBe(true);
    expect(result.filesTouched).toEqual(['greeting.txt']);
    expect(events.map((event) => event.type)).toEqual(['text', 'tool-call', 'tool-result', 'step', 'tool-call', 'tool-result', 'step', 'text', 'step', 'done']);
  });

  it('returns a tool error to the model as a result, and the model can recover', async () => {
    const { query, scripted } = await engine([
      { toolCalls: [{ toolName: 'edit', input: { path: 'greeting.txt', old: 'not there', new: 'x' } }] },
      { toolCalls: [{ toolName: 'read', input: { path: '../outside.txt' } }] },
      { text: 'I could not edit it.' },
    ]);
    const result = await query.turn();
    expect(result.outcome).toBe('completed');
    expect(result.steps.map((step) => step.toolCalls[0]?.ok)).toEqual([false, false, undefined]);
    expect(scripted.requests[1]?.text).toContain('was not found in greeting.txt; nothing was changed');
    expect(scripted.requests[2]?.text).toContain('outside the workspace');
  });

  it('retries a 429 and a 503 with backoff (injected sleep), then succeeds', async () => {
    const { query, sleeps, events } = await engine([{ status: 429 }, { status: 503 }, { text: 'answer after retries' }]);
    const result = await query.turn();
    expect(result.outcome).toBe('completed');
    expect(result.answer).toBe('answer after retries');
    expect(sleeps).toEqual([1000, 2000]);
    expect(events.filter((event) => event.type === 'retry')).toHaveLength(2);
  });

  it('gives up with a clear error when the provider keeps failing, or fails in a way retries cannot fix', async () => {
    const unreachable = await engine([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
    const result = await unreachable.query.turn();
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toMatch(/did not answer after 4 attempts: HTTP 500/);
    const badRequest = await engine([{ status: 401 }]);
    const refused = await badRequest.query.turn();
    expect(refused.error?.message).toMatch(/HTTP 401/);
    expect(badRequest.sleeps).toEqual([]);
  });

  it('runs the read-only calls of one step in parallel', async () => {
    let inFlight = 0;
    let most = 0;
    const probe = (name: string) =>
      defineTool({
        name,
        title: name,
        description: name,
        inputSchema: z.object({}).strict(),
        hints: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
        execute: async () => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          for (let tick = 0; tick < 5; tick += 1) await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          return { text: `${name} done`, data: {} };
        },
      });
    const { query } = await engine(
      [{ toolCalls: [{ toolName: 'probe_a', input: {} }, { toolName: 'probe_b', input: {} }, { toolName: 'probe_c', input: {} }] }, { text: 'ok' }],
      { tools: [probe('probe_a'), probe('probe_b'), probe('probe_c')] },
    );
    expect((await query.turn()).outcome).toBe('completed');
    expect(most).toBe(3);
  });

  it('compacts a long session under a small window: goal verbatim in every request, summary and last turns kept', async () => {
    const long = 'x'.repeat(6000);
    const script: ScriptedAgentStep[] = Array.from({ length: 30 }, (_, index) => ({ toolCalls: [{ toolName: 'bash', input: { command: `echo step${index} ${long}` } }] }));
    script.push({ text: 'finished' });
    const summaries: string[] = [];
    const { query, scripted, events } = await engine(script, {
      limits: { compactAt: 6000, keepTurns: 2, toolResultBytes: 1024, maxSteps: 40 },
      summarize: async (text) => {
        summaries.push(text);
        return `summary #${summaries.length}: ran echo steps`;
      },
    });
    const result = await query.turn();
    expect(result.outcome).toBe('completed');
    expect(scripted.requests.every((request) => request.text.includes(GOAL))).toBe(true);
    const compactions = events.filter((event) => event.type === 'compaction');
    expect(compactions.length).toBeGreaterThan(2);
    expect(compactions.filter((event) => event.type === 'compaction' && !event.ok)).toEqual([]);
    const last = scripted.requests.at(-1)!.text;
    expect(last).toContain(`summary #${summaries.length}`);
    expect(last).toContain('step29');
    expect(last).not.toContain('step3 ');
    expect(Math.max(...result.steps.map((step) => step.contextTokens))).toBeLessThan(9000);
  });

  it('stops with a clear error after three failed compactions in a row', async () => {
    const script: ScriptedAgentStep[] = Array.from({ length: 30 }, () => ({ toolCalls: [{ toolName: 'bash', input: { command: `echo ${'y'.repeat(3000)}` } }] }));
    const { query, events } = await engine(script, {
      limits: { compactAt: 3000, keepTurns: 1, toolResultBytes: 100_000, maxSteps: 40 },
      summarize: async () => {
        throw new Error('summarizer down');
      },
    });
    const result = await query.turn();
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toMatch(/Compaction failed three times in a row \(the summary could not be written: summarizer down\)/);
    expect(events.filter((event) => event.type === 'compaction')).toHaveLength(3);
  });

  it('stops at the step limit', async () => {
    const { query } = await engine(Array.from({ length: 5 }, () => ({ toolCalls: [{ toolName: 'glob', input: { pattern: '*' } }] })), { limits: { maxSteps: 2 } });
    const result = await query.turn();
    expect(result.outcome).toBe('limit-reached');
    expect(result.error?.message).toMatch(/step limit \(2\)/);
  });
});
