/*
 * Which argv run on the lean program of lean-cli.ts: `mnemo recall …` and the per-prompt hooks
 * (`mnemo hook session-start`, `mnemo hook user-prompt-submit`), unless a token asks for help or
 * the version (those show the full command list). No imports: main.ts asks before it loads
 * anything else.
 */

const HELP_OR_VERSION = new Set(['--help', '-h', 'help', '--version', '-V']);

export function isLeanCommand(argv: readonly string[]): boolean {
  if (argv.some((token) => HELP_OR_VERSION.has(token))) return false;
  if (argv[0] === 'recall') return true;
  return argv[0] === 'hook' && (argv[1] === 'session-start' || argv[1] === 'user-prompt-submit');
}
