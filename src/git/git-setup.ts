import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, unlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../shared/index.js';
import { initRoot, rootPaths } from '../store/index.js';
import { runGit, gitText } from './git-process.js';
import { findRepository } from './git-repository.js';
import { addHookBlock, removeHookBlock, shellQuote } from './hook-blocks.js';

/**
 * The hooks `mnemo git setup` installs: four that re-sync after git changed the files, one that
 * blocks secrets. `post-commit` is there for the merge git cannot finish alone: a conflicted merge
 * completed with `git commit` runs no `post-merge`, yet it may bring tombstones to apply.
 */
export const SYNC_HOOKS = ['post-merge', 'post-checkout', 'post-rewrite', 'post-commit'] as const;
export const CHECK_HOOK = 'pre-commit';
/** The merge driver's name in `.gitattributes` and `git config`. */
export const INDEX_MERGE_DRIVER = 'mnemo-index';

const ATTRIBUTES_COMMENT =
  '# mnemo: MEMORY.md is rendered from the topics (merged by `mnemo git merge-index`); transcripts are append-only';
const ATTRIBUTES = [`/MEMORY.md merge=${INDEX_MERGE_DRIVER}`, '/sessions/*.jsonl merge=union'];

export interface GitSetupOptions {
  root: string;
  /** How hooks and the merge driver start mnemo: a shell command (`mnemo`, or `'/usr/bin/node' '/…/dist/cli/main.js'`). */
  command: string;
  /** Pass `--dir <root>` in the hooks (the root was given explicitly; otherwise each worktree finds its own). */
  pinRoot?: boolean;
  uninstall?: boolean;
}

export interface GitSetupChange {
  /** A file, or `git config <key>`. */
  path: string;
  action: 'created' | 'updated' | 'unchanged' | 'removed' | 'skipped';
  /** Why it was skipped, with what to do. */
  note?: string;
}

