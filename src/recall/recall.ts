import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecallBudget } from '../config/index.js';
import { MnemoError, quoteExcerpt, randomToken, writeFileAtomic } from '../shared/index.js';
import {
  countTextTokens,
  packRecall,
  rankTurns,
  queryTerms,
  renderRecallText,
  type CutNote,
  type PackBudget,
  type PackedTopic,
  type PackedTurn,
  type RecallTopicCandidate,
  type SearchIndex,
  signatureWords,
  type RecallMode,
  type SemanticStage,
} from '../retrieval/index.js';
import { readFenceToken, rootPaths, type TopicSource, type TopicStatus } from '../store/index.js';
import {
  unlessUnwritable,
  matchesNormalizedSignature,
  normalizeErrorText,
  textSimilarity,
  TaskStore,
  guardRecalledTurns,
  readTranscriptReviews,
  recordRecallHits,
  type EvidenceService,
  type ManifestReader,
} from '../discipline/index.js';
import { checkCandidates } from './check-on-use.js';
import { HandEditScreen } from './hand-edit-screen.js';
import { prepareSemantic, semanticFields } from './semantic-recall.js';
import type { Clock } from '../shared/index.js';

export interface RecallOptions {
  /** Most topics returned (default from config: 5). */
  limit?: number;
  /** Bytes of the whole answer (default from config: 20 KB). */
  budget?: number;
  /**
   * Tokens of the whole answer (o200k via gpt-tokenizer, counted on `text`), on top of the byte
   * budgets. With it, `deep` packs as many of the best turns as fit instead of at most 20.
   */
  budgetTokens?: number;
  /** Bytes per topic (default from config: 4 KB). */
  topicBytes?: number;
  /** Also search transcript turns. */
  deep?: boolean;
  /** Count this recall against a session's budget (default 60 KB per session). */
  session?: string;
  /** Also return this task's staged notes, marked unverified (only the task's own session should ask). */
  task?: string;
  /** `hybrid`: lexical and vector candidates fused (needs an embedder); default from `embeddings.mode`, else lexical. */
  mode?: RecallMode;
}

export interface RecallResult {
  query: string;
  /** What an agent gets: topic blocks, transcript turns, and what was cut. */
  text: string;
  topics: PackedTopic[];
  turns: PackedTurn[];
  cut: CutNote[];
  bytes: number;
  /** Tokens of `text` (o200k). */
  tokens: number;
  budget: PackBudget;
  /** How it ranked (set when an embedder is configured or a mode was asked for). */
  mode?: RecallMode;
  /** Why it ran lexical although hybrid was wanted (the embedder is down, or none is configured). */
  degraded?: string;
  /** Items not embedded yet, found lexically only (`mnemo reindex --embeddings` embeds them all). */
  pendingEmbeddings?: number;
}

export interface RecallDependencies {
  root: string;
  search: SearchIndex;
  budget: RecallBudget;
  clock: Clock;
  /** Check on use: verifies (and may heal or mark suspect) the candidates about to be returned. */
  evidence?: EvidenceService;
  /** The integrity manifest, kept between recalls by a long-lived caller. */
  manifest?: ManifestReader;
  /** The optional semantic stage (an embedder is configured): hybrid recall. */
  semantic?: SemanticStage;
}

const STATUS_ORDER: Record<TopicStatus, number> = { active: 0, suspect: 1, superseded: 2, quarantined: 3 };

/** The active lessons whose error signature the query carries, by slug (only lessons whose key words the query has are tested). */
function matchingLessons(search: SearchIndex, query: string): string[] {
  const normalized = normalizeErrorText(query).toLowerCase();
  return search
    .lessonCandidates(signatureWords(normalized))
    .filter((lesson) => matchesNormalizedSignature(normalized, lesson.signature))
    .map((lesson) => lesson.slug);
}

/** The provenance a fenced topic is shown under, when its source is untrusted (else undefined). */
export function untrustedProvenance(source: Partial<TopicSource> | undefined, what = 'topic'): string | undefined {
  if (!source || source.trust !== 'untrusted') return undefined;
  const origin = typeof source.origin === 'string' && source.origin !== '' ? `: ${source.origin.slice(0, 120)}` : '';
  return `untrusted ${what} from ${source.kind ?? 'an unknown source'}${origin}`;
}

/**
 * A query that carries the error signature of a lesson gets that lesson first, whatever BM25
 * thought: the signature is the strongest evidence of relevance there is.
 */
