import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { HookPayload } from '../../mcp/index.js';
import { describeError, isMnemoError } from '../../shared/index.js';
import { readAllStdin } from '../cli-io.js';
import { rootOptions, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT } from '../output.js';

const HOOK_EVENTS = ['session-start', 'stop', 'session-end'] as const;
type HookEvent = (typeof HOOK_EVENTS)[number];

/** Start `mnemo dream --if-due` detached, when this mnemo has a dream command; failures are ignored. */
function startDreamIfDue(program: Command, root: string, cwd: string): boolean {
  if (!program.commands.some((command) => command.name() === 'dream')) return false;
  const entry = fileURLToPath(new URL('../main.js', import.meta.url));
  if (!existsSync(entry)) return false;
  try {
    const child = spawn(process.execPath, [entry, 'dream', '--if-due', '--dir', root], { cwd, detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

async function runHook(
  event: HookEvent,
  payload: HookPayload,
  options: RootOptions,
  context: CommandContext,
  program: Command,
): Promise<void> {
  const cwd = payload.cwd ?? context.io.cwd;
  const [{ openMemory }, { importClaudeCodeIncrementally, sessionStartContext }] = await Promise.all([
    import('../../app/index.js'),
    import('../../mcp/index.js'),
  ]);
  const memory = await openMemory({
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    cwd,
    env: context.io.env,
  });
  try {
    if (event === 'session-start') {
      const additionalContext = await sessionStartContext(memory);
      context.io.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext } })}\n`);
      return;
    }
    if (payload.transcript_path) {
      const result = await importClaudeCodeIncrementally(memory, payload.transcript_path, payload.session_id);
      context.out.note(`mnemo: ${result.imported} event(s) of the Claude Code transcript added to session ${result.session}`);
    }
    startDreamIfDue(program, memory.root, cwd);
  } finally {
    memory.close();
  }
}

export function registerHook(program: Command, context: CommandContext): void {
  rootOptions(program.command('hook'))
    .description(
      `run a Claude Code hook (${HOOK_EVENTS.join(', ')}): reads the hook's JSON on stdin, never blocks Claude Code (always exit 0)`,
    )
    .argument('<event>', HOOK_EVENTS.join(' | '))
    .action(async (event: string, options: RootOptions) => {
      context.exitCode = EXIT.ok;
      if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
        context.out.warn(`mnemo hook: unknown event ${JSON.stringify(event)} (known: ${HOOK_EVENTS.join(', ')}); nothing done.`);
        return;
      }
      try {
        const { hookPayloadProblem, parseHookPayload } = await import('../../mcp/index.js');
        const input = await readAllStdin(context.io);
        const problem = hookPayloadProblem(input);
        if (problem !== undefined)
          context.out.warn(
            `mnemo hook ${event}: ${problem}; ${event === 'session-start' ? 'the index is given all the same' : 'no transcript to import'}.`,
          );
        const payload = parseHookPayload(input);
        if (problem === undefined && event !== 'session-start' && payload.transcript_path === undefined)
          context.out.note(`mnemo hook ${event}: the hook input has no transcript_path; nothing to import.`);
        await runHook(event as HookEvent, payload, options, context, program);
      } catch (error) {
        // A hook must never block or break a Claude Code session: report on stderr, exit 0.
        if (isMnemoError(error, 'not-initialized'))
          context.out.note('mnemo: no memory here (run `mnemo init` to start one); nothing done.');
        else context.out.note(`mnemo hook ${event}: ${describeError(error)}`);
      }
    });
}
