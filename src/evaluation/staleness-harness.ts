import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openMemory, type Memory } from '../app/index.js';
import { HOUR_MS, MnemoError, createManualClock, silentLogger } from '../shared/index.js';
import { claimFromTopic, describeClaim, topicFor, type Claim, type EvidenceMode, type FactKind } from './staleness-claims.js';
import { chooseFacts, type StalenessFact } from './staleness-facts.js';
import { commitBefore, commitsBetween, git, repositoryRoot, resolveCommit } from './staleness-git.js';
import { GitTruth, sameClaim, type Truth } from './staleness-truth.js';

export interface StalenessBenchOptions {
  /** Any folder of a git repository; it is only read (a temporary worktree is added and removed). */
  repo: string;
  /** Where the facts are written; default 50 first-parent commits before `to` (or the first commit). */
  from?: string;
  /** The last commit stepped to; default HEAD. */
  to?: string;
  /** Check every k-th commit (the last one always). Default 1. */
  step?: number;
  /** Facts written. Default 40. */
  facts?: number;
  seed?: number;
  /** These facts instead of a random choice (tests, reproducing a run). */
  factList?: readonly StalenessFact[];
  onProgress?: (message: string) => void;
}

/** What mnemo did with a fact at a step: said nothing, flagged it (contradicted, suspect), or healed it. */
export type MnemoOutcome = 'fine' | 'flagged' | 'healed';
export type ScoredResult = 'ok' | 'false-alarm' | 'caught' | 'missed';

/** One fact at one step. */
export interface StalenessObservation {
  step: number;
  commit: string;
  fact: string;
  kind: FactKind;
  mode: EvidenceMode;
  /** What the topic claimed before this step. */
  claim: string;
  truth: Truth['state'];
  change?: 'renamed' | 'moved' | 'value' | 'version';
  /** The new truth (for `changed`). */
  now?: string;
  ambiguous: boolean;
  outcome: MnemoOutcome;
  result: ScoredResult;
  /** For healed stale facts: whether the healed topic says what git says now. */
  healed?: 'right' | 'wrong';
  /** What the healed topic says. */
  healedTo?: string;
  /** The fact's own recall returned its topic. */
  recalled: boolean;
  /** What mnemo said about it (the last caveats seen). */
  caveats: string[];
}

export interface StalenessRun {
  repo: string;
  from: string;
  to: string;
  step: number;
  seed: number;
  /** The commits checked, oldest first. */
  commits: string[];
  facts: { id: string; kind: FactKind; mode: EvidenceMode; claim: string; evidence: string[] }[];
  observations: StalenessObservation[];
}

/** Freshness window of the bench's memory, and how far the clock moves per step (past it). */
const FRESHNESS_HOURS = 24;
const STEP_HOURS = FRESHNESS_HOURS + 1;

interface LiveFact {
  fact: StalenessFact;
  claim: Claim;
  asOf: string;
  slug: string;
  query: string;
}

interface Seen {
  flagged: boolean;
  healed: boolean;
  recalled: boolean;
  caveats: string[];
}

function isCheckedStep(index: number, total: number, step: number): boolean {
  return index === total - 1 || (index + 1) % step === 0;
}

async function writeFacts(
  memory: Memory,
  facts: readonly StalenessFact[],
  from: string,
  progress: (message: string) => void,
): Promise<{ live: LiveFact[]; evidence: Map<string, string[]> }> {
  const live: LiveFact[] = [];
  const evidence = new Map<string, string[]>();
  for (const fact of facts) {
    const topic = topicFor(fact.claim, fact.mode, from);
    const written = await memory.remember({
      name: topic.name,
      description: topic.description,
      type: 'project',
      body: topic.body,
      evidence: topic.evidence as never,
      tags: ['staleness-bench', fact.kind],
    });
    if (written.status !== 'written') throw new MnemoError('io', `The fact ${fact.id} was not written (${written.status}).`);
    // Two facts must not share a topic (the same name updates the first one): the later one is left out.
    if (!written.created) {
      progress(`left out ${fact.id}: its topic ${written.slug} is an earlier fact's`);
      const earlier = live.findIndex((item) => item.slug === written.slug);
      if (earlier >= 0) live.splice(earlier, 1);
      continue;
    }
    const shown = await memory.show(written.slug);
    evidence.set(
      fact.id,
      shown.found && 'meta' in shown ? shown.meta.evidence.map((item) => `${item.kind}${item.derived ? ' (derived)' : ''}`) : [],
    );
    live.push({ fact, claim: fact.claim, asOf: from, slug: written.slug, query: topic.query });
  }
  return { live, evidence };
}

