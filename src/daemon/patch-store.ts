import { existsSync } from 'node:fs';
import { copyFile, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MnemoError, errnoCode, makeDirectory, runProcess, writeFileAtomic, type ProcessRunner } from '../shared/index.js';
import { stateDirFor } from '../config/index.js';
import { daemonPaths } from './daemon-paths.js';
import { gitWithIdentity } from '../agent/index.js';

/** Where the daemon keeps its offered patches, the day's bounds and its worktrees. */
export interface PatchPaths {
  /** `<id>.json` (the record) and `<id>.patch` (`git diff --binary` against the commit it was made from). */
  dir: string;
  /** Attempts per signature, tokens used and the signatures given up on, for the current day (UTC). */
  ledger: string;
  /** The patch job under way (its worktree, the agent's process group), for the clean-up after a crash. */
  job: string;
  /** The patch jobs' git worktrees. */
  worktrees: string;
  /** Dropped patches, kept to be recovered. */
  trash: string;
}

export function patchPaths(root: string): PatchPaths {
  const daemon = daemonPaths(root).dir;
  const dir = join(daemon, 'patches');
  return {
    dir,
    ledger: join(dir, 'ledger.json'),
    job: join(daemon, 'patch-job.json'),
    worktrees: join(daemon, 'worktrees'),
    trash: join(stateDirFor(root), 'trash', 'daemon-patches'),
  };
}

/** A file a patch changes, with its git blob hashes at HEAD and in the user's tree when the job began (null: not there). */
export interface PatchFile {
  path: string;
  hashAtHead: string | null;
  /** What `apply` expects to find in the user's tree (their uncommitted change included). */
  hashBefore: string | null;
}

/** One verified patch, as `mnemo daemon patches` lists it. */
export interface PatchRecord {
  v: 1;
  id: string;
  /** The error signature it fixes (the first diagnostic's). */
  signature: string;
  /** The check that failed. */
  check: string;
  /** The first diagnostic, for people. */
  problem: string;
  /** The branch holding it as one commit on top of `base`. */
  branch: string;
  /** HEAD when the job began. */
  base: string;
  /** The commit holding the user's tree as the job found it (HEAD when nothing was uncommitted): the patch applies on it. */
  snapshot: string;
  /** The patch file, relative paths of the repository. */
  patchFile: string;
  files: PatchFile[];
  created: string;
  status: 'offered' | 'applied' | 'dropped';
  /** Who wrote it: `model <provider:id>` or `command <command>`. */
  agent: string;
  /** Every configured check, rerun in the worktree: all passed. */
  verification: { check: string; outcome: string; durationMs: number }[];
  /** The lesson the fix became (through the write discipline), when it was written. */
  lesson: string | undefined;
  applied: string | undefined;
  /** Where the repository's files are (its top level). */
  repo: string;
  /** Tokens the model used for it (0 for an external agent). */
  tokens: number;
}

/** The bounds of one day (UTC). */
export interface PatchLedger {
  day: string;
  attempts: Record<string, number>;
  gaveUp: string[];
  tokens: number;
  tokenCapNotified: boolean;
}

export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

export async function readLedger(path: string, day: string): Promise<PatchLedger> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as PatchLedger;
    if (value.day === day) return value;
  } catch {
    // none yet, or unreadable: a fresh day
  }
  return { day, attempts: {}, gaveUp: [], tokens: 0, tokenCapNotified: false };
}

export async function writeLedger(path: string, ledger: PatchLedger): Promise<void> {
  await makeDirectory(join(path, '..'));
  await writeFileAtomic(path, `${JSON.stringify(ledger, null, 2)}\n`);
}

const ID = /^p-[a-z0-9]{4,16}$/;

function recordPath(paths: PatchPaths, id: string): string {
  return join(paths.dir, `${id}.json`);
}

export async function writePatchRecord(paths: PatchPaths, record: PatchRecord): Promise<void> {
  await makeDirectory(paths.dir);
  await writeFileAtomic(recordPath(paths, record.id), `${JSON.stringify(record, null, 2)}\n`);
}

/** Every patch record (offered and applied), newest first; unreadable ones are skipped. */
export async function listPatches(paths: PatchPaths): Promise<PatchRecord[]> {
  const names = await readdir(paths.dir).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [] as string[];
    throw error;
  });
  const records: PatchRecord[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || !ID.test(name.slice(0, -5))) continue;
    try {
      const record = JSON.parse(await readFile(join(paths.dir, name), 'utf8')) as PatchRecord;
      if (record.v === 1) records.push(record);
    } catch {
      // half-written: skipped (writes are atomic, so only a foreign file gets here)
    }
  }
  return records.sort((a, b) => b.created.localeCompare(a.created));
}

