import { Command, CommanderError } from 'commander';
import { MnemoError } from '../shared/index.js';
import type { CliIo } from './cli-io.js';
import type { CommandContext } from './command-context.js';
import { registerBench } from './commands/bench-command.js';
import { registerDream } from './commands/dream-command.js';
import { registerForget } from './commands/forget-command.js';
import { registerHook } from './commands/hook-command.js';
import { registerIndex } from './commands/index-command.js';
import { registerInit } from './commands/init-command.js';
import { registerList } from './commands/list-command.js';
import { registerLog } from './commands/log-command.js';
import { registerMcp } from './commands/mcp-command.js';
import { registerRecall } from './commands/recall-command.js';
import { registerReindex } from './commands/reindex-command.js';
import { registerRemember } from './commands/remember-command.js';
import { registerSession } from './commands/session-command.js';
import { registerSetup } from './commands/setup-command.js';
import { registerShow } from './commands/show-command.js';
import { registerStatus } from './commands/status-command.js';
import { registerTask } from './commands/task-command.js';
import { registerQuarantine } from './commands/quarantine-command.js';
import { registerDoctor } from './commands/doctor-command.js';
import { registerHeal, registerVerify } from './commands/verify-command.js';
import { hoistGlobalOptions } from './global-options.js';
import { registerRun } from './commands/run-command.js';
import { registerChat } from './commands/chat-command.js';
import { registerDaemon } from './commands/daemon-command.js';
import { registerUi } from './commands/ui-command.js';
import { registerGit } from './commands/git-command.js';
import { registerExport, registerImport, registerMigrate } from './commands/store-commands.js';
import { EXIT, createOutput, exitCodeFor } from './output.js';

export const VERSION = '0.1.0';

/** Build the `mnemo` program with every command registered. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('mnemo')
    .description('Self-healing long-term memory for AI agents: a small index, verified topics, searched transcripts.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\n--dir <dir>, --workspace <dir> and --json may come before or after the command: mnemo --dir X list = mnemo list --dir X.')
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    .exitOverride();
  for (const register of [
    registerInit,
    registerRemember,
    registerRecall,
    registerShow,
    registerList,
    registerForget,
    registerLog,
    registerSession,
    registerIndex,
    registerReindex,
    registerStatus,
    registerTask,
    registerQuarantine,
    registerDoctor,
    registerVerify,
    registerHeal,
    registerDream,
    registerMcp,
    registerUi,
    registerSetup,
    registerHook,
    registerBench,
    registerRun,
    registerChat,
    registerGit,
    registerDaemon,
    registerMigrate,
    registerExport,
    registerImport,
  ]) {
    register(program, context);
  }
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

/** Run the CLI with the given arguments (without `node mnemo`); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const context: CommandContext = { io, out: createOutput(io), exitCode: EXIT.ok };
  const program = buildProgram(context);
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
