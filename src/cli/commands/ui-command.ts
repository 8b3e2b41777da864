import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { MnemoError, createStderrLogger, errnoCode } from '../../shared/index.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { portNumber, untilSignal } from '../server-flags.js';

interface UiFlags extends RootOptions {
  port: number;
  host: string;
  token?: string;
  allowRemote?: boolean;
  open?: boolean;
}

export const DEFAULT_UI_PORT = 4848;

/** Open the URL in the desktop's browser; a machine without one just keeps the printed URL. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser here: the URL is printed
  }
}

export function registerUi(program: Command, context: CommandContext): void {
  rootOptions(program.command('ui'))
    .description('serve the web dashboard: see the index, topics, sessions, review the quarantine, propose, apply and roll back dreams')
    .option('--port <port>', 'port (0 picks a free one)', portNumber, DEFAULT_UI_PORT)
    .option('--host <host>', 'address to bind; anything but loopback needs --allow-remote and --token', '127.0.0.1')
    .option('--token <token>', 'the token the URL carries (default: a random one per run; required with --allow-remote)')
    .option('--allow-remote', 'allow binding to a non-loopback address (requires --token)')
    .option('--open', 'open the dashboard in the browser')
    .action(async (options: UiFlags) => {
      // Loaded here only: no other command pays for the dashboard.
      const { serveDashboard } = await import('../../ui/index.js');
      await withMemory(context, options, async (memory) => {
        const logger = createStderrLogger(memory.config.logLevel);
        const serving = await serveDashboard(memory, {
          host: options.host,
          port: options.port,
          token: options.token,
          allowRemote: options.allowRemote === true,
          logger,
        }).catch((error: unknown) => {
          if (errnoCode(error) === 'EADDRINUSE') {
            throw new MnemoError('io', `Port ${options.port} is in use.`, { hint: 'Pass --port <other>, or --port 0 for a free one.' });
          }
          throw error;
        });
        context.out.line(serving.url);
        context.out.note(`mnemo dashboard for ${memory.root}: open the URL above (it carries this run's token); Ctrl-C stops it.`);
        if (options.open) openBrowser(serving.url);
        await untilSignal();
        await serving.close();
      });
    });
}