export async function readPatch(paths: PatchPaths, id: string): Promise<PatchRecord> {
  if (!ID.test(id)) {
    throw new MnemoError('invalid-input', `"${id}" is not a patch id (they look like p-1a2b3c).`, {
      hint: 'See the ids with `mnemo daemon patches`.',
    });
  }
  try {
    return JSON.parse(await readFile(recordPath(paths, id), 'utf8')) as PatchRecord;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    throw new MnemoError('not-found', `There is no patch ${id}.`, { hint: 'See the offered patches with `mnemo daemon patches`.' });
  }
}

/** git with a fixed identity and no hooks (the agent's worktree git). */
export const git = gitWithIdentity;

/** The files of a patch whose content in the user's tree is no longer what it was at the patch's base. */
export async function changedSince(record: PatchRecord, run: ProcessRunner = runProcess): Promise<string[]> {
  const changed: string[] = [];
  for (const file of record.files) {
    const expected = file.hashBefore;
    const present = existsSync(join(record.repo, file.path));
    if (!present) {
      if (expected !== null) changed.push(file.path);
      continue;
    }
    if (expected === null) {
      changed.push(file.path);
      continue;
    }
    const hash = (await git(run, record.repo, ['hash-object', '--', file.path])).out.trim();
    if (hash !== expected) changed.push(file.path);
  }
  return changed;
}

/** What `apply` did. */
export interface ApplyResult {
  id: string;
  files: string[];
  /** `plain` (git apply) or `3way` (git apply --3way, after the plain one did not apply). */
  method: 'plain' | '3way';
}

/**
 * Apply an offered patch to the user's working tree: refused (nothing written) when a file it
 * touches changed since the patch was made, or when git cannot apply it; `git apply`, then
 * `git apply --3way` when the plain one does not fit.
 */
export async function applyPatch(paths: PatchPaths, id: string, options: { now: Date; run?: ProcessRunner }): Promise<ApplyResult> {
  const run = options.run ?? runProcess;
  const record = await readPatch(paths, id);
  if (record.status !== 'offered') {
    throw new MnemoError('invalid-input', `Patch ${id} is ${record.status}; only an offered patch can be applied.`, {
      hint: 'See the offered patches with `mnemo daemon patches`.',
    });
  }
  const changed = await changedSince(record, run);
  if (changed.length > 0) {
    throw new MnemoError(
      'write-refused',
      `Refused: ${changed.join(', ')} changed in your working tree since patch ${id} was made; nothing was applied.`,
      {
        hint: `Look at the patch (${join(paths.dir, record.patchFile)}) or its branch ${record.branch} (git diff ${record.snapshot} ${record.branch}), and apply it by hand, or drop it with \`mnemo daemon drop ${id}\`.`,
      },
    );
  }
  const file = join(paths.dir, record.patchFile);
  let method: ApplyResult['method'] = 'plain';
  if (!(await git(run, record.repo, ['apply', '--check', file], { allowFailure: true })).ok) {
    method = '3way';
    const threeWay = await git(run, record.repo, ['apply', '--3way', file], { allowFailure: true });
    if (!threeWay.ok) {
      throw new MnemoError(
        'write-refused',
        `Refused: git could not apply patch ${id}: ${threeWay.err.trim().split('\n').slice(0, 3).join(' ')}`,
        {
          hint: `Your tree may be left with conflict markers in ${record.files.map((item) => item.path).join(', ')} (git status shows them); the patch is on branch ${record.branch}.`,
        },
      );
    }
  } else await git(run, record.repo, ['apply', file]);
  await writePatchRecord(paths, { ...record, status: 'applied', applied: options.now.toISOString() });
  return { id, files: record.files.map((item) => item.path), method };
}

/** What `drop` did: where the recoverable copy is. */
export interface DropResult {
  id: string;
  branch: string;
  branchDeleted: boolean;
  /** The folder holding the record and the patch file (and the branch's commit, to recreate it). */
  trash: string;
}

/** Drop a patch: its branch is deleted, its record and patch file move to the trash (recoverable). */
export async function dropPatch(paths: PatchPaths, id: string, options: { now: Date; run?: ProcessRunner }): Promise<DropResult> {
  const run = options.run ?? runProcess;
  const record = await readPatch(paths, id);
  const tip = existsSync(record.repo)
    ? (await git(run, record.repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${record.branch}`], { allowFailure: true })).out.trim()
    : '';
  const folder = join(paths.trash, `${id}-${options.now.toISOString().replace(/[:.]/g, '-')}`);
  await makeDirectory(folder);
  const patchFile = join(paths.dir, record.patchFile);
  if (existsSync(patchFile)) await copyFile(patchFile, join(folder, record.patchFile));
  await writeFileAtomic(
    join(folder, `${id}.json`),
    `${JSON.stringify({ ...record, status: 'dropped', dropped: options.now.toISOString(), branchCommit: tip || undefined }, null, 2)}\n`,
  );
  let branchDeleted = false;
  if (tip !== '') branchDeleted = (await git(run, record.repo, ['branch', '-D', record.branch], { allowFailure: true })).ok;
  await rm(patchFile, { force: true });
  await rm(recordPath(paths, id), { force: true });
  return { id, branch: record.branch, branchDeleted, trash: folder };
}
