import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitRepo } from '../../test/helpers/git-repo.js';
import { tempDir } from '../../test/helpers/temp-root.js';
import { WorktreePool, cleanDeadWorktrees } from './worktree-pool.js';

const MB = 1024 * 1024;

async function repo(): Promise<{ repo: string; dir: string }> {
  const root = await tempDir();
  await gitRepo(root, {
    'greet.js': "exports.greet = (name) => 'Hi ' + name;\n",
    'src/util.js': 'exports.x = 1;\n',
    '.gitignore': '.mnemo/.state/\n',
  });
  return { repo: root, dir: join(root, '.mnemo', '.state', 'worktrees') };
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

describe('worktree pool', () => {
  it('checks out HEAD on its own branch, and on release returns the diff, keeps a branch with the commit and removes the worktree', async () => {
    const { repo: main, dir } = await repo();
    const pool = new WorktreePool({ dir, workspace: main, maxWorktrees: 4, maxBytes: 2048 * MB });
    const tree = await pool.acquire('a1');
    expect(tree.branch).toBe('mnemo/agent-a1');
    expect(await readFile(join(tree.workspace, 'greet.js'), 'utf8')).toContain("'Hi '");
    await writeFile(join(tree.workspace, 'greet.js'), 'exports.greet = (name) => `Hello, ${name}!`;\n');
    await writeFile(join(tree.workspace, 'new.txt'), 'made by a command\n');
    const changes = await pool.release(tree, 'sub-agent a1: fix the greeting');
    expect(changes.files.sort()).toEqual(['greet.js', 'new.txt']);
    expect(changes.diff).toContain('+exports.greet = (name) => `Hello, ${name}!`;');
    expect(changes.branch).toBe('mnemo/agent-a1');
    expect(existsSync(tree.path)).toBe(false);
    expect(git(main, 'worktree', 'list', '--porcelain')).not.toContain(tree.path);
    expect(git(main, 'log', '--format=%s', '-1', 'mnemo/agent-a1').trim()).toBe('sub-agent a1: fix the greeting');
    // the parent tree is untouched, and the diff applies to it
    expect(git(main, 'status', '--porcelain')).toBe('');
    expect(await readFile(join(main, 'greet.js'), 'utf8')).toContain("'Hi '");
    const patch = join(await tempDir(), 'changes.diff');
    await writeFile(patch, changes.diff);
    git(main, 'apply', '--check', patch);
  });

  it('deletes the branch of a worktree in which nothing changed', async () => {
    const { repo: main, dir } = await repo();
    const pool = new WorktreePool({ dir, workspace: join(main, 'src'), maxWorktrees: 4, maxBytes: 2048 * MB });
    const tree = await pool.acquire('b2');
    expect(tree.workspace).toBe(join(tree.path, 'src'));
    const changes = await pool.release(tree, 'nothing');
    expect(changes).toEqual({ branch: undefined, diff: '', files: [] });
    expect(git(main, 'branch', '--list', 'mnemo/*').trim()).toBe('');
  });

  it('refuses past the cap on live worktrees and on disk, saying which setting to raise', async () => {
    const { repo: main, dir } = await repo();
    const pool = new WorktreePool({ dir, workspace: main, maxWorktrees: 1, maxBytes: 2048 * MB });
    const first = await pool.acquire('c1');
    await expect(pool.acquire('c2')).rejects.toThrow(/1 worktree\(s\) are live and agent.subAgents.maxWorktrees is 1/);
    await pool.release(first, 'done');
    const tiny = new WorktreePool({ dir, workspace: main, maxWorktrees: 4, maxBytes: 10 });
    await expect(tiny.acquire('c3')).rejects.toThrow(/over agent.subAgents.worktreeMegabytes/);
    expect(existsSync(join(dir, 'c3'))).toBe(false);
  });

  it('refuses a workspace outside git with a clear error', async () => {
    const plain = await tempDir();
    const pool = new WorktreePool({ dir: join(plain, 'wt'), workspace: plain, maxWorktrees: 4, maxBytes: 2048 * MB });
    await expect(pool.acquire('d1')).rejects.toThrow(/needs a git repository/);
  });

  it("cleans a dead run's worktrees: unfinished changes are committed on the kept branch, empty branches go, live ones stay", async () => {
    const { repo: main, dir } = await repo();
    const dead = new WorktreePool({ dir, workspace: main, maxWorktrees: 4, maxBytes: 2048 * MB, pid: deadPid() });
    const dirty = await dead.acquire('e1');
    const clean = await dead.acquire('e2');
    await writeFile(join(dirty.workspace, 'greet.js'), 'half done\n');
    const live = await new WorktreePool({ dir, workspace: main, maxWorktrees: 4, maxBytes: 2048 * MB }).acquire('e3');
    const cleanup = await cleanDeadWorktrees(dir);
    expect(cleanup.removed.sort()).toEqual(['e1', 'e2']);
    expect(cleanup.keptBranches).toEqual(['mnemo/agent-e1']);
    expect(existsSync(dirty.path) || existsSync(clean.path)).toBe(false);
    expect(existsSync(live.path)).toBe(true);
    expect(git(main, 'show', 'mnemo/agent-e1:greet.js')).toBe('half done\n');
    expect(git(main, 'branch', '--list', 'mnemo/agent-e2').trim()).toBe('');
    // (by path: a commit hash in the listing may well contain "e1")
    const listed = git(main, 'worktree', 'list', '--porcelain');
    expect(listed).not.toContain(dirty.path);
    expect(listed).not.toContain(clean.path);
    expect(listed).toContain(live.path);
  });
});
