import { copyFile, mkdir, readdir, rename, unlink } from 'node:fs/promises';
import {
  pendingTombstones,
  listTranscriptFindings,
  readManifest,
  recordInManifest,
  type TranscriptFinding,
  type TombstonePruning,
  type IndexProblem,
  type MemoryWriter,
} from '../discipline/index.js';
import { join } from 'node:path';
import { scanForInjection, type Severity } from '../guard/index.js';
import type { SearchIndex } from '../retrieval/index.js';
import { isProcessAlive, readLockOwner, sha256 } from '../shared/index.js';
import { INDEX_FILE, listTopicFiles, rootPaths } from '../store/index.js';
import { readFile } from 'node:fs/promises';
import { findGitConflicts, type GitConflict } from './git-conflicts.js';

export interface HandEdit {
  file: string;
  /** changed: differs from what mnemo wrote; unrecorded: mnemo never wrote it; missing: mnemo wrote it, it is gone. */
  status: 'changed' | 'unrecorded' | 'missing';
  findings: { rule: string; severity: Severity; message: string }[];
  accepted: boolean;
  /**
   * MEMORY.md only: `--fix` rendered it again, so the hand edit no longer stands (its findings are
   * those of the file as it is now); the hand-edited copy was kept at `keptAt`.
   */
  repaired?: boolean;
  keptAt?: string;
}

export interface DoctorReport {
  handEdits: HandEdit[];
  unreadable: { file: string; error: string }[];
  index: { problems: IndexProblem[]; repaired: boolean };
  /** Locks held by dead processes: removed with `fix`, else what would be removed. */
  staleLocksRemoved: string[];
  /** Temp files left by a crash: moved to the trash with `fix`, else what would be moved. */
  strayFilesMoved: string[];
  /** Transcript turns the guard flagged (withheld from recall when high); they need no repair, only a look. */
  transcriptFindings: TranscriptFinding[];
  /**
   * A memory shared through git: files a merge left with conflict markers (unreadable until
   * resolved), and topics a tombstone from another clone retires (`retired` with `fix`, else
   * `pending`: what `--fix` would retire), and tombstones older than `tombstones.keepDays`
   * (`pruned` with `fix`, else what `--fix` would prune; `kept`: old ones still needed, and why).
   */
  git: { conflicts: GitConflict[]; tombstones: { pending: string[]; retired: string[] } & { old: TombstonePruning } };

  /** Whether the repairs were made (`fix`) or only said. */
  fixed: boolean;
  /** What `--fix` would change (empty when it was given, or when nothing needs it). */
  wouldChange: string[];
  /** False when something needs a person: unreadable files, hand edits with findings not accepted, index problems left. */
  ok: boolean;
}

export interface DoctorOptions {
  /** Slugs (or `MEMORY.md`) whose current content a person vouches for; `true`: all of them. */
  accept?: readonly string[] | true;
  /** Make the repairs (index, stale locks, stray temp files); without it doctor only says what it would change. */
  fix?: boolean;
}

/** Copy MEMORY.md as it is into `.state/trash/` before a repair replaces it; the copy's path. */
async function keepIndexCopy(root: string): Promise<string | undefined> {
  const paths = rootPaths(root);
  const target = join(paths.trash, `${new Date().toISOString().replace(/[-:.]/g, '')}-${INDEX_FILE}`);
  try {
    await mkdir(paths.trash, { recursive: true });
    await copyFile(join(root, INDEX_FILE), target);
    return target;
  } catch {
    return undefined;
  }
}

/**
 * `mnemo doctor`: report what changed outside mnemo (re-scanned by the guard), unreadable files and
 * index problems, and with `fix` repair what is safe: the index, locks held by dead processes,
 * temp files left by a crash (moved to the trash, not deleted). Without `fix` it changes nothing
 * and lists what it would change.
 */
