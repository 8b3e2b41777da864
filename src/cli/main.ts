#!/usr/bin/env node
import type { CliIo } from './cli-io.js';
import { runBackgroundHook } from './background-hook.js';

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
let argv = process.argv.slice(2);
// The per-turn Claude Code hooks hand their work to a detached child before commander and the
// commands are loaded (see background-hook.ts); recall and the per-prompt hooks build a program
// of their own command only (lean-cli.ts); everything else is the full CLI.
const fast = await runBackgroundHook(argv, io);
if (typeof fast === 'number') process.exitCode = fast;
else {
  if (fast) argv = fast.fallback;
  // recall and the per-prompt hooks register only their own command (lean-cli.ts).
  const { runLeanCli } = await import('./lean-cli.js');
  const lean = fast ? undefined : await runLeanCli(argv, io);
  if (lean !== undefined) process.exitCode = lean;
  else {
    const { runCli } = await import('./run-cli.js');
    process.exitCode = await runCli(argv, io);
  }
}
