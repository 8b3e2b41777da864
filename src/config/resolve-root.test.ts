import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { mainWorktreeOf, resolveRoot } from './resolve-root.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@mnemo.invalid', '-c', 'user.name=mnemo test', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

describe('resolveRoot in git worktrees', () => {
  let base: string;
  let main: string;
  let linked: string;

  beforeEach(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'mnemo-root-')));
    main = join(base, 'project');
    linked = join(base, 'project-feature');
    await mkdir(join(main, '.mnemo'), { recursive: true });
    await writeFile(join(main, '.mnemo', 'MEMORY.md'), '');
    await writeFile(join(main, 'README.md'), 'hi\n');
    git(main, 'init', '-q', '-b', 'main');
    git(main, 'add', '-A');
    git(main, 'commit', '-q', '-m', 'initial');
    git(main, 'worktree', 'add', '-q', '-b', 'feature', linked);
    await mkdir(join(linked, 'src'), { recursive: true });
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('finds the main worktree the way git rev-parse --git-common-dir does', () => {
    const common = git(linked, 'rev-parse', '--path-format=absolute', '--git-common-dir').trim();
    expect(mainWorktreeOf(linked)).toBe(dirname(common));
    expect(mainWorktreeOf(main)).toBeUndefined();
  });

  it('a linked worktree shares the main worktree’s memory by default, and checks evidence against its own files', () => {
    const resolved = resolveRoot({ cwd: join(linked, 'src'), env: {} });
    expect(resolved).toEqual({ root: join(main, '.mnemo'), via: 'main-worktree', worktree: linked });
    const loaded = loadConfig({ cwd: join(linked, 'src'), env: {} });
    expect(loaded.root).toBe(join(main, '.mnemo'));
    expect(loaded.workspace).toBe(linked);
    // the main worktree itself is unchanged
    expect(resolveRoot({ cwd: main, env: {} })).toEqual({ root: join(main, '.mnemo'), via: 'found' });
  });

  it('each worktree keeps its own memory with MNEMO_WORKTREES=own or "worktrees": "own"', async () => {
    expect(resolveRoot({ cwd: linked, env: { MNEMO_WORKTREES: 'own' } })).toEqual({ root: join(linked, '.mnemo'), via: 'found' });
    await writeFile(join(main, '.mnemo', 'mnemo.config.json'), JSON.stringify({ worktrees: 'own' }));
    expect(resolveRoot({ cwd: linked, env: {} }).root).toBe(join(linked, '.mnemo'));
    // the environment wins over the file
    expect(resolveRoot({ cwd: linked, env: { MNEMO_WORKTREES: 'shared' } }).root).toBe(join(main, '.mnemo'));
    // the key is part of the schema (its own root's file may say it too)
    await writeFile(join(linked, '.mnemo', 'mnemo.config.json'), JSON.stringify({ worktrees: 'own' }));
    expect(loadConfig({ cwd: linked, env: {} }).config.worktrees).toBe('own');
  });

  it('--dir and MNEMO_DIR still win in a worktree', () => {
    expect(resolveRoot({ cwd: linked, env: {}, dir: 'elsewhere' })).toEqual({ root: join(linked, 'elsewhere'), via: 'flag' });
    expect(resolveRoot({ cwd: linked, env: { MNEMO_DIR: '/tmp/x' } })).toEqual({ root: '/tmp/x', via: 'env' });
  });
});
