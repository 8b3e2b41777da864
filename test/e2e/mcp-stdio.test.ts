import { execFileSync, spawn } from 'node:child_process';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openMemory } from '../../src/index.js';
import { CLI, assertBuilt, memoryProject, resultData, resultText, stdioClient } from './mcp-harness.js';

beforeAll(assertBuilt);

const TOOL_NAMES = [
  'recall',
  'show',
  'list',
  'task_begin',
  'task_note',
  'task_observe',
  'task_complete',
  'task_fail',
  'remember',
  'verify',
  'forget',
  'status',
  'dream',
];

describe('mnemo mcp over stdio, driven by the official MCP client', () => {
  it('lists the tools with their schemas and descriptions, the resources and the prompts', async () => {
    const { cwd } = await memoryProject();
    const { client } = await stdioClient(cwd, [CLI, 'mcp']);
    try {
      expect(client.getServerVersion()?.name).toBe('mnemo');
      expect(client.getInstructions()).toMatch(/Call recall before relying/);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
      const recall = tools.find((tool) => tool.name === 'recall');
      expect(recall?.description).toMatch(/^Search this project's long-term memory/);
      expect(recall?.inputSchema).toMatchObject({
        type: 'object',
        required: ['query'],
        properties: { query: { type: 'string', maxLength: 2000 }, deep: { type: 'boolean' } },
      });
      expect(recall?.annotations).toMatchObject({ readOnlyHint: true });
      expect(tools.find((tool) => tool.name === 'forget')?.annotations).toMatchObject({ destructiveHint: true });
      expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['start-task', 'consolidate']);
      const prompt = await client.getPrompt({ name: 'start-task', arguments: { goal: 'fix the login test', verify: 'npm test' } });
      expect(JSON.stringify(prompt.messages)).toContain('task_begin with goal \\"fix the login test\\" and verify \\"npm test\\"');
      expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual(['mnemo://index']);
    } finally {
      await client.close();
    }
  });

  it('runs a whole task: begin, observe the error, note, a failed check that promotes nothing, then a passing one', async () => {
    const { cwd, dir } = await memoryProject();
    const { client } = await stdioClient(cwd, [CLI, 'mcp']);
    try {
      const begun = await client.callTool({
        name: 'task_begin',
        arguments: { goal: 'make the login test pass', verify: 'test -f fixed.txt' },
      });
      const task = String(resultData(begun).task);
      expect(task).toMatch(/^t-[a-z0-9]+$/);
      const observed = await client.callTool({
        name: 'task_observe',
        arguments: { task, kind: 'error', text: 'Error: Timeout of 5000ms exceeded\n    at login (test/login.test.ts:12:3)' },
      });
      expect(resultText(observed)).toMatch(/its signature is/);
      await client.callTool({
        name: 'task_note',
        arguments: {
          task,
          name: 'Login test uses the fake clock',
          description: 'the login test times out unless it uses the fake clock',
          type: 'project',
          body: 'Use the fake clock in the login test.\n**Why:** the real timer waits 5 s.\n**How to apply:** call useFakeTimers() first.',
          evidence: [{ kind: 'file', path: 'fixed.txt' }],
        },
      });
      const failed = await client.callTool({ name: 'task_complete', arguments: { task } });
      expect(failed.isError).toBeFalsy();
      expect(resultData(failed)).toMatchObject({ outcome: 'verification-failed', exitCode: 1 });
      expect(resultText(failed)).toMatch(/Nothing was promoted/);
      expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toBe('');

      await writeFile(join(cwd, 'fixed.txt'), 'yes\n');
      const passed = await client.callTool({ name: 'task_complete', arguments: { task, summary: 'fake clock in the login test' } });
      expect(resultData(passed)).toMatchObject({ outcome: 'promoted' });
      expect(resultText(passed)).toContain('login-test-uses-the-fake-clock (created)');
      const recalled = await client.callTool({ name: 'recall', arguments: { query: 'login test timeout' } });
      expect(resultText(recalled)).toContain('Use the fake clock in the login test.');
      expect((await client.listResources()).resources.map((resource) => resource.uri)).toContain(
        'mnemo://topic/login-test-uses-the-fake-clock',
      );
      const index = await client.readResource({ uri: 'mnemo://index' });
      expect(JSON.stringify(index.contents)).toContain('(login-test-uses-the-fake-clock.md)');
      const topic = await client.readResource({ uri: 'mnemo://topic/login-test-uses-the-fake-clock' });
      expect(JSON.stringify(topic.contents)).toContain('kind: file');
    } finally {
      await client.close();
    }
  });

  it('recalls with the caveats of a memory whose evidence no longer holds', async () => {
    const { cwd, dir } = await memoryProject({ verification: { freshnessHours: 0 } });
    await writeFile(join(cwd, 'deploy.yaml'), 'strategy: blue-green\n');
    const memory = await openMemory({ dir, config: { logLevel: 'silent' } });
    await memory.remember({
      name: 'Staging is blue-green',
      description: 'staging deploys are blue-green',
      type: 'project',
      body: 'Staging deploys are blue-green.',
      evidence: [{ kind: 'file', path: 'deploy.yaml', contains: 'strategy: blue-green' }],
    });
    memory.close();
    await writeFile(join(cwd, 'deploy.yaml'), 'strategy: rolling\n');
    const { client } = await stdioClient(cwd, [CLI, 'mcp']);
    try {
      const result = await client.callTool({ name: 'recall', arguments: { query: 'staging deploys' } });
      expect(result.isError).toBeFalsy();
      const [topic] = resultData(result).topics as { slug: string; caveats: string[] }[];
      expect(topic?.slug).toBe('staging-is-blue-green');
      expect(topic?.caveats.join('\n')).toMatch(/contradicted/);
      expect(resultText(result)).toMatch(/> .*contradicted/);
    } finally {
      await client.close();
    }
  });

  it('answers a malformed call and a huge argument with a tool error the model can act on, and goes on serving', async () => {
    const { cwd, dir } = await memoryProject();
    const { client } = await stdioClient(cwd, [CLI, 'mcp']);
    try {
      const wrong = await client.callTool({ name: 'task_note', arguments: { task: 42, name: '', type: 'opinion' } });
      expect(wrong.isError).toBe(true);
      expect(resultText(wrong)).toMatch(/task/);
      const missing = await client.callTool({ name: 'show', arguments: { topic: 'does-not-exist' } });
      expect(missing.isError).toBe(true);
      expect(resultText(missing)).toMatch(/No topic "does-not-exist".*\nWhat to do: Call list/s);

      const huge = 'x'.repeat(2 * 1024 * 1024);
      const tooBig = await client.callTool({ name: 'recall', arguments: { query: huge } });
      expect(tooBig.isError).toBe(true);
      expect(resultText(tooBig)).toMatch(/query: Too big/);
      const bigBody = await client.callTool({
        name: 'remember',
        arguments: { name: 'Huge', description: 'a huge body', type: 'project', body: huge },
      });
      expect(bigBody.isError).toBe(true);
      expect(resultText(bigBody)).toMatch(/body: Too big/);

      const status = await client.callTool({ name: 'status', arguments: {} });
      expect(status.isError).toBeFalsy();
      expect(resultData(status)).toMatchObject({ root: dir });
    } finally {
      await client.close();
    }
  });

  it('survives malformed JSON-RPC on stdin and writes nothing but protocol messages to stdout', async () => {
    const { cwd } = await memoryProject();
    const child = spawn(process.execPath, [CLI, 'mcp'], { cwd, env: { ...process.env, MNEMO_LOG_LEVEL: 'debug' } });
    let stdout = '';
    const answered = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"id":7')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.write('this is not json\n');
    child.stdin.write('{"jsonrpc":"2.0","id":1,"method":\n');
    child.stdin.write('{"jsonrpc":"2.0","id":2}\n');
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    await answered;
    child.stdin.end();
    expect(await exited).toBe(0);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const messages = lines.map((line) => JSON.parse(line) as { jsonrpc: string; id?: number; result?: { serverInfo?: { name: string } } });
    expect(messages.every((message) => message.jsonrpc === '2.0')).toBe(true);
    expect(messages.find((message) => message.id === 7)?.result?.serverInfo?.name).toBe('mnemo');
    // each malformed line gets its JSON-RPC error, as over HTTP: -32700 (id null) for bad JSON, -32600 for a non-message
    const errors = (messages as Array<{ id?: unknown; error?: { code: number; message: string } }>).filter((message) => message.error);
    expect(errors.map((message) => [message.id, message.error?.code])).toEqual([
      [null, -32700],
      [null, -32700],
      [2, -32600],
    ]);
    expect(errors[0]?.error?.message).toMatch(/^Parse error: /);
  });

  it('finishes a write that was in flight when the client went away, then exits 0', async () => {
    const { cwd, dir } = await memoryProject();
    execFileSync('mkfifo', [join(cwd, 'gate')]);
    const child = spawn(process.execPath, [CLI, 'mcp'], { cwd, env: { ...process.env, MNEMO_LOG_LEVEL: 'warn' } });
    let stdout = '';
    const waiters = new Map<number, (message: { result?: { structuredContent?: Record<string, unknown> } }) => void>();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      let newline = stdout.indexOf('\n');
      while (newline >= 0) {
        const message = JSON.parse(stdout.slice(0, newline)) as { id?: number; result?: { structuredContent?: Record<string, unknown> } };
        stdout = stdout.slice(newline + 1);
        if (typeof message.id === 'number') waiters.get(message.id)?.(message);
        newline = stdout.indexOf('\n');
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const request = (id: number, method: string, params: unknown) =>
      new Promise<{ result?: { structuredContent?: Record<string, unknown> } }>((resolve) => {
        waiters.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      });
    await request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const begun = await request(2, 'tools/call', { name: 'task_begin', arguments: { goal: 'slow check', verify: 'read line < gate' } });
    const task = String(begun.result?.structuredContent?.task);
    await request(3, 'tools/call', {
      name: 'task_note',
      arguments: { task, name: 'Survives disconnects', description: 'a write in flight finishes', type: 'project', body: 'It finishes.' },
    });
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'task_complete', arguments: { task } } })}\n`,
    );
    const gate = await open(join(cwd, 'gate'), 'w'); // resolves once the verification reads the gate: the call is in flight
    child.stdin.end(); // the client goes away mid-call
    await gate.write('go\n');
    await gate.close();
    expect(await exited).toBe(0);
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toContain('(survives-disconnects.md)');
    expect((await readdir(join(dir, '.state', 'locks'))).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });
});
