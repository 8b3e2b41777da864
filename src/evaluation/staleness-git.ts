import { execFile } from 'node:child_process';
import { MnemoError } from '../shared/index.js';

/**
 * Git as the staleness benchmark's source of truth: plain `git` child processes (never mnemo's
 * checkers), with a fixed identity and no pager, colors or quoting of paths.
 */
export function git(cwd: string, args: readonly string[], options: { allowFailure?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotePath=false', '-c', 'color.ui=false', '-c', 'advice.detachedHead=false', ...args],
      { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        // git grep exits 1 when nothing matched: an answer, not a failure.
        if (options.allowFailure) return resolve('');
        reject(new MnemoError('io', `git ${args.join(' ')} failed in ${cwd}: ${stderr.trim() || error.message}`, { cause: error }));
      },
    );
  });
}

/** The commit a ref names, in full; a clear usage error when it names none. */
export async function resolveCommit(repo: string, ref: string, flag: string): Promise<string> {
  const sha = (await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFailure: true })).trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new MnemoError('usage', `${flag} ${JSON.stringify(ref)} names no commit of ${repo}.`, {
      hint: 'Give a branch, tag or commit of that repository (see `git log`).',
    });
  }
  return sha;
}

/** The root of the repository holding `path`, or a usage error when it is not in one. */
export async function repositoryRoot(path: string): Promise<string> {
  const top = (await git(path, ['rev-parse', '--show-toplevel'], { allowFailure: true }).catch(() => '')).trim();
  if (top !== '') return top;
  const bare = (await git(path, ['rev-parse', '--is-bare-repository'], { allowFailure: true }).catch(() => '')).trim();
  if (bare === 'true') return path;
  throw new MnemoError('usage', `--repo ${path} is not a git repository.`, {
    hint: 'Give the folder of a git repository (any clone works).',
  });
}

/** First-parent commits after `from` up to `to`, oldest first. */
export async function commitsBetween(repo: string, from: string, to: string): Promise<string[]> {
  const out = await git(repo, ['rev-list', '--first-parent', '--reverse', `${from}..${to}`]);
  return out.split('\n').filter((line) => line !== '');
}

/** The commit `count` first-parent steps before `to`, or the first commit when the history is shorter. */
export async function commitBefore(repo: string, to: string, count: number): Promise<string> {
  const out = await git(repo, ['rev-list', '--first-parent', `--max-count=${count + 1}`, to]);
  const lines = out.split('\n').filter((line) => line !== '');
  return lines.at(-1) ?? to;
}

export interface PathChange {
  status: 'deleted' | 'renamed' | 'modified';
  /** The new path of a rename. */
  to?: string;
}

/** What happened to each path between two commits: `git diff --name-status --find-renames`. */
export async function pathChanges(repo: string, from: string, to: string): Promise<Map<string, PathChange>> {
  const out = await git(repo, ['diff', '--name-status', '--find-renames', '--no-ext-diff', from, to]);
  const changes = new Map<string, PathChange>();
  for (const line of out.split('\n')) {
    const [status = '', first = '', second] = line.split('\t');
    if (status.startsWith('R') && second !== undefined) changes.set(first, { status: 'renamed', to: second });
    else if (status === 'D') changes.set(first, { status: 'deleted' });
    else if (status === 'M' || status.startsWith('T')) changes.set(first, { status: 'modified' });
  }
  return changes;
}

/** The tracked files of a commit. */
export async function trackedFiles(repo: string, commit: string): Promise<string[]> {
  const out = await git(repo, ['ls-tree', '-r', '--name-only', commit]);
  return out.split('\n').filter((line) => line !== '');
}

/** A file's content at a commit, or undefined when the commit has no such file. */
export async function fileAt(repo: string, commit: string, path: string): Promise<string | undefined> {
  if (!(await existsAt(repo, commit, path))) return undefined;
  return git(repo, ['show', `${commit}:${path}`]);
}

/** Whether a commit holds a file at the path. */
export async function existsAt(repo: string, commit: string, path: string): Promise<boolean> {
  const type = (await git(repo, ['cat-file', '-t', `${commit}:${path}`], { allowFailure: true })).trim();
  return type === 'blob';
}

/** `git grep -E` at a commit: the matching lines as `{ path, line, text }`. */
export async function grepAt(
  repo: string,
  commit: string,
  pattern: string,
  pathspecs: readonly string[],
): Promise<{ path: string; text: string }[]> {
  const out = await git(repo, ['grep', '-I', '-n', '-E', '-e', pattern, commit, '--', ...pathspecs], { allowFailure: true });
  const prefix = `${commit}:`;
  const hits: { path: string; text: string }[] = [];
  for (const line of out.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const rest = line.slice(prefix.length);
    const match = /^(.*?):(\d+):(.*)$/.exec(rest);
    if (match) hits.push({ path: match[1] ?? '', text: match[3] ?? '' });
  }
  return hits;
}
