import type { Command } from 'commander';
import { createStderrLogger } from '../../shared/index.js';
import type { Memory } from '../../app/index.js';
import { openMemoryFor, rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { portNumber, untilSignal } from '../server-flags.js';

interface McpFlags extends RootOptions {
  http?: boolean;
  port: number;
  host: string;
  token?: string;
  allowRemote?: boolean;
}

export const DEFAULT_MCP_PORT = 4747;

/** Stdout is the protocol channel: anything that logs to the console goes to stderr while serving. */
function consoleToStderr(): void {
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
}

export function registerMcp(program: Command, context: CommandContext): void {
  rootOptions(program.command('mcp'))
    .description('serve the memory over MCP: on stdio (for a client that launches it), or streamable HTTP with --http')
    .option('--http', 'serve over streamable HTTP instead of stdio')
    .option('--port <port>', `HTTP port (0 picks a free one)`, portNumber, DEFAULT_MCP_PORT)
    .option('--host <host>', 'HTTP address to bind; anything but loopback needs --allow-remote and a token', '127.0.0.1')
    .option('--token <token>', 'bearer token HTTP clients must send (default: MNEMO_MCP_TOKEN)')
    .option('--allow-remote', 'allow binding to a non-loopback address (requires a token)')
    .action(async (options: McpFlags) => {
      const version = program.version() ?? '0.0.0';
      if (!options.http) {
        // stdio: `initialize` is answered before the MCP SDK, the tools and the memory are
        // loaded; the memory is opened when the first message came (its warnings and errors on stderr).
        consoleToStderr();
        const { serveMcpStdio } = await import('../../mcp/index.js');
        let memory: Memory | undefined;
        let logger = createStderrLogger();
        const serving = serveMcpStdio(
          async () => {
            memory = await openMemoryFor(context, options);
            logger = createStderrLogger(memory.config.logLevel);
            return memory;
          },
          {
            logger: {
              debug: (message, fields) => logger.debug(message, fields),
              info: (message, fields) => logger.info(message, fields),
              warn: (message, fields) => logger.warn(message, fields),
              error: (message, fields) => logger.error(message, fields),
            },
            version,
          },
        );
        void untilSignal().then(() => serving.stop());
        try {
          await serving.done;
        } finally {
          memory?.close();
        }
        return;
      }
      const [{ environmentSettings }, { serveMcpHttp }] = await Promise.all([
        import('../../config/index.js'),
        import('../../mcp/index.js'),
      ]);
      const token = options.token ?? environmentSettings(context.io.env).mcpToken;
      await withMemory(context, options, async (memory) => {
        const logger = createStderrLogger(memory.config.logLevel);
        const serving = await serveMcpHttp(memory, {
          host: options.host,
          port: options.port,
          token,
          allowRemote: options.allowRemote === true,
          logger,
          version,
        });
        context.out.note(`mnemo MCP server (streamable HTTP) listening on ${serving.url}${token ? ' (bearer token required)' : ''}`);
        await untilSignal();
        await serving.close();
      });
    });
}
