import type { Command } from 'commander';
import { Option } from 'commander';
import type { Memory } from '../app/index.js';
import type { LoadedConfig } from '../config/index.js';
import { MnemoError } from '../shared/index.js';
import type { CliIo } from './cli-io.js';
import type { Output } from './output.js';

/** What every command gets: the process streams and the exit code it sets. */
export interface CommandContext {
  io: CliIo;
  out: Output;
  exitCode: number;
}

export interface RootOptions {
  dir?: string;
  workspace?: string;
  memory?: 'mnemo' | 'claude';
}

/** `--dir` and `--workspace`, accepted by every command. */
export function rootOptions(command: Command): Command {
  return command
    .addOption(new Option('--dir <dir>', 'memory root (default: MNEMO_DIR, else .mnemo/ at the git root, else ./.mnemo)'))
    .addOption(new Option('--workspace <dir>', 'project folder that evidence is checked against'))
    .addOption(
      new Option(
        '--memory <kind>',
        "claude: use the project's Claude Code auto-memory folder as the root (or MNEMO_MEMORY=claude)",
      ).choices(['mnemo', 'claude']),
    );
}

/**
 * The configuration the root flags select, for commands that need the root or a setting without
 * opening the memory (git, daemon, migrate/export/import). config/ is loaded here, not at start.
 */
export async function loadConfigFor(context: CommandContext, options: RootOptions): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config/index.js');
  return loadConfig({
    dir: options.dir,
    workspace: options.workspace,
    memory: options.memory,
    cwd: context.io.cwd,
    env: context.io.env,
  });
}

/** Open the memory a command names (its warnings printed); the caller closes it. */
export async function openMemoryFor(context: CommandContext, options: RootOptions): Promise<Memory> {
  // Loaded here, not at start: `mnemo --help` and the usage errors never need the library.
  const { openMemory } = await import('../app/index.js');
  const memory = await openMemory({
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    ...(options.memory === undefined ? {} : { memory: options.memory }),
    cwd: context.io.cwd,
    env: context.io.env,
  });
  for (const warning of memory.warnings) context.out.warn(warning);
  return memory;
}

/** Open the memory for one command and always close it. */
export async function withMemory<T>(context: CommandContext, options: RootOptions, work: (memory: Memory) => Promise<T>): Promise<T> {
  const memory = await openMemoryFor(context, options);
  try {
    return await work(memory);
  } finally {
    memory.close();
  }
}

/** Parse a positive integer flag, or fail with a usage error naming the flag. */
export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      throw new MnemoError('usage', `${flag} must be a positive whole number, not ${JSON.stringify(value)}.`);
    }
    return parsed;
  };
}

/** Collect a repeatable flag into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
