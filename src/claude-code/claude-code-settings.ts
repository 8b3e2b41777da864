import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, quote } from 'shell-quote';
import { MnemoError, errnoCode, writeFileAtomic } from '../shared/index.js';

/**
 * The Claude Code hook events mnemo installs, with the `mnemo hook` argument and timeout (seconds)
 * of each. `async`: the hook runs in the background (the hooks reference's "Run hooks in the
 * background", Claude Code 2.1+), so a turn does not wait even for the hook to start its detached
 * child; clients without the option ignore the field and still get a hook that returns at once.
 * SessionEnd is not async: Claude Code exits right after it (anthropics/claude-code#41577), so its
 * work must leave the process tree, which the detached child does either way.
 */
export const CLAUDE_CODE_HOOKS: readonly { event: string; argument: string; timeout: number; async?: true }[] = [
  { event: 'SessionStart', argument: 'session-start', timeout: 30 },
  { event: 'UserPromptSubmit', argument: 'user-prompt-submit', timeout: 10 },
  { event: 'Stop', argument: 'stop', timeout: 60, async: true },
  { event: 'SubagentStop', argument: 'subagent-stop', timeout: 60, async: true },
  { event: 'SessionEnd', argument: 'session-end', timeout: 60 },
];

export interface ClaudeCodeSetupOptions {
  /** `project`: `.claude/settings.json` and `.mcp.json` in the project; `user`: `~/.claude/settings.json`. */
  scope: 'project' | 'user';
  projectDir: string;
  homeDir: string;
  /** How Claude Code launches mnemo (default `mnemo`; e.g. `node /path/to/dist/cli/main.js` or `npx mnemo-memory`). */
  command: string;
  /** A memory root to pin (absolute); default: found from the session's folder, like the CLI does. */
  dir?: string | undefined;
  /** `claude`: the hooks and the server use the project's Claude Code auto-memory folder as the root. */
  memory?: 'mnemo' | 'claude' | undefined;
  now: Date;
}

/** One file the setup writes: what is there, what it becomes, and where the old one is kept. */
export interface PlannedFile {
  path: string;
  before: string | undefined;
  after: string;
  changed: boolean;
  /** Where the current file is copied before it is replaced (only when it exists and changes). */
  backup: string | undefined;
}

export interface ClaudeCodeSetupPlan {
  files: PlannedFile[];
  /** Steps the setup cannot do itself (user-scope MCP registration). */
  manualSteps: string[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJsonObject(path: string): Promise<{ text: string | undefined; value: JsonObject }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { text: undefined, value: {} };
    throw error;
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new MnemoError('invalid-input', `${path} is not valid JSON (${(error as Error).message}), so it cannot be merged.`, {
      hint: 'Fix the file (or move it aside) and run the setup again; nothing was written.',
    });
  }
  if (!isObject(value)) {
    throw new MnemoError('invalid-input', `${path} does not hold a JSON object, so it cannot be merged.`, {
      hint: 'Fix the file (or move it aside) and run the setup again; nothing was written.',
    });
  }
  return { text, value };
}

/** The launch command as argv (`npx mnemo` → `["npx", "mnemo"]`). */
export function commandArgv(command: string): string[] {
  const argv = parse(command).filter((part): part is string => typeof part === 'string');
  if (argv.length === 0 || argv.length !== parse(command).length) {
    throw new MnemoError('usage', `--command ${JSON.stringify(command)} is not a plain command line.`, {
      hint: 'Give the program and its arguments only, e.g. --command "node /path/to/mnemo/dist/cli/main.js" (no pipes, redirections or variables).',
    });
  }
  return argv;
}

/** The shell command of one `mnemo hook <event>`. */
export function hookCommand(options: Pick<ClaudeCodeSetupOptions, 'command' | 'dir' | 'memory'>, argument: string): string {
  const dir = options.dir ? ` --dir ${quote([options.dir])}` : '';
  const memory = options.memory === 'claude' ? ' --memory claude' : '';
  return `${quote(commandArgv(options.command))} hook ${argument}${dir}${memory}`;
}

/**
 * Whether a hook command is mnemo's `hook <argument>`, whatever program launched it (`mnemo`,
 * `npx mnemo`, `node /old/path/dist/cli/main.js`): `hook <argument>` as whole words, followed
 * only by mnemo's own flags.
 */
export function isMnemoHook(command: unknown, argument: string, wanted?: string): boolean {
  if (typeof command !== 'string') return false;
  if (command === wanted) return true;
  const escaped = argument.replace(/[-]/g, '\\-');
  return new RegExp(`(^|\\s)hook\\s+${escaped}(\\s+--(dir|workspace|memory)(\\s+(?!--)('[^']*'|"[^"]*"|\\S+))?)*\\s*$`).test(command);
}

