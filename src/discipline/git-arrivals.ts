import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanForInjection, type Severity } from '../guard/index.js';
import type { SearchIndex } from '../retrieval/index.js';
import { sha256 } from '../shared/index.js';
import { readManifest, recordArrivedInManifest } from './integrity-manifest.js';

export interface GitArrivals {
  /** Topics that changed through git, clean by the guard, now recorded as arrived (doctor and recall take them as written by mnemo). */
  arrived: string[];
  /** Topics that changed through git and carry what the guard flags: not recorded, so doctor lists them and recall screens them. */
  flagged: { file: string; findings: { rule: string; severity: Severity; message: string }[] }[];
  /**
   * Topics whose bytes are not the ones committed at HEAD (an uncommitted edit, a file git does
   * not track): they did not come through git, so they stay hand edits that doctor reports.
   */
  local: string[];
}

/**
 * Which of these topic files hold exactly the bytes committed at HEAD (file names inside the
 * root, `deploys.md`): only those can have come through git. Supplied by `src/git` (it asks git).
 */
export type CommittedCheck = (files: readonly { file: string; bytes: Buffer }[]) => Promise<ReadonlySet<string>>;

/**
 * After git changed the files (`mnemo git sync`): each topic whose hash is not the one in the
 * integrity manifest, and whose bytes are the ones committed at HEAD (`committed`), is scanned by
 * the guard, as `mnemo doctor` and recall's hand-edit screen would (purpose `topic`, medium and
 * high findings); clean ones are recorded as arrived through git, flagged ones are left
 * unrecorded. A topic that differs from HEAD (an edit made here and not committed) is no arrival:
 * it is left for doctor as the hand edit it is. Reads only the files whose hash differs (the
 * search index, just synced, knows every hash). Under the memory lock.
 */
export async function recordGitArrivals(root: string, search: SearchIndex, committed: CommittedCheck): Promise<GitArrivals> {
  await search.sync({ transcripts: false }); // a fresh clone's index may not know the files yet
  const manifest = await readManifest(root);
  const changed: { slug: string; file: string; bytes: Buffer }[] = [];
  for (const topic of search.catalog()) {
    if (!topic.readable) continue;
    const file = `${topic.slug}.md`;
    if (manifest?.files[file] === topic.hash) continue;
    try {
      changed.push({ slug: topic.slug, file, bytes: await readFile(join(root, file)) });
    } catch {
      continue;
    }
  }
  if (changed.length === 0) return { arrived: [], flagged: [], local: [] };
  const atHead = await committed(changed);
  const arrived: { slug: string; hash: string }[] = [];
  const flagged: GitArrivals['flagged'] = [];
  const local: string[] = [];
  for (const { slug, file, bytes } of changed) {
    if (!atHead.has(file)) {
      local.push(slug);
      continue;
    }
    const findings = scanForInjection(bytes.toString('utf8'), { purpose: 'topic' })
      .filter((finding) => finding.severity !== 'low')
      .map(({ rule, severity, message }) => ({ rule, severity, message }));
    if (findings.length > 0) flagged.push({ file, findings });
    else arrived.push({ slug, hash: sha256(bytes) });
  }
  await recordArrivedInManifest(root, arrived);
  return { arrived: arrived.map(({ slug }) => slug), flagged, local };
}
