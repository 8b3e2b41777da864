import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, assertBuilt, memoryProject } from './mcp-harness.js';

/*
 * A client nobody here wrote: the MCP Inspector's CLI mode (devDependency
 * @modelcontextprotocol/inspector 1.0.3; it declares Node >= 22 but its CLI mode runs on Node 20,
 * which npm only warns about). MCP_INSPECTOR_BIN points the test at another install.
 */
const INSPECTOR = process.env.MCP_INSPECTOR_BIN ?? join(REPO, 'node_modules', '.bin', 'mcp-inspector');

function inspect(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(INSPECTOR, ['--cli', process.execPath, CLI, 'mcp', '--dir', join(cwd, '.mnemo'), ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mnemo mcp driven by the MCP Inspector (CLI mode)', () => {
  it('is installed', () => expect(existsSync(INSPECTOR), `${INSPECTOR} is missing: run npm ci`).toBe(true));
  beforeAll(assertBuilt);

  it('lists the tools and calls one', async () => {
    const { cwd } = await memoryProject();
    const listed = await inspect(cwd, ['--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((tool) => tool.name)).toContain('recall');
    const called = await inspect(cwd, [
      '--method',
      'tools/call',
      '--tool-name',
      'task_begin',
      '--tool-arg',
      'goal=inspected',
      '--tool-arg',
      'verify=exit 0',
    ]);
    expect(called.code, called.stderr).toBe(0);
    expect(called.stdout).toMatch(/Task t-[a-z0-9]+ begun/);
    const resources = await inspect(cwd, ['--method', 'resources/read', '--uri', 'mnemo://index']);
    expect(resources.code, resources.stderr).toBe(0);
    expect(resources.stdout).toContain('mnemo://index');
  });
});
