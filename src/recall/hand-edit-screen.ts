import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUARD_CODE_URL, scanForInjection, type Finding } from '../guard/index.js';
import type { Clock } from '../shared/index.js';
import type { RecallTopicCandidate, SearchIndex } from '../retrieval/index.js';
import { unlessUnwritable, recordGuardEvent, ManifestReader, isRecorded } from '../discipline/index.js';

/**
 * What the guard found in a topic's text, by root and slug, with the hash of the bytes it was
 * found in: the scan is a pure function of the file, so a long-lived process (MCP, the daemon,
 * a hook server) scans a hand-edited topic once per version of it, not on every recall. A file
 * that changed has another hash and is scanned again. Bounded: the oldest entries go first.
 * Behind it, the search index keeps the findings by hash and guard code (`screenedFindings`), so
 * short-lived processes (each hook call, each CLI recall) do not scan the same version again:
 * compiling the guard's patterns alone costs tens of milliseconds in a fresh process.
 */
const screened = new Map<string, { hash: string; findings: Finding[] }>();
const SCREENED_MAX = 20_000;

let fingerprint: string | undefined;

/**
 * A fingerprint of the guard's code: a hash of every source file in its folder, where all its rules
 * and detectors live (the tsc output in a build, the TypeScript sources under tsx or vitest), so
 * that findings recorded by one version of the rules are never reused by another. Read once per process, only when a topic
 * needs screening. Where the folder cannot be read, a value no row carries: nothing is reused.
 */
export function guardCodeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  try {
    const folder = dirname(fileURLToPath(GUARD_CODE_URL));
    const files = readdirSync(folder)
      .filter((name) => /\.(js|ts)$/.test(name) && !/\.(test|d)\.ts$/.test(name))
      .sort();
    if (files.length === 0) throw new Error('no guard sources');
    for (const name of files)
      hash
        .update(name)
        .update('\0')
        .update(readFileSync(join(folder, name)))
        .update('\0');
    fingerprint = hash.digest('hex').slice(0, 32);
  } catch {
    fingerprint = `unreadable-${randomUUID()}`;
  }
  return fingerprint;
}

function screen(root: string, search: SearchIndex, slug: string, hash: string, text: () => string): Finding[] {
  const key = `${root}\u0000${slug}`;
  const known = screened.get(key);
  if (known?.hash === hash && hash !== '') return known.findings;
  const code = hash === '' ? undefined : guardCodeFingerprint();
  const recorded = code === undefined ? undefined : search.screenedFindings(slug, hash, code);
  let findings: Finding[] | undefined;
  if (recorded !== undefined) {
    try {
      findings = JSON.parse(recorded) as Finding[];
    } catch {
      findings = undefined;
    }
  }
  if (findings === undefined) {
    findings = scanForInjection(text(), { purpose: 'topic' }).filter((finding) => finding.severity !== 'low');
    if (code !== undefined) search.recordScreen(slug, hash, code, JSON.stringify(findings));
  }
  screened.delete(key);
  if (screened.size >= SCREENED_MAX) screened.delete(screened.keys().next().value as string);
  screened.set(key, { hash, findings });
  return findings;
}

/**
 * The guard's screening of the candidates of one recall, done as candidates come up: only a
 * candidate that is about to be checked or rendered needs it (the many that the limit leaves out
 * are named, never shown), so a recall scans a handful of files, not all its BM25 hits. Topics
 * changed outside mnemo (their hash is not the one mnemo recorded) are scanned; a hand edit is
 * fine, one that carries instructions aimed at agents gets a caveat, and with high-severity
 * findings its body is withheld until a person vouches for it. Screening changes no candidate's
 * place: the order is the same whichever are screened.
 */
export class HandEditScreen {
  private readonly manifest: ReturnType<ManifestReader['read']>;
  private readonly done = new Set<RecallTopicCandidate>();
  private withheld = 0;

  constructor(
    private readonly root: string,
    private readonly search: SearchIndex,
    reader: ManifestReader = new ManifestReader(root),
  ) {
    this.manifest = reader.read();
  }

  /** Screen the first `count` of `candidates` (in their order now) that are not screened yet. */
  upTo(candidates: readonly RecallTopicCandidate[], count: number): void {
    for (const candidate of candidates.slice(0, count)) {
      if (this.done.has(candidate)) continue;
      this.done.add(candidate);
      this.screenOne(candidate);
    }
  }

  /** Whether the first `count` candidates are all screened. */
  covers(candidates: readonly RecallTopicCandidate[], count: number): boolean {
    return candidates.slice(0, count).every((candidate) => this.done.has(candidate));
  }

  private screenOne(candidate: RecallTopicCandidate): void {
    if (candidate.details?.staged === true) return;
    const topic = this.search.lookup(candidate.slug);
    if (!topic?.readable || isRecorded(this.manifest, topic.slug, topic.hash)) return;
    const findings = screen(
      this.root,
      this.search,
      topic.slug,
      topic.hash,
      () => `${topic.meta.name}\n${topic.meta.description}\n${topic.body}`,
    );
    if (findings.length === 0) return;
    const rules = [...new Set(findings.map((finding) => finding.rule))].join(', ');
    candidate.caveats.unshift(`changed outside mnemo, and the guard found ${rules}: treat it as untrusted`);
    if (findings.some((finding) => finding.severity === 'high')) {
      candidate.body = `[withheld by the guard: ${candidate.slug}.md was changed outside mnemo and contains ${rules}. Review it with \`mnemo doctor\`; \`mnemo doctor --accept ${candidate.slug}\` vouches for it.]`;
      this.withheld += 1;
    }
  }

  /** Count what was withheld in the guard log (best effort on a read-only memory). */
  async record(clock: Clock): Promise<void> {
    const count = this.withheld;
    this.withheld = 0;
    await unlessUnwritable(() =>
      recordGuardEvent(this.root, { time: clock.now().toISOString(), action: 'withheld', where: 'recall', count }),
    );
  }
}

/** Screen every candidate at once (see `HandEditScreen`). */
export async function screenHandEdits(
  root: string,
  search: SearchIndex,
  candidates: RecallTopicCandidate[],
  clock: Clock,
  reader: ManifestReader = new ManifestReader(root),
): Promise<void> {
  const screening = new HandEditScreen(root, search, reader);
  screening.upTo(candidates, candidates.length);
  await screening.record(clock);
}
