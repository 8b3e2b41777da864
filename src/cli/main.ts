#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli-io.js';
import type * as LeanCliModule from './lean-cli.js';
import { runBackgroundHook } from './background-hook.js';
import { loadCompiledBundle } from './compiled-bundle.js';
import { isLeanCommand } from './lean-commands.js';

// A reader that closes early (`mnemo list | head`) is not an error: stop writing, exit quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  isTty: Boolean(process.stdout.isTTY),
};
type LeanCli = typeof LeanCliModule;

/*
 * No top-level await: the build bundles this file as CommonJS (dist/cli/main.js), which Node starts
 * without its ES module loader, and loads the full CLI (an ES module bundle) only when it is needed.
 */
async function main(): Promise<void> {
  let argv = process.argv.slice(2);
  // The per-turn Claude Code hooks hand their work to a detached child before commander and the
  // commands are loaded (see background-hook.ts); recall and the per-prompt hooks build a program
  // of their own command only (lean-cli.ts); everything else is the full CLI.
  const fast = await runBackgroundHook(argv, io);
  if (typeof fast === 'number') {
    process.exitCode = fast;
    return;
  }
  if (fast) argv = fast.fallback;
  // recall and the per-prompt hooks register only their own command (lean-cli.ts). A build runs
  // them from one bundle through V8's code cache (compiled-bundle.ts); from source, as modules.
  if (!fast && isLeanCommand(argv)) {
    const bundle = fileURLToPath(new URL('./lean-cli.cjs', import.meta.url));
    const { runLeanCli } = existsSync(bundle) ? loadCompiledBundle<LeanCli>(bundle, process.env).exports : await import('./lean-cli.js');
    const lean = await runLeanCli(argv, io);
    if (lean !== undefined) {
      process.exitCode = lean;
      return;
    }
  }
  const { runCli } = await import('./run-cli.js');
  process.exitCode = await runCli(argv, io);
}

void main();
