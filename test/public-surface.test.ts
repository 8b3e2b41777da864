import { describe, expect, it } from 'vitest';
import * as mnemo from '../src/index.js';
import { buildProgram } from '../src/cli/index.js';
import type { Command } from 'commander';
import { cli } from './helpers/run-cli.js';
import { tempDir } from './helpers/temp-root.js';

/* The public surface is pinned: changing what the package exports or the commands it has is deliberate. */

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((child) => {
    const path = [...prefix, child.name()];
    return [path, ...commandPaths(child, path)];
  });
}

const program = buildProgram({ io: { stdout: { write: () => true }, stderr: { write: () => true }, cwd: '/', isTty: false }, out: undefined as never, exitCode: 0 });

describe('public surface', () => {
  it('the library exports exactly these values', () => {
    expect(Object.keys(mnemo).sort()).toMatchInlineSnapshot(`
      [
        "MEMORY_TOOL_NAMES",
        "MnemoError",
        "createManualClock",
        "createModel",
        "createScriptedModel",
        "initMemory",
        "isMnemoError",
        "memoryTools",
        "migrateDatabase",
        "openFileStore",
        "openMemory",
        "openPostgresStore",
        "systemClock",
        "transferMemory",
      ]
    `);
  });

  it('the CLI has exactly these commands', () => {
    expect(commandPaths(program).map((path) => path.join(' '))).toMatchInlineSnapshot(`
      [
        "init",
        "remember",
        "recall",
        "show",
        "list",
        "forget",
        "log",
        "session",
        "session import",
        "index",
        "reindex",
        "status",
        "task",
        "task begin",
        "task note",
        "task observe",
        "task complete",
        "task approve",
        "task fail",
        "task abandon",
        "task list",
        "task show",
        "quarantine",
        "quarantine list",
        "quarantine show",
        "quarantine approve",
        "quarantine reject",
        "doctor",
        "verify",
        "heal",
        "dream",
        "dream status",
        "dream rollback",
        "mcp",
        "ui",
        "setup",
        "setup claude-code",
        "hook",
        "bench",
        "bench locomo",
        "bench staleness",
        "run",
        "chat",
        "git",
        "git setup",
        "git sync",
        "git pre-commit",
        "git merge-index",
        "daemon",
        "daemon run",
        "daemon start",
        "daemon stop",
        "daemon status",
        "daemon logs",
        "daemon patches",
        "daemon apply",
        "daemon drop",
        "daemon notify-test",
        "migrate",
        "export",
        "import",
      ]
    `);
  });

  it('every command and subcommand answers --help with its usage (exit 0)', async () => {
    const cwd = await tempDir();
    for (const path of commandPaths(program)) {
      const help = await cli([...path, '--help'], { cwd });
      expect(help.code, path.join(' ')).toBe(0);
      expect(help.stdout, path.join(' ')).toMatch(new RegExp(`^Usage: mnemo ${path.join(' ')}`));
    }
  });
});
