import type { CliIo } from './cli-io.js';
import type { Register } from './program.js';
import { isLeanCommand } from './lean-commands.js';

/*
 * The commands that run on every prompt (`mnemo recall`, `mnemo hook session-start`,
 * `mnemo hook user-prompt-submit`) on a program that registers only themselves, so a run does not
 * load the other commands' modules (run-cli.ts imports all of them for `--help` and the rest).
 * Same root program, same parsing and errors: only the command list differs, and a run that could
 * show it (`--help`, `--version`, anything unexpected) takes the full CLI.
 */

async function leanRegister(argv: readonly string[]): Promise<Register | undefined> {
  if (!isLeanCommand(argv)) return undefined;
  if (argv[0] === 'recall') return (await import('./commands/recall-command.js')).registerRecall;
  return (await import('./commands/hook-command.js')).registerHook;
}

/** The exit code of argv run on its lean program, or undefined when argv is for the full CLI. */
export async function runLeanCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const register = await leanRegister(argv);
  if (!register) return undefined;
  const { createContext, programWith, runProgram } = await import('./program.js');
  const context = createContext(io);
  return runProgram(programWith(context, [register]), argv, context);
}
