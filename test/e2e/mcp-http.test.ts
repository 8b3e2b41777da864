import { execFileSync, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, assertBuilt, httpClient, memoryProject, resultData, startHttpServer } from './mcp-harness.js';

beforeAll(assertBuilt);

function runCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('mnemo mcp --http (streamable HTTP on loopback), driven by the official MCP client', () => {
  it('serves two clients writing at once without losing a write', async () => {
    const { cwd, dir } = await memoryProject();
    const server = await startHttpServer(cwd);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const [alice, bob] = await Promise.all([httpClient(server.url), httpClient(server.url)]);
      // Unrelated notes, so that promotion never takes one for a near-duplicate of another.
      const notes = [
        ['Billing retries', 'invoices are retried nightly by cron'],
        ['Search engine', 'full-text search runs on OpenSearch 2'],
        ['Upload limit', 'attachments above 25 MB are rejected'],
        ['Payments sandbox', 'Stripe test keys live in vault'],
        ['Profile avatars', 'pictures get resized to 256 px'],
        ['Checkout flags', 'feature toggles come from LaunchDarkly'],
        ['Inventory sync', 'warehouse counts import hourly over SFTP'],
        ['Shipping zones', 'EU parcels ship through DHL Express'],
        ['Report exports', 'CSV dumps land in the analytics bucket'],
        ['Login lockout', 'five wrong passwords freeze accounts'],
      ] as const;
      const cycle = async (client: typeof alice, who: string, index: number) => {
        const [name, description] = notes[(who === 'alice' ? 0 : 5) + index] ?? ['?', '?'];
        const begun = await client.callTool({ name: 'task_begin', arguments: { goal: `${who} task ${index}`, verify: 'true' } });
        const task = String(resultData(begun).task);
        await client.callTool({ name: 'task_note', arguments: { task, name, description, type: 'project', body: `${description}.` } });
        const done = await client.callTool({ name: 'task_complete', arguments: { task } });
        expect(resultData(done)).toMatchObject({ outcome: 'promoted' });
      };
      await Promise.all([0, 1, 2, 3, 4].flatMap((index) => [cycle(alice, 'alice', index), cycle(bob, 'bob', index)]));

      const listed = await alice.callTool({ name: 'list', arguments: { status: 'active' } });
      const slugs = (resultData(listed).topics as { slug: string }[]).map((topic) => topic.slug).sort();
      expect(slugs).toEqual(notes.map(([name]) => name.toLowerCase().replace(' ', '-')).sort());
      const index = await readFile(join(dir, 'MEMORY.md'), 'utf8');
      for (const slug of slugs) expect(index).toContain(`(${slug}.md)`);
      await Promise.all([alice.close(), bob.close()]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stdout()).toBe('');
  });

  it('keeps serving others when a client disconnects mid-call, and finishes that call', async () => {
    const { cwd, dir } = await memoryProject();
    execFileSync('mkfifo', [join(cwd, 'gate')]);
    const server = await startHttpServer(cwd);
    try {
      const leaving = await httpClient(server.url);
      const staying = await httpClient(server.url);
      const begun = await leaving.callTool({ name: 'task_begin', arguments: { goal: 'slow check', verify: 'read line < gate' } });
      const task = String(resultData(begun).task);
      await leaving.callTool({
        name: 'task_note',
        arguments: { task, name: 'Slow but kept', description: 'promoted after its client left', type: 'project', body: 'Kept.' },
      });
      const abandoned = leaving.callTool({ name: 'task_complete', arguments: { task } }).catch((error: unknown) => error);
      const gate = await open(join(cwd, 'gate'), 'w'); // the verification is running now
      await leaving.close();
      expect(await abandoned).toBeInstanceOf(Error);
      const status = await staying.callTool({ name: 'status', arguments: {} });
      expect(status.isError).toBeFalsy();
      await gate.write('go\n');
      await gate.close();
      const listed = await staying.callTool({ name: 'list', arguments: {} });
      expect(listed.isError).toBeFalsy();
      await staying.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toContain('(slow-but-kept.md)');
  });

  it('answers a malformed request with an HTTP error and goes on serving', async () => {
    const { cwd } = await memoryProject();
    const server = await startHttpServer(cwd);
    try {
      const garbage = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: '{"jsonrpc":"2.0","id":1,"method":',
      });
      expect(garbage.status).toBeGreaterThanOrEqual(400);
      expect((await fetch(server.url.replace('/mcp', '/elsewhere'))).status).toBe(404);
      const client = await httpClient(server.url);
      expect((await client.listTools()).tools).toHaveLength(13);
      await client.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('requires the bearer token when one is set', async () => {
    const { cwd } = await memoryProject();
    const server = await startHttpServer(cwd, [], { MNEMO_MCP_TOKEN: 'test-token-1234' });
    try {
      expect(server.stderr()).toContain('bearer token required');
      const refused = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expect(httpClient(server.url, { authorization: 'Bearer wrong-token-1234' })).rejects.toThrow();
      const client = await httpClient(server.url, { authorization: 'Bearer test-token-1234' });
      expect((await client.callTool({ name: 'status', arguments: {} })).isError).toBeFalsy();
      await client.close();
    } finally {
      await server.stop();
    }
  });

  it('refuses to bind beyond loopback without --allow-remote and a token', async () => {
    const { cwd } = await memoryProject();
    const open = await runCli(cwd, ['mcp', '--http', '--host', '0.0.0.0', '--port', '0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/would expose the memory beyond this machine[\s\S]*--allow-remote/);
    const tokenless = await runCli(cwd, ['mcp', '--http', '--host', '0.0.0.0', '--port', '0', '--allow-remote'], { MNEMO_MCP_TOKEN: '' });
    expect(tokenless.code).toBe(2);
    expect(tokenless.stderr).toMatch(/requires a bearer token/);
  });
});
