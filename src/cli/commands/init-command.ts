import type { Command } from 'commander';
import { rootOptions, type CommandContext, type RootOptions } from '../command-context.js';

export function registerInit(program: Command, context: CommandContext): void {
  rootOptions(program.command('init'))
    .description('create a memory root: MEMORY.md, sessions/, .state/ and a .gitignore that keeps .state/ out')
    .option('--json', 'print the result as JSON')
    .action(async (options: RootOptions & { json?: boolean }) => {
      const { initMemory } = await import('../../app/index.js');
      const result = await initMemory({
        ...(options.dir === undefined ? {} : { dir: options.dir }),
        cwd: context.io.cwd,
        env: context.io.env,
      });
      if (options.json) return context.out.json(result);
      if (result.created.length === 0) context.out.line(`Memory already initialized at ${result.root}`);
      else context.out.line(`Initialized memory at ${result.root}`);
    });
}
