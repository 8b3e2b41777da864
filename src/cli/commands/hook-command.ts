import type { Command } from 'commander';
import { Option } from 'commander';
import { describeError, quoteExcerpt } from '../../shared/index.js';
import { readAllStdin } from '../cli-io.js';
import { rootOptions, type CommandContext, type RootOptions } from '../command-context.js';
import { EXIT } from '../output.js';
import { BACKGROUND_HOOKS as BACKGROUND, backgroundFields, startDetached } from '../background-hook.js';

/** Kept here (not imported) so that `mnemo hook` loads the hook code only when it runs. */
const HOOK_EVENTS = ['session-start', 'user-prompt-submit', 'stop', 'subagent-stop', 'session-end'] as const;

interface HookFlags extends RootOptions {
  foreground?: boolean;
  payload?: string;
}

/** The payload as a JSON object, or what is wrong with it in words (an empty payload reads as `{}`). */
function payloadObject(text: string): { payload: Record<string, unknown> } | { problem: string } {
  if (text.trim() === '') return { payload: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { problem: `the hook input on stdin is not JSON (${reason}): ${quoteExcerpt(text.trim(), 60)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: `the hook input on stdin is JSON but not an object: ${quoteExcerpt(text.trim(), 60)}` };
  return { payload: value as Record<string, unknown> };
}

function rootArgs(options: RootOptions): string[] {
  return [
    ...(options.dir === undefined ? [] : ['--dir', options.dir]),
    ...(options.workspace === undefined ? [] : ['--workspace', options.workspace]),
    ...(options.memory === undefined ? [] : ['--memory', options.memory]),
  ];
}

export function registerHook(program: Command, context: CommandContext): void {
  rootOptions(program.command('hook'))
    .description(
      `run a Claude Code hook (${HOOK_EVENTS.join(', ')}): reads the hook's JSON on stdin, never blocks Claude Code (always exit 0); stop, subagent-stop and session-end return at once and do their work in the background`,
    )
    .argument('<event>', HOOK_EVENTS.join(' | '))
    .addOption(
      new Option('--foreground', 'do the work of stop, subagent-stop or session-end before exiting (what the background run does)'),
    )
    .addOption(new Option('--payload <json>', 'the hook payload (instead of stdin)').hideHelp())
    .action(async (event: string, options: HookFlags) => {
      context.exitCode = EXIT.ok;
      if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
        context.out.warn(`mnemo hook: unknown event ${JSON.stringify(event)} (known: ${HOOK_EVENTS.join(', ')}); nothing done.`);
        return;
      }
      try {
        const text = options.payload ?? (await readAllStdin(context.io));
        const parsed = payloadObject(text);
        if ('problem' in parsed) {
          const what =
            event === 'stop' || event === 'subagent-stop' || event === 'session-end' ? 'no transcript to import' : 'nothing done';
          context.out.warn(`mnemo hook ${event}: ${parsed.problem}; ${what}.`);
          return;
        }
        const payload = parsed.payload;
        const cwd = typeof payload.cwd === 'string' ? payload.cwd : context.io.cwd;
        if (BACKGROUND.has(event) && !options.foreground) {
          // Claude Code waits for a hook's exit: hand the work to a detached child and return,
          // before anything of the memory is loaded.
          const args = ['hook', event, '--foreground', '--payload', JSON.stringify(backgroundFields(payload)), ...rootArgs(options)];
          if (startDetached(args, cwd, context.io.env)) return;
        }
        const { parseHookPayload, runClaudeCodeHook, isHookEvent } = await import('../../claude-code/index.js');
        if (!isHookEvent(event)) return;
        const run = await runClaudeCodeHook(event, parseHookPayload(text), {
          dir: options.dir,
          workspace: options.workspace,
          memory: options.memory,
          cwd: context.io.cwd,
          env: context.io.env,
        });
        if (run.output) context.io.stdout.write(`${JSON.stringify(run.output)}\n`);
        for (const note of run.notes) context.out.note(note);
        if (run.dreamCheck && run.root && program.commands.some((command) => command.name() === 'dream')) {
          startDetached(['dream', '--if-due', '--dir', run.root], cwd, context.io.env);
        }
      } catch (error) {
        // A hook must never block or break a Claude Code session: report on stderr, exit 0.
        context.out.note(`mnemo hook ${event}: ${describeError(error)}`);
      }
    });
}