function note(seen: Map<string, Seen>, slug: string, update: Partial<Seen>): void {
  const entry = seen.get(slug) ?? { flagged: false, healed: false, recalled: false, caveats: [] };
  seen.set(slug, {
    flagged: entry.flagged || update.flagged === true,
    healed: entry.healed || update.healed === true,
    recalled: entry.recalled || update.recalled === true,
    caveats: update.caveats && update.caveats.length > 0 ? update.caveats : entry.caveats,
  });
}

/** Check on use (each fact's own recall) and `verify --all`, as an agent would run them. */
async function runChecks(memory: Memory, live: readonly LiveFact[]): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  for (const item of live) {
    const recalled = await memory.recall(item.query);
    for (const topic of recalled.topics) {
      const healed = Array.isArray(topic.details?.['healed']) && (topic.details['healed'] as unknown[]).length > 0;
      const flagged = topic.status === 'suspect' || (!healed && topic.details?.['verdict'] === 'contradicted');
      note(seen, topic.slug, {
        flagged,
        healed,
        ...(topic.slug === item.slug ? { recalled: true } : {}),
        ...(topic.details?.['checked'] === true ? { caveats: topic.caveats } : {}),
      });
    }
  }
  const report = await memory.verify({ all: true });
  for (const outcome of report.topics) {
    const healed = outcome.healed !== undefined;
    note(seen, outcome.slug, {
      healed,
      flagged: outcome.status === 'suspect' || (!healed && outcome.verdict?.status === 'contradicted'),
      caveats: outcome.caveats,
    });
  }
  return seen;
}

async function healedClaim(memory: Memory, item: LiveFact): Promise<Claim | undefined> {
  const shown = await memory.show(item.slug);
  if (!shown.found || !('meta' in shown)) return undefined;
  return claimFromTopic(item.claim, shown.body, shown.meta.evidence);
}

function score(truth: Truth, outcome: MnemoOutcome): ScoredResult {
  const stale = truth.state === 'changed' || truth.state === 'gone';
  if (!stale) return outcome === 'fine' ? 'ok' : 'false-alarm';
  return outcome === 'fine' ? 'missed' : 'caught';
}

/**
 * The staleness benchmark on a real git history. At `from`, a temporary worktree and a fresh
 * memory; facts about the code written through the library API. Then, commit by commit (every
 * `step`-th) up to `to`: the worktree is checked out there, the clock moves past the freshness
 * window, each fact's subject is recalled (check on use) and `verify --all` runs. Each fact is
 * scored against git's own answer (see GitTruth); a stale fact that was not healed right leaves
 * the run after it was scored (an agent told of it would fix or drop it), a healed one goes on
 * with its healed claim. The worktree and the memory are removed at the end, also on error.
 */
