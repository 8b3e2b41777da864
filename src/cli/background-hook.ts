import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli-io.js';

/*
 * The per-turn Claude Code hooks (`stop`, `subagent-stop`, `session-end`) on their shortest path:
 * read the payload, start the detached `--foreground` child that does the work, exit. This module
 * imports node builtins only, and `main.ts` tries it before it loads commander and the commands,
 * so a turn waits on little more than node starting. Anything it does not recognise (a flag it
 * does not know, `--help`, a payload that is not a JSON object, a failed spawn) goes the ordinary
 * way through `mnemo hook`, which gives the same answer with its usual messages.
 */

/** The events whose work nobody waits for (the same set as claude-code/'s BACKGROUND_HOOK_EVENTS). */
export const BACKGROUND_HOOKS: ReadonlySet<string> = new Set(['stop', 'subagent-stop', 'session-end']);

/** What the background work reads of a payload (kept small: it travels on a command line). */
const BACKGROUND_FIELDS = [
  'session_id',
  'transcript_path',
  'cwd',
  'hook_event_name',
  'reason',
  'agent_id',
  'agent_type',
  'agent_transcript_path',
];

/** The payload fields the detached child needs, as a JSON object of strings. */
export function backgroundFields(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(BACKGROUND_FIELDS.flatMap((key) => (typeof payload[key] === 'string' ? [[key, payload[key]]] : [])));
}

function cliEntry(): string | undefined {
  const entry = fileURLToPath(new URL('./main.js', import.meta.url));
  return existsSync(entry) ? entry : undefined;
}

/** Start `mnemo <args>` detached (its own process group, no stdio), so the caller can exit at once. */
export function startDetached(args: string[], cwd: string, env: NodeJS.ProcessEnv | undefined): boolean {
  const entry = cliEntry();
  if (!entry) return false;
  try {
    const child = spawn(process.execPath, [entry, ...args], { cwd, detached: true, stdio: 'ignore', ...(env ? { env } : {}) });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** The root flags a background hook passes on (`--dir X`, `--workspace X`, `--memory mnemo|claude`). */
const ROOT_FLAGS = new Set(['--dir', '--workspace', '--memory']);

/**
 * `hook <event> [root flags]` with its flags as the child gets them, or undefined when argv is
 * anything else (another command, `--foreground`, `--help`, an unknown or repeated flag).
 */
export function backgroundHookArgs(argv: readonly string[]): { event: string; rootArgs: string[] } | undefined {
  const event = argv[1];
  if (argv[0] !== 'hook' || event === undefined || !BACKGROUND_HOOKS.has(event)) return undefined;
  const rootArgs: string[] = [];
  const seen = new Set<string>();
  for (let index = 2; index < argv.length; index += 2) {
    const flag = argv[index] ?? '';
    const value = argv[index + 1];
    if (!ROOT_FLAGS.has(flag) || seen.has(flag) || value === undefined || value.startsWith('-')) return undefined;
    if (flag === '--memory' && value !== 'mnemo' && value !== 'claude') return undefined;
    seen.add(flag);
    rootArgs.push(flag, value);
  }
  return { event, rootArgs };
}

async function readStdin(stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stdin) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Run a per-turn hook on the short path: 0 once the detached child is started, or the argv the
 * full CLI should run instead (the payload already read from stdin is handed over as `--payload`),
 * or undefined when argv is not such a hook at all.
 */
export async function runBackgroundHook(argv: readonly string[], io: CliIo): Promise<number | { fallback: string[] } | undefined> {
  const parsed = backgroundHookArgs(argv);
  if (!parsed) return undefined;
  const text = await readStdin(io.stdin);
  const fallback = { fallback: ['hook', parsed.event, `--payload=${text}`, ...parsed.rootArgs] };
  let payload: unknown;
  try {
    payload = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return fallback;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return fallback;
  const fields = payload as Record<string, unknown>;
  const cwd = typeof fields.cwd === 'string' ? fields.cwd : io.cwd;
  const args = ['hook', parsed.event, '--foreground', '--payload', JSON.stringify(backgroundFields(fields)), ...parsed.rootArgs];
  return startDetached(args, cwd, io.env) ? 0 : fallback;
}
