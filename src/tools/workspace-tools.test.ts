import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-root.js';
import { workspaceTools, WORKSPACE_TOOL_NAMES, type ToolDefinition } from './index.js';

async function setup(): Promise<{ workspace: string; outside: string; tool: (name: string) => ToolDefinition }> {
  const workspace = await tempDir();
  const outside = await tempDir();
  await mkdir(join(workspace, 'src'), { recursive: true });
  await writeFile(join(workspace, 'src', 'app.js'), 'const port = 8080;\nconst host = "localhost";\nconst port2 = 8080;\n');
  await writeFile(join(outside, 'secret.txt'), 'do not read me\n');
  await symlink(outside, join(workspace, 'escape'));
  const tools = workspaceTools({ workspace, outputCapBytes: 2000 });
  return { workspace, outside, tool: (name) => tools.find((candidate) => candidate.name === name)! };
}

describe('workspace tools', () => {
  it('offers read, write, edit, bash, grep and glob with their descriptions from the .md files', async () => {
    const { tool } = await setup();
    expect(WORKSPACE_TOOL_NAMES.map((name) => tool(name).name)).toEqual(['read', 'write', 'edit', 'bash', 'grep', 'glob']);
    expect(tool('edit').description).toMatch(/exactly once/);
    expect(tool('read').hints.readOnly).toBe(true);
    expect(tool('bash').hints.readOnly).toBe(false);
  });

  it('reads with line numbers, an offset and a limit', async () => {
    const { tool } = await setup();
    const outcome = await tool('read').run({ path: 'src/app.js', offset: 2, limit: 1 });
    expect(outcome.text).toBe('     2\tconst host = "localhost";\n[2 more line(s); read with offset 3]');
  });

  it('refuses paths outside the workspace, by text or through a symlink, and changes nothing', async () => {
    const { tool, outside } = await setup();
    for (const path of ['../x.txt', '/etc/passwd', 'escape/secret.txt']) {
      const outcome = await tool('read').run({ path });
      expect(outcome.ok, path).toBe(false);
      expect(outcome.text, path).toMatch(/outside the workspace/);
    }
    const write = await tool('write').run({ path: 'escape/new.txt', content: 'x' });
    expect(write.ok).toBe(false);
    await expect(readFile(join(outside, 'new.txt'))).rejects.toThrow();
  });

  it('edits by exact replacement and refuses an old text that is missing or not unique', async () => {
    const { tool, workspace } = await setup();
    const twice = await tool('edit').run({ path: 'src/app.js', old: '8080', new: '9090' });
    expect(twice.text).toMatch(/occurs 2 times in src\/app.js; nothing was changed/);
    const missing = await tool('edit').run({ path: 'src/app.js', old: '7070', new: '9090' });
    expect(missing.text).toMatch(/was not found/);
    expect(await readFile(join(workspace, 'src', 'app.js'), 'utf8')).toContain('8080');
    const all = await tool('edit').run({ path: 'src/app.js', old: '8080', new: '9090', all: true });
    expect(all.ok).toBe(true);
    expect(await readFile(join(workspace, 'src', 'app.js'), 'utf8')).not.toContain('8080');
  });

  it('writes new files with their folders', async () => {
    const { tool, workspace } = await setup();
    const outcome = await tool('write').run({ path: 'docs/notes/a.md', content: '# A\n' });
    expect(outcome.text).toBe('Created docs/notes/a.md (4 bytes).');
    expect(await readFile(join(workspace, 'docs', 'notes', 'a.md'), 'utf8')).toBe('# A\n');
  });

  it('greps and globs inside the workspace only', async () => {
    const { tool } = await setup();
    expect((await tool('grep').run({ pattern: 'port\\d? =' })).text).toBe('src/app.js:1: const port = 8080;\nsrc/app.js:3: const port2 = 8080;');
    expect((await tool('glob').run({ pattern: '**/*.js' })).text).toBe('src/app.js');
    expect((await tool('glob').run({ pattern: '../**' })).ok).toBe(false);
  });

  it('runs a command, reports a failing exit as a result, and keeps the full output beside a capped excerpt', async () => {
    const { tool } = await setup();
    const failing = await tool('bash').run({ command: 'echo broken >&2; exit 3' });
    expect(failing.ok).toBe(true);
    expect(failing.ok && failing.data.failed).toBe(true);
    expect(failing.text).toBe('broken\n[exit code 3]');
    const long = await tool('bash').run({ command: 'for i in $(seq 1 2000); do echo "line $i"; done' });
    expect(long.text).toMatch(/bytes left out/);
    expect(Buffer.byteLength(long.text)).toBeLessThan(2300);
    expect(long.ok && String(long.data.transcriptText)).toContain('line 1000\n');
  });

  it('kills the whole process group on timeout', async () => {
    const { tool, workspace } = await setup();
    const outcome = await tool('bash').run({ command: '(sleep 41.7; echo survived > late.txt) & sleep 41.7', timeout: 300 });
    expect(outcome.text).toMatch(/killed after 300 ms \(timeout\)/);
    const { runShellCommand } = await import('./index.js');
    // the background child was in the group: nothing is left to write late.txt
    const check = await runShellCommand('pgrep -f "sleep 41[.]7" || true', workspace, 5000);
    expect(check.output.trim()).toBe('');
  });
});
