import type { RecallTopicCandidate, SearchIndex } from '../retrieval/index.js';
import { readTopicFile, type StoredTopic, type TopicStatus } from '../store/index.js';
import type { EvidenceService } from '../discipline/index.js';

const STATUS_ORDER: Record<TopicStatus, number> = { active: 0, suspect: 1, superseded: 2, quarantined: 3 };

/**
 * Check on use: before topics are returned, the evidence of the first `count` candidates is
 * checked when due; each gets its age and verdict as caveats, contradicted ones become suspect
 * and sink, healed ones come back with their new body. Lessons matched by signature stay first.
 */
export async function checkCandidates(
  service: EvidenceService,
  root: string,
  candidates: RecallTopicCandidate[],
  count: number,
  search?: SearchIndex,
): Promise<void> {
  const chosen = candidates.filter((candidate) => candidate.details?.staged !== true).slice(0, count);
  const topics: StoredTopic[] = [];
  for (const candidate of chosen) {
    // From the index when the file is the one indexed (recall has just stat'ed its candidates); else read.
    const indexed = search?.storedTopic(candidate.slug);
    if (indexed) {
      topics.push(indexed);
      continue;
    }
    const read = await readTopicFile(root, candidate.slug);
    if (read.status === 'ok') topics.push(read.topic);
  }
  if (topics.length === 0) return;
  const report = await service.check(topics, { recordBestEffort: true });
  const bySlug = new Map(report.topics.map((outcome) => [outcome.slug, outcome]));
  for (const candidate of chosen) {
    const outcome = bySlug.get(candidate.slug);
    if (!outcome) continue;
    const lessonCaveats = candidate.caveats.filter((caveat) => caveat.startsWith('lesson:'));
    const guardCaveats = candidate.caveats.filter((caveat) => caveat.startsWith('changed outside mnemo'));
    const otherCaveats = candidate.caveats.filter(
      (caveat) => !caveat.startsWith('lesson:') && !caveat.startsWith('suspect:') && !guardCaveats.includes(caveat),
    );
    candidate.caveats = [...lessonCaveats, ...guardCaveats, ...outcome.caveats, ...otherCaveats];
    candidate.status = outcome.status;
    if (outcome.healed) candidate.body = outcome.body;
    candidate.details = {
      ...candidate.details,
      verdict: outcome.verdict?.status ?? null,
      checked: outcome.checked,
      healed: outcome.healed?.reasons ?? null,
      // From .state/verdicts/ (an older file's own `verified` counts until it is moved there).
      verified: outcome.verified,
    };
  }
  const lessonsFirst = (candidate: RecallTopicCandidate) => (candidate.caveats.some((caveat) => caveat.startsWith('lesson:')) ? 0 : 1);
  candidates.sort((a, b) => lessonsFirst(a) - lessonsFirst(b) || STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.score - a.score);
}