/**
 * Merge mnemo's hooks into a settings object: the first earlier mnemo hook of an event is
 * replaced in place (whatever command launched it), any further ones are removed (a group left
 * empty goes with them), and everything else is kept as it is. Merging twice changes nothing.
 */
export function mergeHooks(settings: JsonObject, options: Pick<ClaudeCodeSetupOptions, 'command' | 'dir' | 'memory'>): JsonObject {
  const hooks: JsonObject = isObject(settings.hooks) ? { ...settings.hooks } : {};
  for (const { event, argument, timeout, async } of CLAUDE_CODE_HOOKS) {
    const wanted = hookCommand(options, argument);
    const entry = { type: 'command', command: wanted, timeout, ...(async ? { async } : {}) };
    const groups = Array.isArray(hooks[event]) ? [...(hooks[event] as unknown[])] : [];
    let placed = false;
    const merged: unknown[] = [];
    for (const group of groups) {
      if (!isObject(group) || !Array.isArray(group.hooks)) {
        merged.push(group);
        continue;
      }
      const inner: unknown[] = [];
      let removed = false;
      for (const hook of group.hooks) {
        if (isObject(hook) && hook.type !== 'http' && isMnemoHook(hook.command, argument, wanted)) {
          if (placed) {
            removed = true;
            continue;
          }
          placed = true;
          inner.push({ ...hook, ...entry });
        } else inner.push(hook);
      }
      if (removed && inner.length === 0) continue;
      merged.push({ ...group, hooks: inner });
    }
    if (!placed) merged.push({ hooks: [entry] });
    hooks[event] = merged;
  }
  return { ...settings, hooks };
}

/** Merge the `mnemo` stdio server into a `.mcp.json` object. */
export function mergeMcpServer(config: JsonObject, options: Pick<ClaudeCodeSetupOptions, 'command' | 'dir' | 'memory'>): JsonObject {
  const [command, ...args] = commandArgv(options.command);
  const servers: JsonObject = isObject(config.mcpServers) ? { ...config.mcpServers } : {};
  const previous = isObject(servers.mnemo) ? servers.mnemo : {};
  servers.mnemo = {
    ...previous,
    type: 'stdio',
    command,
    args: [
      ...args,
      'mcp',
      ...(options.dir ? ['--dir', options.dir] : []),
      ...(options.memory === 'claude' && !options.dir ? ['--memory', 'claude'] : []),
    ],
    env: isObject(previous.env) ? previous.env : {},
  };
  return { ...config, mcpServers: servers };
}

function render(value: JsonObject): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function backupName(path: string, now: Date): string {
  return `${path}.mnemo-backup-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

async function planFile(path: string, change: (value: JsonObject) => JsonObject, now: Date): Promise<PlannedFile> {
  const { text, value } = await readJsonObject(path);
  const merged = change(value);
  // Equal JSON is no change, whatever the formatting: a second setup leaves the file alone.
  const changed = text === undefined || JSON.stringify(merged) !== JSON.stringify(value);
  const after = changed ? render(merged) : text;
  return { path, before: text, after, changed, backup: changed && text !== undefined ? backupName(path, now) : undefined };
}

/**
 * What `mnemo setup claude-code` would write: the hooks in Claude Code's settings (merged with
 * what is there) and, for a project, the MCP server in `.mcp.json`. Reads only. Running the
 * setup again plans no change.
 */
export async function planClaudeCodeSetup(options: ClaudeCodeSetupOptions): Promise<ClaudeCodeSetupPlan> {
  const base = options.scope === 'project' ? options.projectDir : options.homeDir;
  const files = [await planFile(join(base, '.claude', 'settings.json'), (value) => mergeHooks(value, options), options.now)];
  const manualSteps: string[] = [];
  if (options.scope === 'project') {
    files.push(await planFile(join(options.projectDir, '.mcp.json'), (value) => mergeMcpServer(value, options), options.now));
  } else {
    const [command, ...args] = commandArgv(options.command);
    manualSteps.push(
      `Register the MCP server for all your projects (Claude Code keeps user-scope servers in ~/.claude.json, which it manages itself):\n  ${quote(['claude', 'mcp', 'add', '--scope', 'user', 'mnemo', '--', command ?? 'mnemo', ...args, 'mcp', ...(options.dir ? ['--dir', options.dir] : []), ...(options.memory === 'claude' && !options.dir ? ['--memory', 'claude'] : [])])}`,
    );
  }
  return { files, manualSteps };
}

/** Write the planned files: each changed one is first copied to its backup, then replaced atomically. */
export async function applyClaudeCodeSetup(plan: ClaudeCodeSetupPlan): Promise<void> {
  for (const file of plan.files) {
    if (!file.changed) continue;
    if (file.backup) await copyFile(file.path, file.backup);
    await writeFileAtomic(file.path, file.after);
  }
}
