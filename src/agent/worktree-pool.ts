import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MnemoError, errnoCode, isProcessAlive, makeDirectory, runProcess, writeFileAtomic, type ProcessRunner } from '../shared/index.js';
import { createLimiter } from './concurrency-limiter.js';

/** How the worktrees of sub-agents (`isolation: "worktree"`) are kept. */
export interface WorktreePoolOptions {
  /** Where they live: `<memory root>/.state/worktrees` (ignored by git). */
  dir: string;
  /** The workspace whose repository is checked out (HEAD). */
  workspace: string;
  /** Most live worktrees, counting those of other live runs of the same memory. */
  maxWorktrees: number;
  /** Most bytes the live worktrees may take together (each estimated at the size of HEAD's files). */
  maxBytes: number;
  /** The process that owns the worktrees it makes (default: this one). */
  pid?: number;
  run?: ProcessRunner;
}

/** A live worktree: a checkout of HEAD on its own branch. */
export interface Worktree {
  id: string;
  /** The checkout's folder. */
  path: string;
  branch: string;
  /** The workspace inside the checkout (the same sub-folder as the workspace in its repository). */
  workspace: string;
  /** The repository's main working tree. */
  repo: string;
  /** The commit it was made from. */
  base: string;
}

/** What a worktree's sub-agent changed, once it is removed. */
export interface WorktreeChanges {
  /** The branch holding the changes as one commit; undefined (and the branch deleted) when nothing changed. */
  branch: string | undefined;
  /** `git diff --binary` of the changes against the base commit (apply with `git apply`). */
  diff: string;
  files: string[];
}

/** What a clean-up found of runs that ended without removing their worktrees. */
export interface WorktreeCleanup {
  removed: string[];
  /** Branches kept because they hold a dead run's unfinished changes (committed there, nothing lost). */
  keptBranches: string[];
}

interface OwnerRecord {
  id: string;
  pid: number;
  repo: string;
  path: string;
  branch: string;
  base: string;
  created: string;
}

const IDENTITY = [
  '-c',
  'user.name=mnemo',
  '-c',
  'user.email=mnemo@localhost',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'core.hooksPath=/dev/null',
];

/**
 * git as mnemo's own worktree jobs run it: a fixed identity, no signing and no hooks (the user's
 * hooks must not run in mnemo's worktrees); a failure is an error naming the command unless
 * `allowFailure`.
 */
export async function gitWithIdentity(
  run: ProcessRunner,
  cwd: string,
  args: readonly string[],
  options: { allowFailure?: boolean; input?: string } = {},
): Promise<{ ok: boolean; out: string; err: string }> {
  const outcome = await run('git', [...IDENTITY, ...args], {
    cwd,
    timeoutMs: 120_000,
    outputCapBytes: 32 * 1024 * 1024,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  const ok = outcome.exitCode === 0;
  if (!ok && options.allowFailure !== true) {
    throw new MnemoError(
      'io',
      `git ${args.join(' ')} failed in ${cwd}: ${(outcome.startError ?? outcome.stderrTail).trim() || `exit ${String(outcome.exitCode)}`}`,
    );
  }
  return { ok, out: outcome.stdoutTail, err: outcome.stderrTail };
}

const git = (run: ProcessRunner, cwd: string, args: readonly string[], allowFailure = false) =>
  gitWithIdentity(run, cwd, args, { allowFailure });

async function owners(dir: string): Promise<OwnerRecord[]> {
  const names = await readdir(dir).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [] as string[];
    throw error;
  });
  const records: OwnerRecord[] = [];
  for (const name of names.filter((item) => item.endsWith('.json'))) {
    try {
      records.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as OwnerRecord);
    } catch {
      // half-written by a run that died while writing it: its pid is unknown, so it counts as dead
      records.push({
        id: name.slice(0, -'.json'.length),
        pid: 0,
        repo: '',
        path: join(dir, name.slice(0, -'.json'.length)),
        branch: '',
        base: '',
        created: '',
      });
    }
  }
  return records;
}

