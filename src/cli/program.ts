import { Command, CommanderError } from 'commander';
import { MnemoError } from '../shared/index.js';
import type { CliIo } from './cli-io.js';
import type { CommandContext } from './command-context.js';
import { hoistGlobalOptions } from './global-options.js';
import { EXIT, createOutput, exitCodeFor } from './output.js';

export const VERSION = '0.1.0';

/** A command's registration: adds it (and its subcommands) to the program. */
export type Register = (program: Command, context: CommandContext) => void;

export function createContext(io: CliIo): CommandContext {
  return { io, out: createOutput(io), exitCode: EXIT.ok };
}

/** The `mnemo` program with the given commands registered (all of them: run-cli.ts's buildProgram). */
export function programWith(context: CommandContext, registers: readonly Register[]): Command {
  const program = new Command('mnemo')
    .description('Self-healing long-term memory for AI agents: a small index, verified topics, searched transcripts.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\n--dir <dir>, --workspace <dir> and --json may come before or after the command: mnemo --dir X list = mnemo list --dir X.',
    )
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    .exitOverride();
  for (const register of registers) register(program, context);
  const applyToAll = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    });
    command.commands.forEach(applyToAll);
  };
  program.commands.forEach(applyToAll);
  return program;
}

/** Parse and run argv (without `node mnemo`) on a built program; returns the exit code. */
export async function runProgram(program: Command, argv: readonly string[], context: CommandContext): Promise<number> {
  const args = hoistGlobalOptions(argv, program);
  if (args.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      if (error.code === 'commander.executeSubCommandAsync') return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof MnemoError && error.code === 'usage') {
      context.out.error(error);
      return EXIT.usage;
    }
    context.out.error(error);
    return exitCodeFor(error);
  }
}