function promoteMatchingLessons(search: SearchIndex, slugs: readonly string[], candidates: RecallTopicCandidate[]): void {
  const matching = search
    .topicsBySlug(slugs)
    .filter((topic) => topic.readable && topic.meta.type === 'lesson' && topic.meta.status === 'active' && topic.meta.errorSignature);
  for (const lesson of matching.reverse()) {
    if (!lesson.readable) continue;
    const at = candidates.findIndex((candidate) => candidate.slug === lesson.slug);
    const [existing] = at >= 0 ? candidates.splice(at, 1) : [];
    const candidate: RecallTopicCandidate = existing ?? {
      slug: lesson.slug,
      name: lesson.meta.name,
      description: lesson.meta.description,
      type: lesson.meta.type,
      status: lesson.meta.status,
      body: lesson.body,
      score: Number.POSITIVE_INFINITY,
      caveats: [],
      details: { id: lesson.meta.id, updated: lesson.meta.updated, verified: lesson.meta.verified, source: lesson.meta.source },
    };
    candidate.caveats = [`lesson: this query carries its error signature \`${lesson.meta.errorSignature ?? ''}\``, ...candidate.caveats];
    candidates.unshift(candidate);
  }
}

/** The ranked topic candidates of a query, lessons it carries the signature of first. */
function topicCandidates(
  search: SearchIndex,
  hits: ReturnType<SearchIndex['searchTopics']>,
  lessons: readonly string[],
): RecallTopicCandidate[] {
  const candidates: RecallTopicCandidate[] = [];
  for (const hit of hits) {
    const topic = search.lookup(hit.slug);
    if (!topic?.readable) continue;
    const caveats: string[] = [];
    if (topic.meta.status === 'suspect')
      caveats.push('suspect: its evidence was contradicted when last checked; confirm before relying on it');
    if (topic.problems.length > 0) caveats.push(`file problems: ${topic.problems.join('; ')}`);
    candidates.push({
      slug: topic.slug,
      name: topic.meta.name,
      description: topic.meta.description,
      type: topic.meta.type,
      status: topic.meta.status,
      body: topic.body,
      score: hit.score,
      ...(hit.similarity === undefined ? {} : { similarity: hit.similarity }),
      caveats,
      details: { id: topic.meta.id, updated: topic.meta.updated, verified: topic.meta.verified, source: topic.meta.source },
      ...fencedAs(untrustedProvenance(topic.meta.source)),
    });
  }
  candidates.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.score - a.score);
  promoteMatchingLessons(search, lessons, candidates);
  return candidates;
}

