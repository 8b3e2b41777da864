import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_MS, batchContents, runGit, sha256 } from '../shared/index.js';
import { readTopicFile } from '../store/index.js';
import type { ChangeSet } from './change-set.js';
import { TOMBSTONES_DIR, readTombstoneFiles, tombstoneMatches, type FoundTombstone, type TombstoneFile } from './tombstone-files.js';

/** Tombstones old enough to go: those pruned (or that `--fix` would prune), and those kept with why. */
export interface TombstonePruning {
  pruned: { file: string; slug: string; time: string }[];
  kept: { file: string; slug: string; reason: string }[];
}

/** Where the trash keeps a pruned tombstone, relative to `.state/`. */
export function prunedTombstonePath(file: string): string {
  return `trash/${TOMBSTONES_DIR}/${file}`;
}

/** Whether file bytes are the topic a tombstone retired (its id in them, or for a topic without an id, the same bytes). */
function holdsRetired(tombstone: TombstoneFile, bytes: Buffer): boolean {
  if (tombstone.id !== undefined) return bytes.toString('utf8').includes(tombstone.id); // conservative: kept when in doubt
  return tombstone.hash !== null && sha256(bytes) === tombstone.hash;
}


/**
 * For each candidate, a branch of the repository holding the root (a local branch, a
 * remote-tracking branch or HEAD) whose tree still has the topic the tombstone retired: merging
 * that branch would bring the topic back without its tombstone. Nothing outside a repository.
 * Three git processes whatever the number of candidates.
 */
async function branchesHolding(root: string, candidates: readonly FoundTombstone[]): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  const where = await runGit(root, ['rev-parse', '--show-prefix']);
  if (where.code !== 0) return holders;
  const prefix = where.stdout.toString('utf8').trim();
  const listed = await runGit(root, ['for-each-ref', '--format=%(refname:short)', 'refs/heads', 'refs/remotes']);
  const refs = [
    'HEAD',
    ...listed.stdout
      .toString('utf8')
      .split('\n')
      .filter((ref) => ref !== '' && !ref.endsWith('/HEAD')),
  ];
  const requests = candidates.flatMap((entry) => refs.map((ref) => ({ entry, ref, name: `${ref}:${prefix}${entry.tombstone.slug}.md` })));
  if (requests.length === 0) return holders;
  const output = await runGit(root, ['cat-file', '--batch'], `${requests.map((request) => request.name).join('\n')}\n`);
  const contents = batchContents(output.stdout, requests.length);
  requests.forEach(({ entry, ref }, index) => {
    const bytes = contents[index];
    if (bytes !== undefined && !holders.has(entry.file) && holdsRetired(entry.tombstone, bytes)) holders.set(entry.file, ref);
  });
  return holders;
}

/**
 * The tombstones that may be pruned now: older than `keepDays` (by the time they say they were
 * written), whose topic is not in the folder here (then it is retired first), and that no branch
 * known to this clone still holds (merging it would bring the topic back). What no clone can know
 * is a clone that has been away longer than `keepDays` with its own edit of the topic: that one
 * brings it back. `keepDays: null` never prunes.
 */
export async function planTombstonePruning(
  root: string,
  options: { now: Date; keepDays: number | null },
): Promise<TombstonePruning & { changes: ChangeSet | undefined }> {
  const none = { pruned: [], kept: [], changes: undefined };
  if (options.keepDays === null) return none;
  const cutoff = options.now.getTime() - options.keepDays * DAY_MS;
  const old = (await readTombstoneFiles(root)).found.filter((entry) => {
    const time = Date.parse(entry.tombstone.time);
    return Number.isFinite(time) && time <= cutoff;
  });
  if (old.length === 0) return none;
  const kept: TombstonePruning['kept'] = [];
  const absent: FoundTombstone[] = [];
  for (const entry of old) {
    if (
      tombstoneMatches(
        entry.tombstone,
        await readTopicFile(root, entry.tombstone.slug).catch(() => ({ status: 'missing' as const, slug: entry.tombstone.slug })),
      )
    ) {
      kept.push({ file: entry.file, slug: entry.tombstone.slug, reason: `${entry.tombstone.slug}.md is still here (it is retired first)` });
    } else absent.push(entry);
  }
  const holders = await branchesHolding(root, absent);
  const prune: FoundTombstone[] = [];
  for (const entry of absent) {
    const ref = holders.get(entry.file);
    if (ref === undefined) prune.push(entry);
    else
      kept.push({
        file: entry.file,
        slug: entry.tombstone.slug,
        reason: `the branch ${ref} still has ${entry.tombstone.slug}.md: merging it would bring it back`,
      });
  }
  if (prune.length === 0) return { pruned: [], kept, changes: undefined };
  const state = await Promise.all(
    prune.map(async (entry) => ({
      path: prunedTombstonePath(entry.file),
      content: await readFile(join(root, TOMBSTONES_DIR, entry.file), 'utf8'),
    })),
  );
  return {
    pruned: prune.map((entry) => ({ file: entry.file, slug: entry.tombstone.slug, time: entry.tombstone.time })),
    kept,
    changes: {
      reason: 'prune tombstones',
      writes: [],
      removals: [],
      audit: prune.map((entry) => ({
        action: 'tombstone-pruned',
        slug: entry.tombstone.slug,
        id: entry.tombstone.id,
        actor: 'mnemo',
        reason: `tombstones/${entry.file} is older than ${options.keepDays} days`,
        details: { tombstone: entry.file, copy: `.state/${prunedTombstonePath(entry.file)}` },
      })),
      state,
      tombstones: prune.map((entry) => ({ file: entry.file, content: null })),
    },
  };
}
