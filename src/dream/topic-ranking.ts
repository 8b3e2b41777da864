import type { TopicUsage } from '../discipline/index.js';
import type { TopicView } from './dream-plan.js';

function time(value: string | undefined): number {
  const parsed = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** The newest of a topic's updated and created times (0 when it has none). */
export function lastWritten(view: TopicView): number {
  return Math.max(time(view.meta.updated), time(view.meta.created));
}

export function verifiedTime(view: TopicView): number {
  return time(view.meta.verified);
}

/**
 * Which of two topics that state different values wins: an active one over a suspect one, then
 * the one verified more recently (a verified topic over an unverified one), then the one written
 * more recently. Returns the winner first, with the reason in words.
 */
export function settleConflict(a: TopicView, b: TopicView): { winner: TopicView; loser: TopicView; why: string } {
  const date = (value: number) => new Date(value).toISOString().slice(0, 10);
  if (a.meta.status !== b.meta.status && (a.meta.status === 'suspect' || b.meta.status === 'suspect')) {
    const [winner, loser] = a.meta.status === 'suspect' ? [b, a] : [a, b];
    return { winner, loser, why: `${loser.slug} is suspect (its evidence was contradicted); ${winner.slug} is not` };
  }
  const [va, vb] = [verifiedTime(a), verifiedTime(b)];
  if (va !== vb) {
    const [winner, loser] = va > vb ? [a, b] : [b, a];
    const loserVerified = verifiedTime(loser);
    return {
      winner,
      loser,
      why: `${winner.slug} was verified on ${date(verifiedTime(winner))}, ${loser.slug} ${loserVerified ? `on ${date(loserVerified)}` : 'never'}`,
    };
  }
  const [wa, wb] = [lastWritten(a), lastWritten(b)];
  const [winner, loser] = wa > wb || (wa === wb && a.slug < b.slug) ? [a, b] : [b, a];
  return {
    winner,
    loser,
    why:
      wa === wb
        ? `neither is verified or newer; ${winner.slug} kept by name order`
        : `${winner.slug} is more recent (${date(lastWritten(winner))} against ${date(lastWritten(loser))}), and neither is verified later`,
  };
}

/**
 * The survivor of a merge: the most used (recall hits), then the most recently verified, then
 * the most recently written, then the first by name.
 */
export function chooseSurvivor(views: readonly TopicView[], usage: ReadonlyMap<string, TopicUsage>): { survivor: TopicView; why: string } {
  const hits = (view: TopicView) => usage.get(view.slug)?.hits ?? 0;
  const sorted = [...views].sort(
    (a, b) => hits(b) - hits(a) || verifiedTime(b) - verifiedTime(a) || lastWritten(b) - lastWritten(a) || a.slug.localeCompare(b.slug),
  );
  const survivor = sorted[0] as TopicView;
  const runnerUp = sorted[1];
  let why = 'first by name';
  if (runnerUp && hits(survivor) > hits(runnerUp)) why = `most used (${hits(survivor)} recalls)`;
  else if (runnerUp && verifiedTime(survivor) > verifiedTime(runnerUp)) why = 'most recently verified';
  else if (runnerUp && lastWritten(survivor) > lastWritten(runnerUp)) why = 'most recently written';
  return { survivor, why };
}
