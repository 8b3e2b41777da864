import type { Command } from 'commander';

/** Options every memory command declares, which may also come before the command: `mnemo --dir X list`. */
const WITH_VALUE = new Set(['--dir', '--workspace']);
const FLAGS = new Set(['--json']);

function globalOption(token: string): 'value' | 'inline' | 'flag' | undefined {
  if (WITH_VALUE.has(token)) return 'value';
  const equals = token.indexOf('=');
  if (equals > 0 && WITH_VALUE.has(token.slice(0, equals))) return 'inline';
  if (FLAGS.has(token)) return 'flag';
  return undefined;
}

function subcommand(command: Command, name: string): Command | undefined {
  return command.commands.find((child) => child.name() === name || child.aliases().includes(name));
}

/**
 * Move `--dir`, `--workspace` and `--json` given before the command (or between a command and
 * its subcommand) to just after the command path, where each command declares them:
 * `mnemo --dir X task list` is parsed as `mnemo task list --dir X`. Everything else keeps its
 * place, so the commands' own parsing and --help are unchanged.
 */
export function hoistGlobalOptions(argv: readonly string[], program: Command): string[] {
  const path: string[] = [];
  const hoisted: string[] = [];
  let command = program;
  let index = 0;
  while (index < argv.length) {
    const token = argv[index] ?? '';
    const kind = globalOption(token);
    if (kind === 'value') {
      const value = argv[index + 1];
      if (value === undefined) break;
      hoisted.push(token, value);
      index += 2;
      continue;
    }
    if (kind !== undefined) {
      hoisted.push(token);
      index += 1;
      continue;
    }
    const child = token.startsWith('-') ? undefined : subcommand(command, token);
    if (child === undefined) break;
    path.push(token);
    command = child;
    index += 1;
  }
  if (hoisted.length === 0) return [...argv];
  const rest = argv.slice(index);
  // an unknown command name: keep it first, so the error names the command, not --dir
  if (path.length === 0 && rest[0] !== undefined && !rest[0].startsWith('-')) return [rest[0], ...hoisted, ...rest.slice(1)];
  return [...path, ...hoisted, ...rest];
}