export async function runStalenessBenchmark(options: StalenessBenchOptions): Promise<StalenessRun> {
  const progress = options.onProgress ?? (() => {});
  const step = options.step ?? 1;
  const count = options.facts ?? 40;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(step) || step < 1) throw new MnemoError('usage', `--step must be a whole number of at least 1; not ${step}.`);
  if (!Number.isInteger(count) || count < 1) throw new MnemoError('usage', `--facts must be a whole number of at least 1; not ${count}.`);
  const repo = await repositoryRoot(resolve(options.repo));
  const to = await resolveCommit(repo, options.to ?? 'HEAD', '--to');
  const from = options.from === undefined ? await commitBefore(repo, to, 50) : await resolveCommit(repo, options.from, '--from');
  const ancestor = await git(repo, ['merge-base', '--is-ancestor', from, to]).then(
    () => true,
    () => false,
  );
  if (!ancestor) throw new MnemoError('usage', `--from ${options.from ?? from} is not an ancestor of --to ${options.to ?? 'HEAD'}.`);
  const between = await commitsBetween(repo, from, to);
  const commits = between.filter((_, index) => isCheckedStep(index, between.length, step));
  if (commits.length === 0) {
    throw new MnemoError('usage', `There are no commits after --from ${from.slice(0, 7)} up to --to ${to.slice(0, 7)}.`, {
      hint: 'Give an older --from (or a later --to).',
    });
  }
  const facts = options.factList ? [...options.factList] : await chooseFacts(repo, from, to, count, seed);
  if (facts.length === 0)
    throw new MnemoError('invalid-input', `${repo} holds nothing the benchmark can write facts about at ${from.slice(0, 7)}.`);
  progress(`${facts.length} facts at ${from.slice(0, 7)}, ${commits.length} steps up to ${to.slice(0, 7)}`);

  const temp = await mkdtemp(join(tmpdir(), 'mnemo-staleness-'));
  const work = join(temp, 'work');
  let memory: Memory | undefined;
  try {
    await git(repo, ['worktree', 'add', '--quiet', '--detach', '--force', work, from]);
    const clock = createManualClock('2026-01-01T00:00:00.000Z');
    memory = await openMemory({
      dir: join(temp, 'memory'),
      workspace: work,
      cwd: temp,
      env: {},
      create: true,
      clock,
      logger: silentLogger,
      // Checks get time to finish: the figures measure the checkers, not the machine's load.
      config: { verification: { freshnessHours: FRESHNESS_HOURS, budgetMs: 60_000 } } as never,
    });
    const { live: written, evidence } = await writeFacts(memory, facts, from, progress);
    let live = written;
    const truth = new GitTruth(repo);
    const observations: StalenessObservation[] = [];
    for (const [index, commit] of commits.entries()) {
      await git(work, ['checkout', '--quiet', '--detach', '--force', commit]);
      clock.advance(STEP_HOURS * HOUR_MS);
      const truths = await Promise.all(live.map((item) => truth.truth(item.claim, item.asOf, commit)));
      const seen = await runChecks(memory, live);
      const next: LiveFact[] = [];
      for (const [position, item] of live.entries()) {
        const known = truths[position] as Truth;
        const mnemo = seen.get(item.slug);
        // A heal of a candidate that recall checked but did not return shows only in the topic itself.
        const after = await healedClaim(memory, item);
        const rewritten = after !== undefined && !sameClaim(after, item.claim);
        const outcome: MnemoOutcome = mnemo?.healed || rewritten ? 'healed' : mnemo?.flagged ? 'flagged' : 'fine';
        if (known.state === 'unknown') {
          next.push(item);
          continue;
        }
        const result = score(known, outcome);
        const observation: StalenessObservation = {
          step: index + 1,
          commit,
          fact: item.fact.id,
          kind: item.fact.kind,
          mode: item.fact.mode,
          claim: describeClaim(item.claim),
          truth: known.state,
          ambiguous: known.state === 'changed' || known.state === 'gone' ? known.ambiguous : false,
          outcome,
          result,
          recalled: mnemo?.recalled ?? false,
          caveats: mnemo?.caveats ?? [],
        };
        if (known.state === 'changed') {
          observation.change = known.change;
          observation.now = describeClaim(known.now);
        }
        let healed: Claim | undefined;
        if (outcome === 'healed') {
          healed = after;
          const right = known.state === 'changed' && sameClaim(healed, known.now);
          if (known.state !== 'true' || healed === undefined || !sameClaim(healed, item.claim))
            observation.healed = right ? 'right' : 'wrong';
          observation.healedTo = healed ? describeClaim(healed) : '(no claim the harness can read)';
        }
        observations.push(observation);
        if (known.state === 'true' && observation.healed === undefined) next.push({ ...item, asOf: commit });
        else if (observation.healed === 'right' && healed) next.push({ ...item, claim: healed, asOf: commit });
      }
      live = next;
      const stale = observations.filter((item) => item.step === index + 1 && item.result !== 'ok' && item.result !== 'false-alarm').length;
      progress(`step ${index + 1}/${commits.length} ${commit.slice(0, 7)}: ${stale} stale, ${live.length} facts still live`);
    }
    return {
      repo,
      from,
      to,
      step,
      seed,
      commits,
      facts: facts.map((fact) => ({
        id: fact.id,
        kind: fact.kind,
        mode: fact.mode,
        claim: describeClaim(fact.claim),
        evidence: evidence.get(fact.id) ?? [],
      })),
      observations,
    };
  } finally {
    memory?.close();
    await git(repo, ['worktree', 'remove', '--force', work], { allowFailure: true });
    await rm(temp, { recursive: true, force: true });
    await git(repo, ['worktree', 'prune'], { allowFailure: true });
  }
}