/** Stage everything and say whether anything differs from the base commit. */
async function stagedChanges(run: ProcessRunner, path: string, base: string): Promise<{ files: string[]; diff: string }> {
  await git(run, path, ['add', '-A']);
  const files = (await git(run, path, ['diff', '--cached', '--name-only', base])).out.split('\n').filter((line) => line !== '');
  const diff = files.length === 0 ? '' : (await git(run, path, ['diff', '--cached', '--binary', base])).out;
  return { files, diff };
}

async function removeCheckout(run: ProcessRunner, repo: string, path: string): Promise<void> {
  if (repo !== '' && existsSync(repo)) await git(run, repo, ['worktree', 'remove', '--force', path], true);
  await rm(path, { recursive: true, force: true });
  if (repo !== '' && existsSync(repo)) await git(run, repo, ['worktree', 'prune'], true);
}

/**
 * Remove what runs that are no longer alive left in `dir` (a SIGKILL, a crash): their worktrees
 * go; unfinished changes are committed on the run's branch first, which is kept, so nothing is
 * lost; a branch with nothing on it is deleted.
 */
export async function cleanDeadWorktrees(dir: string, run: ProcessRunner = runProcess): Promise<WorktreeCleanup> {
  const cleanup: WorktreeCleanup = { removed: [], keptBranches: [] };
  for (const owner of await owners(dir)) {
    if (isProcessAlive(owner.pid)) continue;
    const path = join(dir, owner.id);
    let kept = false;
    if (owner.repo !== '' && existsSync(owner.repo)) {
      if (existsSync(join(path, '.git'))) {
        const changes = await stagedChanges(run, path, owner.base).catch(() => ({ files: [] as string[], diff: '' }));
        if (changes.files.length > 0) {
          kept = (
            await git(
              run,
              path,
              ['commit', '-q', '--no-verify', '-m', `mnemo: unfinished work of sub-agent ${owner.id} (its run, pid ${owner.pid}, ended)`],
              true,
            )
          ).ok;
        }
      }
      await removeCheckout(run, owner.repo, path);
      if (!kept && owner.branch !== '') {
        const tip = await git(run, owner.repo, ['rev-parse', '--verify', '--quiet', owner.branch], true);
        if (tip.ok && tip.out.trim() !== owner.base) kept = true;
        else if (tip.ok) await git(run, owner.repo, ['branch', '-D', owner.branch], true);
      }
    } else await rm(path, { recursive: true, force: true });
    await rm(join(dir, `${owner.id}.json`), { force: true });
    cleanup.removed.push(owner.id);
    if (kept) cleanup.keptBranches.push(owner.branch);
  }
  return cleanup;
}

/**
 * Fresh git worktrees of HEAD for sub-agents, one per sub-agent, on a branch `mnemo/agent-<id>`,
 * capped in number and disk. Each has an owner file (`<id>.json`, with this process's pid), so
 * the next run removes what a dead one left ({@link cleanDeadWorktrees}). Git operations run one
 * at a time: several sub-agents acquire and release at once.
 */
export class WorktreePool {
  private readonly run: ProcessRunner;
  private readonly serial = createLimiter(1);
  private headBytes: number | undefined;

  constructor(private readonly options: WorktreePoolOptions) {
    this.run = options.run ?? runProcess;
  }

  private async repository(): Promise<{ repo: string; prefix: string; base: string }> {
    const top = await git(this.run, this.options.workspace, ['rev-parse', '--show-toplevel'], true);
    if (!top.ok) {
      throw new MnemoError(
        'invalid-input',
        `isolation "worktree" needs a git repository, and the workspace ${this.options.workspace} is not in one.`,
        {
          hint: 'Run the sub-agent with isolation "none", or make the workspace a git repository (git init, then commit).',
        },
      );
    }
    const head = await git(this.run, this.options.workspace, ['rev-parse', '--verify', '--quiet', 'HEAD'], true);
    if (!head.ok) {
      throw new MnemoError('invalid-input', 'isolation "worktree" checks out HEAD, and the repository has no commit yet.', {
        hint: 'Commit once (git commit), or run the sub-agent with isolation "none".',
      });
    }
    const prefix = (await git(this.run, this.options.workspace, ['rev-parse', '--show-prefix'])).out.trim().replace(/\/+$/, '');
    return { repo: top.out.trim(), prefix, base: head.out.trim() };
  }

