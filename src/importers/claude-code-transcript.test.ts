import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_CODE_TOOL_TEXT_BYTES, convertClaudeCodeTranscript, groupBySubagent, subagentSessionId } from './claude-code-transcript.js';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'claude-code-hooks', 'transcript.jsonl'), 'utf8');

describe('convertClaudeCodeTranscript', () => {
  it('keeps what was said and done, in order, and leaves out thinking, meta, summaries, snapshots and system lines', () => {
    const result = convertClaudeCodeTranscript(FIXTURE);
    expect(result.sessionId).toBe('5a0ddcd0-5487-4794-99ac-143f6bb9e248');
    expect(result.skipped).toEqual([]);
    expect(result.events.map((event) => [event.kind, event.text.split('\n')[0]])).toEqual([
      ['user', 'The login test fails on CI with a timeout. Can you fix it?'],
      ['assistant', 'Let me check what memory knows about the login test.'],
      ['tool-use', 'mcp__mnemo__recall: login test timeout'],
      ['tool-result', '## Login test needs the mock clock [lesson] (login-mock-clock.md)'],
      ['tool-use', 'Bash: npm test -- login'],
      ['tool-error', 'FAIL test/login.test.ts > logs in'],
      ['assistant', 'The test waits on a real timer. I switched it to the fake clock; it passes now.'],
    ]);
    expect(JSON.stringify(result.events)).not.toContain('Let me look at the test first');
    expect(result.events[0]).toMatchObject({ role: 'user', time: '2026-11-20T09:00:05.000Z', data: { source: 'claude-code' } });
    expect(result.events[5]).toMatchObject({ role: 'tool', data: { tool: 'Bash' } });
  });

  it("marks the results of mnemo's own tools as injected, so they are never extracted as new facts", () => {
    const result = convertClaudeCodeTranscript(FIXTURE);
    const injected = result.events.filter((event) => event.injected === true);
    expect(injected.map((event) => event.kind)).toEqual(['tool-result']);
    expect(injected[0]?.text).toContain('Login test needs the mock clock');
  });

  it('remembers mnemo tool calls across incremental reads', () => {
    const lines = FIXTURE.split('\n');
    const seen = new Set<string>();
    convertClaudeCodeTranscript(lines.slice(0, 4).join('\n'), { mnemoToolUses: seen });
    const later = convertClaudeCodeTranscript(lines.slice(4).join('\n'), { mnemoToolUses: seen, firstLine: 5 });
    expect(later.events[0]).toMatchObject({ kind: 'tool-result', injected: true });
  });

  it('reports lines that are not JSON objects by number and goes on', () => {
    const result = convertClaudeCodeTranscript('not json\n[1,2]\n{"type":"user","message":{"role":"user","content":"hi"}}\n', {
      firstLine: 10,
    });
    expect(result.skipped).toEqual([
      { line: 10, message: 'not a JSON object' },
      { line: 11, message: 'not a JSON object' },
    ]);
    expect(result.events).toEqual([{ kind: 'user', role: 'user', text: 'hi', data: { source: 'claude-code' } }]);
  });

  it('cuts a huge tool result in the middle, keeping its head and tail', () => {
    const big = `HEAD ${'x'.repeat(200_000)} TAIL`;
    const line = JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: big }] },
    });
    const [event] = convertClaudeCodeTranscript(line).events;
    expect(Buffer.byteLength(event?.text ?? '')).toBeLessThan(CLAUDE_CODE_TOOL_TEXT_BYTES + 100);
    expect(event?.text).toMatch(/^HEAD x+\n\[… \d+ bytes cut …\]\nx+ TAIL$/);
  });
});

describe('convertClaudeCodeTranscript on v2.1 shapes', () => {
  const V2 = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'claude-code-hooks', 'transcript-v2.jsonl'), 'utf8');

  it('gives every line its real role: what Claude Code wrote in the user name is never a user turn', () => {
    const { events, skipped } = convertClaudeCodeTranscript(V2);
    expect(events.map((event) => `${event.kind}/${event.role}`)).toEqual([
      'user/user',
      'assistant/assistant',
      'tool-use/assistant',
      'user/user', // the subagent's prompt, in its sidechain
      'assistant/assistant',
      'tool-result/tool',
      'user/user',
      'interruption/system',
      'notification/system',
      'api-error/system',
      'compact-summary/system',
      'assistant/assistant',
    ]);
    const users = events.filter((event) => event.kind === 'user' && event.data?.agent === undefined).map((event) => event.text);
    expect(users).toEqual([
      'The checkout page shows a blank screen after the Stripe upgrade. Look into it.',
      '[image]\n\nHere is the screenshot of the blank page.',
    ]);
    expect(events.find((event) => event.kind === 'api-error')?.text).toMatch(/^API Error: 529/);
    expect(events.find((event) => event.kind === 'compact-summary')?.text).toMatch(/continued from a previous conversation/);
    // The torn last line is not a JSON object yet; the incremental reader never hands it over.
    expect(skipped).toEqual([{ line: 13, message: 'not a JSON object' }]);
  });

  it('marks sidechain lines with their agent, and groups them into a child session linked to the parent', () => {
    const { events } = convertClaudeCodeTranscript(V2);
    const groups = groupBySubagent(events, 'parent-1');
    expect([...groups.keys()]).toEqual(['parent-1', subagentSessionId('parent-1', 'a3f9c2e1')]);
    const child = groups.get('parent-1.agent-a3f9c2e1') ?? [];
    expect(child.map((event) => event.kind)).toEqual(['user', 'assistant']);
    expect(child.every((event) => event.data?.parentSession === 'parent-1' && event.data.agent === 'a3f9c2e1')).toBe(true);
    expect((groups.get('parent-1') ?? []).some((event) => event.text.startsWith('Find where the Stripe client'))).toBe(false);
  });
});
