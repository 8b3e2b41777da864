import type { Command } from 'commander';
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
import { registerRun } from './commands/run-command.js';
import { registerChat } from './commands/chat-command.js';
import { registerDaemon } from './commands/daemon-command.js';
import { registerUi } from './commands/ui-command.js';
import { registerGit } from './commands/git-command.js';
import { registerExport, registerImport, registerMigrate } from './commands/store-commands.js';
import { VERSION, createContext, programWith, runProgram } from './program.js';

export { VERSION };

/** Build the `mnemo` program with every command registered. */
export function buildProgram(context: CommandContext): Command {
  return programWith(context, [
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
  ]);
}

/** Run the CLI with the given arguments (without `node mnemo`); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const context = createContext(io);
  return runProgram(buildProgram(context), argv, context);
}