/** A task's staged notes as recall candidates, marked unverified, ranked by word overlap. */
async function stagedCandidates(dependencies: RecallDependencies, taskId: string, query: string): Promise<RecallTopicCandidate[]> {
  const task = await new TaskStore(dependencies.root, dependencies.clock).get(taskId);
  return task.notes
    .map((note) => ({ note, score: textSimilarity(query, `${note.name} ${note.description} ${note.tags.join(' ')} ${note.body}`) }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score)
    .map(({ note, score }) => ({
      slug: `${task.id}/${note.id}`,
      name: note.name,
      description: note.description,
      type: note.type,
      status: 'active' as const,
      body: note.body,
      score,
      caveats: [`unverified: staged in task ${task.id}, not yet promoted; it may be wrong`],
      location: `staged in task ${task.id}`,
      details: { staged: true, task: task.id, source: note.source },
      ...fencedAs(untrustedProvenance(note.source as Partial<TopicSource> | undefined, 'staged note')),
    }));
}

/** Raise `invalid-input` for a query with nothing to search for. */
export function assertSearchable(query: string): void {
  if (query.trim() === '') {
    throw new MnemoError('invalid-input', 'The query is empty.', {
      hint: 'Say what you are looking for, e.g. mnemo recall "how do we deploy staging".',
    });
  }
  if (queryTerms(query).length === 0) {
    throw new MnemoError('invalid-input', `The query ${quoteExcerpt(query)} has no searchable words (only stopwords or punctuation).`, {
      hint: 'Use content words: names, components, errors, commands.',
    });
  }
}

function fencedAs(provenance: string | undefined): { fenced?: string } {
  return provenance === undefined ? {} : { fenced: provenance };
}

/** How many candidates, from the first, the packing rendered or weighed (all, unless `limit` topics got in). */
function consideredCount(
  candidates: readonly RecallTopicCandidate[],
  packed: { topics: readonly { slug: string }[] },
  limit: number,
): number {
  if (packed.topics.length < limit) return candidates.length;
  const last = packed.topics[packed.topics.length - 1]?.slug;
  return candidates.findIndex((candidate) => candidate.slug === last) + 1 || candidates.length;
}

async function sessionUsage(root: string): Promise<Record<string, number>> {
  try {
    return JSON.parse(await readFile(join(rootPaths(root).state, 'recall-usage.json'), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/**
 * Rank topics (and turns with `deep`), put suspect topics last with their caveat, and pack them
 * within the budgets. Superseded and quarantined topics are never returned.
 */
export async function recallMemory(dependencies: RecallDependencies, query: string, options: RecallOptions = {}): Promise<RecallResult> {
  assertSearchable(query);
  const { search, budget: defaults } = dependencies;
  await search.sync({ transcripts: options.deep === true });
  const semantic = await prepareSemantic(dependencies.semantic, query, options.mode);
  const limit = options.limit ?? defaults.limit;
  let callBytes = options.budget ?? defaults.callBytes;
  const usage = options.session ? await sessionUsage(dependencies.root) : {};
  const used = options.session ? (usage[options.session] ?? 0) : 0;
  const sessionNote: CutNote[] = [];
  if (options.session && used + callBytes > defaults.sessionBytes) {
    callBytes = Math.max(0, defaults.sessionBytes - used);
    sessionNote.push({
      reason: 'call-budget',
      message: `session ${options.session} has used ${used} of its ${defaults.sessionBytes} recall bytes; this answer is limited to ${callBytes}`,
    });
  }
  const budget: PackBudget = {
    limit,
    topicBytes: options.topicBytes ?? defaults.topicBytes,
    callBytes,
    ...(options.budgetTokens === undefined ? {} : { callTokens: options.budgetTokens }),
  };
  // The index follows mnemo's writes and the root's stamp; a file edited in place since it was
  // indexed is found here, by one stat per candidate, and read again before it is used.
  let hits = search.searchTopics(query, { limit: limit * 3 + 5 });
  let lessons = matchingLessons(search, query);
  // Re-reading a changed file can bring in other candidates: those are checked too.
  for (let round = 0; round < 3 && (await search.freshen([...hits.map((hit) => hit.slug), ...lessons])).length > 0; round += 1) {
    hits = search.searchTopics(query, { limit: limit * 3 + 5 });
    lessons = matchingLessons(search, query);
  }
  if (semantic?.mode === 'hybrid') {
    // Vector candidates are fused in; those are freshened like the lexical ones.
    hits = semantic.fuseTopics(hits, limit * 3 + 5);
    await search.freshen(hits.map((hit) => hit.slug));
  }
  const candidates = topicCandidates(search, hits, lessons);
  // The guard screens hand-edited candidates before check on use (which may heal them) and
  // before they are rendered; the packing below screens any further ones it comes to.
  const screening = new HandEditScreen(dependencies.root, search, dependencies.manifest);
  const checked = limit + 2;
  screening.upTo(candidates, checked);
  if (dependencies.evidence) await checkCandidates(dependencies.evidence, dependencies.root, candidates, checked, search);
  if (options.task) candidates.push(...(await stagedCandidates(dependencies, options.task, query)));
  const turnLimit = options.budgetTokens === undefined ? 20 : 200;
  const lexicalTurns = options.deep ? rankTurns(search.turnTable, query, { limit: turnLimit }) : [];
  const ranked = options.deep && semantic?.mode === 'hybrid' ? semantic.fuseTurns(lexicalTurns, turnLimit) : lexicalTurns;
  // Every turn is data: fenced, labelled with its provenance, withheld when the guard finds an attack in it.
  const reviews = ranked.length > 0 ? await readTranscriptReviews(dependencies.root).catch(() => undefined) : undefined;
  const turns = guardRecalledTurns(ranked, reviews).turns;
  const fence = { token: await readFenceToken(dependencies.root).catch(() => randomToken(20)) };
  let packed = packRecall(candidates, turns, budget, { fence });
  // Packing reads candidates in order until `limit` are in; those after are only named. Any it
  // read that the guard has not screened yet are screened and the answer packed again: the
  // same answer as screening every candidate first.
  for (
    let seen = consideredCount(candidates, packed, limit);
    !screening.covers(candidates, seen);
    seen = consideredCount(candidates, packed, limit)
  ) {
    screening.upTo(candidates, seen);
    packed = packRecall(candidates, turns, budget, { fence });
  }
  await screening.record(dependencies.clock);
  packed.cut.unshift(...sessionNote);
  // Recall hits rank the index and tell dream what is used.
  // (skipped on a read-only memory: a read never fails for its bookkeeping)
  await unlessUnwritable(() =>
    recordRecallHits(
      dependencies.root,
      packed.topics.map((topic) => topic.slug),
      dependencies.clock.now(),
    ),
  );
  if (options.session) {
    usage[options.session] = used + packed.bytes;
    await unlessUnwritable(() => writeFileAtomic(join(rootPaths(dependencies.root).state, 'recall-usage.json'), JSON.stringify(usage)));
  }
  const text = renderRecallText(packed);
  const result: RecallResult = {
    query,
    text,
    topics: packed.topics,
    turns: packed.turns,
    cut: packed.cut,
    bytes: packed.bytes,
    tokens: 0,
    budget,
    ...semanticFields(dependencies.semantic, semantic),
  };
  if (options.budgetTokens !== undefined) return { ...result, tokens: packed.tokens };
  // Counted (and the tokenizer loaded) only when read: a plain recall does not need the figure.
  let tokens: number | undefined;
  Object.defineProperty(result, 'tokens', { get: () => (tokens ??= countTextTokens(text)), enumerable: true, configurable: true });
  return result;
}
