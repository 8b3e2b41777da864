import { describe, expect, it } from 'vitest';
import { commandArgv, hookCommand, isMnemoHook, mergeHooks, mergeMcpServer } from './claude-code-settings.js';

const options = { command: 'mnemo', dir: undefined };

describe('Claude Code settings merging', () => {
  it('adds the five hooks next to what is there and keeps every other key', () => {
    const existing = {
      model: 'sonnet',
      permissions: { allow: ['Bash(npm test:*)'] },
      hooks: {
        Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }],
        PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] }],
      },
    };
    const merged = mergeHooks(existing, options);
    expect(merged.model).toBe('sonnet');
    expect(merged.permissions).toEqual(existing.permissions);
    expect(merged.hooks).toEqual({
      Stop: [
        { hooks: [{ type: 'command', command: 'say done' }] },
        { hooks: [{ type: 'command', command: 'mnemo hook stop', timeout: 60, async: true }] },
      ],
      PreToolUse: existing.hooks.PreToolUse,
      SessionStart: [{ hooks: [{ type: 'command', command: 'mnemo hook session-start', timeout: 30 }] }],
      UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'mnemo hook user-prompt-submit', timeout: 10 }] }],
      SubagentStop: [{ hooks: [{ type: 'command', command: 'mnemo hook subagent-stop', timeout: 60, async: true }] }],
      SessionEnd: [{ hooks: [{ type: 'command', command: 'mnemo hook session-end', timeout: 60 }] }],
    });
  });

  it('installs each hook once whatever --command launches mnemo, twice or after an older command, and leaves other hooks alone', () => {
    const custom = { command: 'node /home/me/src/mnemo/dist/cli/main.js', dir: undefined };
    const once = mergeHooks({}, custom);
    expect(mergeHooks(once, custom)).toEqual(once);
    const moved = mergeHooks(once, { command: 'node /opt/tools/dist/cli/main.js', dir: undefined });
    expect((moved.hooks as Record<string, unknown[]>).Stop).toEqual([
      { hooks: [{ type: 'command', command: 'node /opt/tools/dist/cli/main.js hook stop', timeout: 60, async: true }] },
    ]);
    // Settings an older setup filled with duplicates get one entry back; a user's own hook in the same group stays.
    const duplicated = {
      hooks: {
        Stop: [
          {
            hooks: [
              { type: 'command', command: 'node /a/main.js hook stop', timeout: 60 },
              { type: 'command', command: 'notify-send done' },
            ],
          },
          { hooks: [{ type: 'command', command: 'node /a/main.js hook stop', timeout: 60 }] },
          { hooks: [{ type: 'command', command: './scripts/hook stopwatch' }] },
        ],
      },
    };
    expect((mergeHooks(duplicated, options).hooks as Record<string, unknown[]>).Stop).toEqual([
      {
        hooks: [
          { type: 'command', command: 'mnemo hook stop', timeout: 60, async: true },
          { type: 'command', command: 'notify-send done' },
        ],
      },
      { hooks: [{ type: 'command', command: './scripts/hook stopwatch' }] },
    ]);
    expect(isMnemoHook("npx mnemo hook stop --dir '/data/my memory' --memory claude", 'stop')).toBe(true);
    expect(isMnemoHook('mnemo hook stop && rm -rf /', 'stop')).toBe(false);
  });

  it('is idempotent, and replaces an earlier mnemo hook in place instead of adding a second', () => {
    const once = mergeHooks({}, options);
    expect(mergeHooks(once, options)).toEqual(once);
    const pinned = mergeHooks(once, { command: 'npx mnemo-memory', dir: '/data/my memory' });
    expect((pinned.hooks as Record<string, unknown[]>).Stop).toEqual([
      { hooks: [{ type: 'command', command: "npx mnemo-memory hook stop --dir '/data/my memory'", timeout: 60, async: true }] },
    ]);
  });

  it('upgrades Stop and SubagentStop hooks an older setup wrote to run in the background, keeping their other fields', () => {
    const older = {
      hooks: {
        Stop: [{ hooks: [{ type: 'command', command: 'mnemo hook stop', timeout: 60, statusMessage: 'saving' }] }],
        SessionEnd: [{ hooks: [{ type: 'command', command: 'mnemo hook session-end', timeout: 60 }] }],
      },
    };
    const hooks = mergeHooks(older, options).hooks as Record<string, { hooks: Record<string, unknown>[] }[]>;
    expect(hooks.Stop).toEqual([
      { hooks: [{ type: 'command', command: 'mnemo hook stop', timeout: 60, statusMessage: 'saving', async: true }] },
    ]);
    expect(hooks.SubagentStop?.[0]?.hooks[0]?.async).toBe(true);
    // SessionEnd stays synchronous (Claude Code exits right after it); its work is detached instead.
    expect(hooks.SessionEnd).toEqual([{ hooks: [{ type: 'command', command: 'mnemo hook session-end', timeout: 60 }] }]);
    expect(hooks.SessionStart?.[0]?.hooks[0]?.async).toBeUndefined();
    expect(hooks.UserPromptSubmit?.[0]?.hooks[0]?.async).toBeUndefined();
  });

  it('registers the stdio server in .mcp.json, keeping other servers', () => {
    const merged = mergeMcpServer(
      { mcpServers: { github: { type: 'http', url: 'https://example.test/mcp' } } },
      { command: 'node /opt/mnemo/dist/cli/main.js', dir: undefined },
    );
    expect(merged).toEqual({
      mcpServers: {
        github: { type: 'http', url: 'https://example.test/mcp' },
        mnemo: { type: 'stdio', command: 'node', args: ['/opt/mnemo/dist/cli/main.js', 'mcp'], env: {} },
      },
    });
  });

  it('refuses a launch command that is not a plain command line', () => {
    expect(() => commandArgv('mnemo | tee log')).toThrow(/not a plain command line/);
    expect(hookCommand({ command: "'/opt/my tools/mnemo'" }, 'stop')).toBe("'/opt/my tools/mnemo' hook stop");
  });
});