export async function runDoctor(
  dependencies: { root: string; writer: MemoryWriter; search: SearchIndex },
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const { root, writer, search } = dependencies;
  const fix = options.fix === true;
  const paths = rootPaths(root);
  const wouldChange: string[] = [];
  const staleLocksRemoved: string[] = [];
  for (const name of await readdir(paths.locks).catch(() => [] as string[])) {
    if (!name.endsWith('.lock') || name === 'memory.lock') continue;
    const owner = await readLockOwner(join(paths.locks, name));
    if (owner !== undefined && !isProcessAlive(owner.pid)) {
      if (fix) await unlink(join(paths.locks, name)).catch(() => undefined);
      else wouldChange.push(`remove the lock ${name} (its process is gone)`);
      staleLocksRemoved.push(name);
    }
  }
  return writer.locked(
    'doctor',
    async () => {
      const strayFilesMoved: string[] = [];
      const tombstones = { pending: [] as string[], retired: [] as string[] };
      if (fix) tombstones.retired = await writer.applyTombstonesLocked();
      else if (!writer.keptInPlace) {
        for (const { tombstone, file } of await pendingTombstones(root)) {
          tombstones.pending.push(tombstone.slug);
          wouldChange.push(`retire ${tombstone.slug}.md: tombstones/${file} says it was retired (${tombstone.by}) on another clone`);
        }
      }
      const old = await writer.pruneTombstonesLocked({ dryRun: !fix });
      if (!fix) {
        for (const { file, time } of old.pruned) wouldChange.push(`prune tombstones/${file} (written ${time}; a copy stays in the trash)`);
      }
      const conflicts = await findGitConflicts(root);
      for (const name of await readdir(root)) {
        if (!/\.md\.\d+$/.test(name)) continue;
        const target = join(paths.trash, `stray-${name}`);
        if (fix) await rename(join(root, name), target).catch(() => undefined);
        else wouldChange.push(`move ${name} (a temp file left by a crash) to the trash`);
        strayFilesMoved.push(name);
      }
      // The full scan: doctor is where changes no stamp shows are looked for.
      await search.sync({ full: true });
      const unreadable = search.catalog().flatMap((topic) => (topic.readable ? [] : [{ file: `${topic.slug}.md`, error: topic.error }]));
      const manifest = await readManifest(root);
      const { files } = await listTopicFiles(root);
      const handEdits: HandEdit[] = [];
      const present = new Set<string>();
      for (const file of [...files.map((entry) => `${entry.slug}.md`), INDEX_FILE]) {
        present.add(file);
        let text: Buffer;
        try {
          text = await readFile(join(root, file));
        } catch {
          continue;
        }
        const recorded = manifest?.files[file];
        if (recorded === sha256(text)) continue;
        if (file === INDEX_FILE && recorded === undefined) continue;
        const findings = scanForInjection(text.toString('utf8'), { purpose: 'topic' })
          .filter((finding) => finding.severity !== 'low')
          .map(({ rule, severity, message }) => ({ rule, severity, message }));
        handEdits.push({ file, status: recorded === undefined ? 'unrecorded' : 'changed', findings, accepted: false });
      }
      for (const file of Object.keys(manifest?.files ?? {})) {
        if (!present.has(file)) handEdits.push({ file, status: 'missing', findings: [], accepted: false });
      }
      const accept = options.accept;
      const accepted = handEdits.filter(
        (edit) =>
          edit.file !== INDEX_FILE && (accept === true || (accept ?? []).some((slug) => `${slug.replace(/\.md$/, '')}.md` === edit.file)),
      );
      if (accepted.length > 0) {
        await recordInManifest(
          root,
          accepted.map((edit) => edit.file.slice(0, -3)),
        );
        for (const edit of accepted) edit.accepted = true;
      }
      let check = await writer.checkIndex();
      const problems = check.problems;
      let repaired = false;
      if (!check.ok && fix) {
        const indexEdit = handEdits.find((edit) => edit.file === INDEX_FILE);
        // The hand-edited index is derived, yet a person wrote into it: keep a recoverable copy.
        const keptAt = indexEdit ? await keepIndexCopy(root) : undefined;
        await writer.renderIndexLocked();
        check = await writer.checkIndex();
        repaired = check.ok;
        if (indexEdit && repaired) {
          // What the guard found was in the lines the render replaced; judge the file as it is now.
          const now = await readFile(join(root, INDEX_FILE), 'utf8').catch(() => '');
          indexEdit.findings = scanForInjection(now, { purpose: 'topic' })
            .filter((finding) => finding.severity !== 'low')
            .map(({ rule, severity, message }) => ({ rule, severity, message }));
          indexEdit.repaired = true;
          if (keptAt !== undefined) indexEdit.keptAt = keptAt;
        }
      } else if (!check.ok) {
        wouldChange.push(
          writer.keptInPlace
            ? 'update MEMORY.md in place: add a line for each topic without one, drop lines of topics that are gone (every other line stays as written)'
            : 'render MEMORY.md again from the topics',
        );
      }
      const needsPerson = handEdits.some((edit) => !edit.accepted && edit.findings.length > 0);
      return {
        handEdits,
        unreadable,
        index: { problems, repaired },
        staleLocksRemoved,
        strayFilesMoved,
        transcriptFindings: await listTranscriptFindings(root),
        git: { conflicts, tombstones: { ...tombstones, old } },

        fixed: fix,
        wouldChange,
        ok: unreadable.length === 0 && !needsPerson && check.ok && conflicts.length === 0 && tombstones.pending.length === 0,
      };
    },
    { applyTombstones: false },
  );
}
