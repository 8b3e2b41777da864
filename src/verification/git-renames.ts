import { stat } from 'node:fs/promises';
import type { CheckContext } from './check-context.js';
import { gitFailure, runGit } from './git-runner.js';
import { resolveWorkspacePath } from './workspace-path.js';

export interface RenamedPath {
  /** Where the file is now (workspace-relative). */
  path: string;
  /** The commits that renamed it, oldest first; `staged` for a rename not committed yet. */
  via: string[];
}

interface Rename {
  from: string;
  to: string;
  commit: string;
}

/** Commits of history searched for renames. */
const HISTORY_DEPTH = 300;

function parseRenames(output: string, commitPrefix: string | undefined): Rename[] {
  const renames: Rename[] = [];
  let commit = commitPrefix ?? '';
  for (const line of output.split('\n')) {
    const header = /^commit ([0-9a-f]{7,64})$/.exec(line);
    if (header) {
      commit = header[1] ?? '';
      continue;
    }
    const rename = /^R\d*\t([^\t"]+)\t([^\t"]+)$/.exec(line);
    if (rename && rename[1] && rename[2]) renames.push({ from: rename[1], to: rename[2], commit });
  }
  return renames;
}

async function existsInWorkspace(context: CheckContext, path: string): Promise<boolean> {
  const resolved = await resolveWorkspacePath(context.workspace, path);
  if (!resolved.ok) return false;
  return stat(resolved.absolute).then(
    () => true,
    () => false,
  );
}

/**
 * Where git says a file went: committed renames (`git log -M --diff-filter=R`, newest
 * ${HISTORY_DEPTH} commits) followed in order, then renames staged with `git mv`. Paths are
 * relative to the workspace. Undefined when git knows no rename, or the final path is gone too.
 */
export async function findRenamedPath(context: CheckContext, path: string): Promise<RenamedPath | undefined> {
  const start = path.replace(/^\.\//, '');
  const history = await runGit(context, [
    '-c',
    'core.quotePath=false',
    'log',
    '--relative',
    '-M',
    '--diff-filter=R',
    '--name-status',
    '--format=commit %H',
    '-n',
    String(HISTORY_DEPTH),
  ]);
  if (gitFailure(history) !== undefined || history.exitCode !== 0) return undefined;
  const staged = await runGit(context, [
    '-c',
    'core.quotePath=false',
    'diff',
    '--relative',
    '--cached',
    '-M',
    '--diff-filter=R',
    '--name-status',
  ]);
  const renames = [
    ...parseRenames(history.stdoutTail, undefined).reverse(),
    ...(gitFailure(staged) === undefined && staged.exitCode === 0 ? parseRenames(staged.stdoutTail, 'staged') : []),
  ];
  let current = start;
  const via: string[] = [];
  for (const rename of renames) {
    if (rename.from !== current) continue;
    current = rename.to;
    via.push(rename.commit);
  }
  if (current === start || !(await existsInWorkspace(context, current))) return undefined;
  return { path: current, via };
}

/** The text of a file as git last knew it (HEAD, else the parent of the commit that removed it). */
export async function lastKnownContent(context: CheckContext, path: string): Promise<string | undefined> {
  const atHead = await runGit(context, ['show', `HEAD:./${path}`]);
  if (gitFailure(atHead) === undefined && atHead.exitCode === 0) return atHead.stdoutTail;
  const removal = await runGit(context, ['log', '-1', '--format=%H', '--', path]);
  const commit = removal.exitCode === 0 ? removal.stdoutTail.trim() : '';
  if (!/^[0-9a-f]{7,64}$/.test(commit)) return undefined;
  const before = await runGit(context, ['show', `${commit}^:./${path}`]);
  return gitFailure(before) === undefined && before.exitCode === 0 ? before.stdoutTail : undefined;
}
