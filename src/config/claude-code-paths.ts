import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { sha256 } from '../shared/index.js';

/**
 * Claude Code's own folder: `CLAUDE_CONFIG_DIR`, else `~/.claude`. Session transcripts live in
 * `<it>/projects/<project>/<session>.jsonl`, auto memory in `<it>/projects/<project>/memory/`.
 */
export function claudeConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CLAUDE_CONFIG_DIR?.trim();
  return configured ? resolve(configured) : join(env.HOME || env.USERPROFILE || homedir(), '.claude');
}

/**
 * The name Claude Code gives a project's folder under `projects/`: the absolute path with every
 * character that is not a letter or a digit replaced by `-` (`/home/me/my_app` →
 * `-home-me-my-app`). Claude Code cuts names over 200 characters and adds a hash; mnemo keeps
 * the first 200 characters and the same rule, so such paths should be pinned with `--dir`.
 */
export function claudeProjectKey(projectDir: string): string {
  return resolve(projectDir).replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * The Claude Code auto-memory folder of a project (its git root, else the folder Claude Code was
 * started in), or, given a session transcript path, the `memory/` folder beside it (exact,
 * whatever the naming).
 */
export function claudeMemoryDir(options: { projectDir: string; transcriptPath?: string | undefined; env?: NodeJS.ProcessEnv }): string {
  if (options.transcriptPath && /\.jsonl$/.test(options.transcriptPath)) {
    return join(resolve(options.transcriptPath), '..', 'memory');
  }
  return join(claudeConfigDir(options.env), 'projects', claudeProjectKey(options.projectDir), 'memory');
}

const CLAUDE_MEMORY = /^(.*)[\\/]\.claude[\\/]projects[\\/][^\\/]+[\\/]memory[\\/]?$/;

/** Whether `root` is a Claude Code auto-memory folder (`…/.claude/projects/<project>/memory`, or under `CLAUDE_CONFIG_DIR`). */
export function isClaudeMemoryFolder(root: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const path = resolve(root);
  if (CLAUDE_MEMORY.test(path)) return true;
  const configured = env.CLAUDE_CONFIG_DIR?.trim();
  if (!configured) return false;
  const rest = path.slice(resolve(configured).length);
  return path.startsWith(resolve(configured) + sep) && /^[\\/]projects[\\/][^\\/]+[\\/]memory[\\/]?$/.test(rest);
}

/**
 * Where a root keeps its internal state. `<root>/.state` for a mnemo root; for a Claude Code
 * memory folder (which mnemo never fills with its own files), a folder of mnemo's cache keyed by
 * the folder's path: `$XDG_CACHE_HOME/mnemo/<hash>`, else `<home>/.cache/mnemo/<hash>` with the
 * home that holds `.claude` (so a test's temporary home keeps its cache to itself).
 */
export function stateDirFor(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isClaudeMemoryFolder(root, env)) return join(root, '.state');
  const path = resolve(root).replace(/[\\/]+$/, '');
  const key = sha256(path).slice(0, 16);
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return join(resolve(xdg), 'mnemo', key);
  const home = CLAUDE_MEMORY.exec(path)?.[1] ?? (env.HOME || env.USERPROFILE || homedir());
  return join(home, '.cache', 'mnemo', key);
}
