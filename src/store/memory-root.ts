import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MnemoError, makeDirectory, writeFileAtomic } from '../shared/index.js';
import { isClaudeMemoryFolder, stateDirFor } from '../config/index.js';

/** The files and folders of a memory root (format 1, DESIGN.md). */
export interface RootPaths {
  root: string;
  index: string;
  sessions: string;
  state: string;
  searchDb: string;
  staging: string;
  quarantine: string;
  trash: string;
  audit: string;
  dreams: string;
  locks: string;
  journal: string;
  gitignore: string;
}

export const INDEX_FILE = 'MEMORY.md';

/**
 * The paths of a root. Internal state is `<root>/.state`, except for a Claude Code memory folder,
 * whose state lives in mnemo's cache (config's `stateDirFor`): mnemo adds no files of its own there.
 */
export function rootPaths(root: string): RootPaths {
  const state = stateDirFor(root);
  return {
    root,
    index: join(root, INDEX_FILE),
    sessions: join(root, 'sessions'),
    state,
    searchDb: join(state, 'search.db'),
    staging: join(state, 'staging'),
    quarantine: join(state, 'quarantine'),
    trash: join(state, 'trash'),
    audit: join(state, 'audit.jsonl'),
    dreams: join(state, 'dreams'),
    locks: join(state, 'locks'),
    journal: join(state, 'journal'),
    gitignore: join(root, '.gitignore'),
  };
}

const GITIGNORE = '# mnemo: internal state is derived or disposable; topics, MEMORY.md and sessions/ are the memory\n.state/\n';

/** Whether `root` holds a memory: an index, or topic files (a Claude Code memory folder). */
export function isMemoryRoot(root: string): boolean {
  try {
    if (!statSync(root).isDirectory()) return false;
  } catch {
    return false;
  }
  if (existsSync(join(root, INDEX_FILE))) return true;
  return readdirSync(root).some((name) => name.endsWith('.md'));
}

/** Throw a `not-initialized` error that says how to create the root. */
export function assertMemoryRoot(root: string): void {
  if (isMemoryRoot(root)) return;
  throw new MnemoError('not-initialized', `No memory at ${root}.`, {
    hint: `Run \`mnemo init --dir ${root}\` to create one, or pass --dir (or MNEMO_DIR) to use another folder.`,
  });
}

export interface InitResult {
  root: string;
  /** What was created; empty when the root already existed complete. */
  created: string[];
}

/**
 * Create the root layout. Idempotent: existing files (an index, topics, a .gitignore) are kept;
 * `.state/` is added to an existing .gitignore when missing.
 */
export async function initRoot(root: string): Promise<InitResult> {
  const paths = rootPaths(root);
  const created: string[] = [];
  if (!existsSync(root)) created.push(root);
  await makeDirectory(root);
  // A Claude Code memory folder gets no files of mnemo's own: its state is in mnemo's cache, sessions/ comes with the first session.
  const claude = isClaudeMemoryFolder(root);
  for (const folder of claude ? [paths.state] : [paths.sessions, paths.state]) {
    if (!existsSync(folder)) {
      await makeDirectory(folder);
      created.push(folder);
    }
  }
  const manifest = join(paths.state, 'manifest.json');
  if (!existsSync(manifest)) await writeFile(manifest, '{"v":1,"files":{}}\n', { flag: 'wx' }).catch(() => undefined);
  if (!existsSync(paths.index)) {
    await writeFile(paths.index, '', { flag: 'wx' }).catch(() => undefined);
    created.push(paths.index);
  }
  if (claude) return { root, created };
  if (!existsSync(paths.gitignore)) {
    await writeFileAtomic(paths.gitignore, GITIGNORE);
    created.push(paths.gitignore);
  } else {
    const current = await readFile(paths.gitignore, 'utf8');
    if (!/^\/?\.state\/?\s*$/m.test(current)) {
      await writeFileAtomic(paths.gitignore, `${current}${current.endsWith('\n') || current === '' ? '' : '\n'}.state/\n`);
      created.push(`${paths.gitignore} (.state/ entry)`);
    }
  }
  return { root, created };
}