export interface GitSetupReport {
  root: string;
  repository: string;
  hooksDir: string;
  command: string;
  uninstalled: boolean;
  changes: GitSetupChange[];
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function mnemoCommand(options: GitSetupOptions): string {
  return options.pinRoot ? `${options.command} --dir ${shellQuote(options.root)}` : options.command;
}

/** True (exit 0) while git is in the middle of a rebase or a cherry-pick/revert sequence: its own `post-rewrite` (or the next write) follows. */
const IN_SEQUENCE = ['rebase-merge', 'rebase-apply', 'sequencer']
  .map((path) => `[ -d "$(git rev-parse --git-path ${path})" ]`)
  .join(' || ');

function hookBody(hook: string, command: string): string {
  if (hook === CHECK_HOOK) {
    return `${command} git pre-commit || exit 1`;
  }
  const sync = `${command} git sync --hook || true`;
  if (hook === 'post-checkout') {
    // A rebase checks out its base first; changing files then could stop its next pick.
    return `if ! { ${IN_SEQUENCE}; }; then ${sync}; fi`;
  }
  if (hook === 'post-commit') {
    // Only a merge commit (a conflicted merge resolved by hand) or one that adds tombstones:
    // every other commit costs two quick git calls, no mnemo start.
    return [
      `if ! { ${IN_SEQUENCE}; } && { git rev-parse -q --verify 'HEAD^2' >/dev/null ||`,
      `  git diff-tree -r --root --no-commit-id --name-only --diff-filter=A HEAD | grep -q 'tombstones/[^/]*[.]json$'; }; then`,
      `  ${sync}`,
      'fi',
    ].join('\n');
  }
  return sync;
}

async function installHook(hooksDir: string, hook: string, body: string): Promise<GitSetupChange> {
  const path = join(hooksDir, hook);
  const current = await readOptional(path);
  const edit = addHookBlock(current, body);
  if (edit.kind === 'foreign') {
    return {
      path,
      action: 'skipped',
      note: `it is a ${edit.interpreter} script; add a call to \`${body}\` to it yourself`,
    };
  }
  if (edit.kind === 'unchanged') return { path, action: 'unchanged' };
  await mkdir(hooksDir, { recursive: true });
  await writeFileAtomic(path, edit.text);
  await chmod(path, 0o755);
  return { path, action: current === undefined ? 'created' : 'updated' };
}

async function uninstallHook(hooksDir: string, hook: string): Promise<GitSetupChange> {
  const path = join(hooksDir, hook);
  const current = await readOptional(path);
  if (current === undefined) return { path, action: 'unchanged' };
  const { text, removed } = removeHookBlock(current);
  if (!removed) return { path, action: 'unchanged' };
  if (text === undefined) {
    await unlink(path);
    return { path, action: 'removed' };
  }
  await writeFileAtomic(path, text);
  return { path, action: 'updated' };
}

async function setAttributes(root: string, uninstall: boolean): Promise<GitSetupChange> {
  const path = join(root, '.gitattributes');
  const current = await readOptional(path);
  const lines = (current ?? '').split('\n').filter((line, index, all) => !(index === all.length - 1 && line === ''));
  const ours = new Set([ATTRIBUTES_COMMENT, ...ATTRIBUTES]);
  if (uninstall) {
    if (current === undefined || !lines.some((line) => ours.has(line))) return { path, action: 'unchanged' };
    const kept = lines.filter((line) => !ours.has(line));
    if (kept.every((line) => line.trim() === '')) {
      await unlink(path);
      return { path, action: 'removed' };
    }
    await writeFileAtomic(path, `${kept.join('\n')}\n`);
    return { path, action: 'updated' };
  }
  const missing = ATTRIBUTES.filter((line) => !lines.includes(line));
  if (missing.length === 0) return { path, action: 'unchanged' };
  const next = [...lines, ...(lines.includes(ATTRIBUTES_COMMENT) ? [] : [ATTRIBUTES_COMMENT]), ...missing];
  await writeFileAtomic(path, `${next.join('\n')}\n`);
  return { path, action: current === undefined ? 'created' : 'updated' };
}

async function setDriver(root: string, command: string, uninstall: boolean): Promise<GitSetupChange[]> {
  const key = `merge.${INDEX_MERGE_DRIVER}`;
  const current = (await runGit(root, ['config', '--local', '--get', `${key}.driver`])).stdout.toString('utf8').trim();
  if (uninstall) {
    if (current === '') return [{ path: `git config ${key}`, action: 'unchanged' }];
    await runGit(root, ['config', '--local', '--remove-section', key]);
    return [{ path: `git config ${key}`, action: 'removed' }];
  }
  const driver = `${command} git merge-index %O %A %B`;
  if (current === driver) return [{ path: `git config ${key}.driver`, action: 'unchanged' }];
  await gitText(
    root,
    ['config', '--local', `${key}.name`, 'mnemo: MEMORY.md is derived; merge it without conflicts'],
    'set the merge driver',
  );
  await gitText(root, ['config', '--local', `${key}.driver`, driver], 'set the merge driver');
  return [{ path: `git config ${key}.driver`, action: current === '' ? 'created' : 'updated' }];
}

/**
 * `mnemo git setup`: make a memory committed to its repository merge-friendly and safe. Creates
 * the root if needed (with the `.gitignore` that keeps `.state/` out), marks MEMORY.md for the
 * merge driver in the root's `.gitattributes`, registers the driver in the repository's config,
 * and adds mnemo's block to the post-merge, post-checkout and post-rewrite hooks (`mnemo git
 * sync`) and the pre-commit hook (`mnemo git pre-commit`). Idempotent; hooks the user had keep
 * their content (mnemo's lines are one marked block); `uninstall` removes exactly what setup added.
 */
export async function setupGit(options: GitSetupOptions): Promise<GitSetupReport> {
  const uninstall = options.uninstall === true;
  const changes: GitSetupChange[] = [];
  if (!uninstall) {
    const gitignore = rootPaths(options.root).gitignore;
    const before = await readOptional(gitignore);
    await initRoot(options.root);
    const after = await readOptional(gitignore);
    changes.push({ path: gitignore, action: before === after ? 'unchanged' : before === undefined ? 'created' : 'updated' });
  } else if (!existsSync(options.root)) {
    return { root: options.root, repository: '', hooksDir: '', command: options.command, uninstalled: true, changes };
  }
  const repository = await findRepository(options.root);
  const command = mnemoCommand(options);
  for (const hook of [...SYNC_HOOKS, CHECK_HOOK]) {
    changes.push(
      uninstall ? await uninstallHook(repository.hooksDir, hook) : await installHook(repository.hooksDir, hook, hookBody(hook, command)),
    );
  }
  changes.push(await setAttributes(options.root, uninstall));
  changes.push(...(await setDriver(options.root, command, uninstall)));
  return {
    root: options.root,
    repository: repository.topLevel,
    hooksDir: repository.hooksDir,
    command,
    uninstalled: uninstall,
    changes: changes.map((change) => ({
      ...change,
      path: change.path.startsWith('git config') ? change.path : relative(repository.topLevel, change.path) || change.path,
    })),
  };
}
