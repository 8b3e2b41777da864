import { parse, type ParseEntry } from 'shell-quote';

export type ParsedCommandLine = { ok: true; argv: [string, ...string[]] } | { ok: false; reason: string };

const NEEDS_SHELL = 'needs a shell; not run';

/**
 * Split a stored command into argv without a shell. Anything only a shell gives meaning to is
 * refused: operators (`|`, `;`, `&&`, redirects, `( )`), globs, `$VAR` and `$( )` substitutions,
 * backticks, `~`, comments and `NAME=value` prefixes.
 */
export function parseCommandLine(run: string): ParsedCommandLine {
  if (/[`\n\r\0]/.test(run)) return { ok: false, reason: `${NEEDS_SHELL} (backticks or line breaks)` };
  let entries: (ParseEntry | { variable: string })[];
  try {
    entries = parse(run, (key: string) => ({ variable: key }));
  } catch (error) {
    return { ok: false, reason: `cannot split the command: ${error instanceof Error ? error.message : String(error)}` };
  }
  const argv: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      argv.push(entry);
      continue;
    }
    if ('variable' in entry) return { ok: false, reason: `${NEEDS_SHELL} (it expands $${entry.variable || '(…)'})` };
    if ('comment' in entry) return { ok: false, reason: `${NEEDS_SHELL} (it has a # comment)` };
    if (entry.op === 'glob') return { ok: false, reason: `${NEEDS_SHELL} (the glob ${entry.pattern})` };
    return { ok: false, reason: `${NEEDS_SHELL} (the operator ${entry.op})` };
  }
  const [program, ...args] = argv;
  if (program === undefined || program === '') return { ok: false, reason: 'the command is empty' };
  if (/^[A-Za-z_]\w*=/.test(program)) return { ok: false, reason: `${NEEDS_SHELL} (the variable assignment ${program})` };
  if (argv.some((arg) => arg.startsWith('~'))) return { ok: false, reason: `${NEEDS_SHELL} (~ expansion)` };
  return { ok: true, argv: [program, ...args] };
}