  private async estimateBytes(repo: string): Promise<number> {
    if (this.headBytes !== undefined) return this.headBytes;
    const listing = (await git(this.run, repo, ['ls-tree', '-r', '-l', 'HEAD'])).out;
    let bytes = 0;
    for (const line of listing.split('\n')) {
      const size = Number(line.split(/\s+/)[3]);
      if (Number.isFinite(size)) bytes += size;
    }
    this.headBytes = bytes;
    return bytes;
  }

  /** A new worktree; refuses (MnemoError `write-refused`) past the caps, saying which and what to do. */
  acquire(id: string): Promise<Worktree> {
    return this.serial(async () => {
      const { dir, maxWorktrees, maxBytes } = this.options;
      const { repo, prefix, base } = await this.repository();
      const live = (await owners(dir)).filter((owner) => isProcessAlive(owner.pid));
      if (live.length >= maxWorktrees) {
        throw new MnemoError(
          'write-refused',
          `Refused: ${live.length} worktree(s) are live and agent.subAgents.maxWorktrees is ${maxWorktrees}.`,
          {
            hint: 'Wait for a sub-agent in a worktree to finish, run this one with isolation "none", or raise agent.subAgents.maxWorktrees in mnemo.config.json.',
          },
        );
      }
      const each = await this.estimateBytes(repo);
      if ((live.length + 1) * each > maxBytes) {
        const megabytes = (bytes: number) => Math.ceil(bytes / (1024 * 1024));
        throw new MnemoError(
          'write-refused',
          `Refused: another worktree (~${megabytes(each)} MB) would take the live worktrees to ~${megabytes((live.length + 1) * each)} MB, over agent.subAgents.worktreeMegabytes (${megabytes(maxBytes)} MB).`,
          {
            hint: 'Run this sub-agent with isolation "none", wait for another to finish, or raise agent.subAgents.worktreeMegabytes.',
          },
        );
      }
      await makeDirectory(dir);
      const path = join(dir, id);
      const branch = `mnemo/agent-${id}`;
      const owner: OwnerRecord = { id, pid: this.options.pid ?? process.pid, repo, path, branch, base, created: new Date().toISOString() };
      // the owner file first: a run killed during `worktree add` still leaves something the next run can clean
      await writeFileAtomic(join(dir, `${id}.json`), `${JSON.stringify(owner)}\n`);
      try {
        await git(this.run, repo, ['worktree', 'add', '-q', '-b', branch, path, base]);
      } catch (error) {
        await removeCheckout(this.run, repo, path);
        await git(this.run, repo, ['branch', '-D', branch], true);
        await rm(join(dir, `${id}.json`), { force: true });
        throw error;
      }
      return { id, path, branch, workspace: prefix === '' ? path : join(path, prefix), repo, base };
    });
  }

  /**
   * Remove a worktree: its changes (all of them, also those a command made) become one commit on
   * its branch and a diff; without changes the branch is deleted too.
   */
  release(worktree: Worktree, message: string): Promise<WorktreeChanges> {
    return this.serial(async () => {
      let changes: { files: string[]; diff: string } = { files: [], diff: '' };
      let branch: string | undefined;
      try {
        changes = await stagedChanges(this.run, worktree.path, worktree.base);
        if (changes.files.length > 0) {
          await git(this.run, worktree.path, ['commit', '-q', '--no-verify', '-m', message]);
          branch = worktree.branch;
        }
      } finally {
        await removeCheckout(this.run, worktree.repo, worktree.path);
        if (branch === undefined) await git(this.run, worktree.repo, ['branch', '-D', worktree.branch], true);
        await rm(join(this.options.dir, `${worktree.id}.json`), { force: true });
      }
      return { branch, diff: changes.diff, files: changes.files };
    });
  }
}
