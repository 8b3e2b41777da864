import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, assertBuilt, memoryProject, stdioClient } from './mcp-harness.js';

beforeAll(assertBuilt);

/** The fenced block after each `<!-- snippet: NAME -->` marker of docs/integrations.md. */
async function snippets(): Promise<Map<string, string>> {
  const text = await readFile(join(REPO, 'docs', 'integrations.md'), 'utf8');
  const found = new Map<string, string>();
  for (const match of text.matchAll(/<!-- snippet: ([\w-]+) -->\n+```\w*\n([\s\S]*?)\n```/g)) {
    if (match[1] && match[2] !== undefined) found.set(match[1], match[2]);
  }
  return found;
}

/** The `[mcp_servers.mnemo]` table of a Codex config: just enough TOML for `key = "string"` and `key = ["strings"]`. */
function codexServer(toml: string): { command: string; args: string[] } {
  const table = /^\[mcp_servers\.mnemo\]\n([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(toml)?.[1] ?? '';
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(table)?.[1]?.trim();
  return { command: JSON.parse(value('command') ?? 'null') as string, args: JSON.parse(value('args') ?? '[]') as string[] };
}

/** Launch a snippet's command line the way the client would, with the built CLI standing in for `mnemo`. */
async function launches(argv: readonly string[]): Promise<string[]> {
  const [program, ...args] = argv;
  expect(program).toBe('mnemo');
  const { cwd } = await memoryProject();
  const { client } = await stdioClient(cwd, [CLI, ...args]);
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

describe('the client configuration snippets in docs/integrations.md', () => {
  it('are all there', async () => {
    expect([...(await snippets()).keys()].sort()).toEqual(['claude-code-hooks', 'claude-code-mcp-json', 'codex', 'cursor', 'opencode']);
  });

  it('Claude Code .mcp.json launches `mnemo mcp` over stdio', async () => {
    const config = JSON.parse((await snippets()).get('claude-code-mcp-json') ?? '{}');
    const server = config.mcpServers.mnemo;
    expect(server).toMatchObject({ type: 'stdio', command: 'mnemo', args: ['mcp'] });
    expect(await launches([server.command, ...server.args])).toContain('recall');
  });

  it('Claude Code hooks run `mnemo hook <event>` for SessionStart, UserPromptSubmit, Stop, SubagentStop and SessionEnd', async () => {
    const settings = JSON.parse((await snippets()).get('claude-code-hooks') ?? '{}');
    const commands = Object.fromEntries(
      Object.entries(settings.hooks as Record<string, { hooks: { type: string; command: string }[] }[]>).map(([event, groups]) => [
        event,
        groups.flatMap((group) => group.hooks.map((hook) => `${hook.type}: ${hook.command}`)),
      ]),
    );
    expect(commands).toEqual({
      SessionStart: ['command: mnemo hook session-start'],
      UserPromptSubmit: ['command: mnemo hook user-prompt-submit'],
      Stop: ['command: mnemo hook stop'],
      SubagentStop: ['command: mnemo hook subagent-stop'],
      SessionEnd: ['command: mnemo hook session-end'],
    });
  });

  it('Codex config.toml launches `mnemo mcp`', async () => {
    const server = codexServer((await snippets()).get('codex') ?? '');
    expect(server).toEqual({ command: 'mnemo', args: ['mcp'] });
    expect(await launches([server.command, ...server.args])).toContain('task_begin');
  });

  it('Cursor mcp.json launches `mnemo mcp`', async () => {
    const server = JSON.parse((await snippets()).get('cursor') ?? '{}').mcpServers.mnemo;
    expect(server).toEqual({ command: 'mnemo', args: ['mcp'] });
    expect(await launches([server.command, ...server.args])).toContain('remember');
  });

  it('OpenCode opencode.json launches `mnemo mcp` as a local server under mcp.servers', async () => {
    const config = JSON.parse((await snippets()).get('opencode') ?? '{}');
    const server = config.mcp.servers.mnemo;
    expect(Object.keys(config.mcp)).toEqual(['servers']);
    expect(server).toEqual({ type: 'local', command: ['mnemo', 'mcp'] });
    expect(await launches(server.command)).toContain('status');
  });

  it('are exactly what `mnemo setup claude-code` writes', async () => {
    const found = await snippets();
    const { mergeHooks, mergeMcpServer } = await import('../../src/claude-code/index.js');
    expect(mergeMcpServer({}, { command: 'mnemo', dir: undefined })).toEqual(JSON.parse(found.get('claude-code-mcp-json') ?? '{}'));
    expect(mergeHooks({}, { command: 'mnemo', dir: undefined })).toEqual(JSON.parse(found.get('claude-code-hooks') ?? '{}'));
  });

  it('the documented SessionStart hook command answers a recorded payload with the documented JSON', async () => {
    const { cwd } = await memoryProject();
    const payload = (await readFile(join(REPO, 'test', 'fixtures', 'claude-code-hooks', 'session-start.json'), 'utf8'))
      .replaceAll('PROJECT_DIR', cwd)
      .replaceAll('TRANSCRIPT_PATH', join(cwd, 'none.jsonl'));
    const [, ...args] = 'mnemo hook session-start'.split(' ');
    const child = spawn(process.execPath, [CLI, ...args], { cwd: tmpdir() });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end(payload);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: expect.stringContaining('The memory is empty so far.') },
    });
    expect(existsSync(CLI)).toBe(true);
  });
});
