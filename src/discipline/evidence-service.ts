import type { MnemoConfig } from '../config/index.js';
import { MnemoError, isoSeconds, type Clock, type ProcessRunner } from '../shared/index.js';
import {
  CHEAP_EVIDENCE_KINDS,
  EXPENSIVE_EVIDENCE_KINDS,
  applyHeal,
  checkTopic,
  describeAge,
  describeTopicVerdict,
  deriveEvidence,
  evidenceFileStamps,
  filesChangedSince,
  isDue,
  keepConfirmedEvidence,
  proposeHeal,
  type CheckContext,
  type HealProposal,
  type TopicVerdict,
} from '../verification/index.js';
import {
  readTopicFile,
  serializeTopic,
  type Evidence,
  type EvidenceKind,
  type StoredTopic,
  type TopicMeta,
  type TopicStatus,
} from '../store/index.js';
import type { ChangeSet, TopicFileWrite } from './change-set.js';
import type { IndexReport, MemoryWriter } from './memory-writer.js';
import { unlessUnwritable } from './best-effort.js';
import { appendVerdict, lastConfirmed, readVerdicts, readVerifiedAt, verifiedAt, type VerdictRecord } from './verdict-history.js';

export interface EvidenceServiceOptions {
  root: string;
  workspace: string;
  config: MnemoConfig;
  clock: Clock;
  writer: MemoryWriter;
  environment: Record<string, string | undefined>;
  runner?: ProcessRunner;
  fetch?: typeof fetch;
}

export interface CheckOptions {
  /** Check even when the last check is within the freshness window (`mnemo verify`). */
  force?: boolean;
  /** Let trusted topics run `command` evidence this time. */
  allowCommands?: boolean;
  allowHttp?: boolean;
  /** Time for all the checks of this call. */
  budgetMs?: number;
  /** Apply mechanical heals to contradicted topics (default true). */
  heal?: boolean;
  /**
   * Check on use: a check whose record cannot be written (a read-only memory, a full disk) is
   * still returned, with a caveat, instead of failing the read.
   */
  recordBestEffort?: boolean;
}

/** What checking one topic found and did. */
export interface TopicCheckOutcome {
  slug: string;
  /** Whether its evidence was checked by this call (false: fresh enough, or no evidence). */
  checked: boolean;
  verdict: TopicVerdict | undefined;
  /** The topic's status after the check. */
  status: TopicStatus;
  /** Lines an agent reads before the body: age, verdict, heal. */
  caveats: string[];
  /** Set when a mechanical heal replaced the topic by a new version. */
  healed: { reasons: string[]; body: string } | undefined;
  /** The body to use from now on (the healed one when healed). */
  body: string;
  /** When its evidence was last confirmed (this check, `.state/verdicts/`, or an older file's `verified`). */
  verified: string | undefined;
}

export interface VerifyReport {
  topics: TopicCheckOutcome[];
  index: IndexReport | undefined;
}

function trustOf(meta: TopicMeta): 'trusted' | 'untrusted' {
  return meta.source?.trust ?? 'untrusted';
}

/**
 * Memory is a hint: checks a topic's evidence against the world when it is older than its
 * freshness window, records the verdict (history in `.state/verdicts/`; `status` in the file when it changes), marks contradicted topics
 * suspect, and heals what can be healed mechanically (a new version; the old one in the trash).
 */
export class EvidenceService {
  private readonly options: EvidenceServiceOptions;

  constructor(options: EvidenceServiceOptions) {
    this.options = options;
  }

  private context(meta: TopicMeta, body: string, options: CheckOptions, signal?: AbortSignal): CheckContext {
    const { config, workspace, clock, environment, runner } = this.options;
    return {
      workspace,
      clock,
      trust: trustOf(meta),
      allowCommands: options.allowCommands ?? config.verification.allowCommands,
      allowHttp: options.allowHttp ?? config.verification.allowHttp,
      allowedHosts: config.verification.allowedHosts,
      commandTimeoutMs: config.verification.commandTimeoutMs,
      env: environment,
      body,
      ...(runner ? { runner } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(signal ? { signal } : {}),
    };
  }

  private kinds(options: CheckOptions): EvidenceKind[] {
    const { verification } = this.options.config;
    return [
      ...CHEAP_EVIDENCE_KINDS,
      ...EXPENSIVE_EVIDENCE_KINDS.filter((kind) =>
        kind === 'command' ? (options.allowCommands ?? verification.allowCommands) : (options.allowHttp ?? verification.allowHttp),
      ),
    ];
  }

  /** Evidence for a new topic: the explicit items plus those derived from its body that hold now. */
  async evidenceFor(body: string, explicit: readonly Evidence[], trust: 'trusted' | 'untrusted'): Promise<Evidence[]> {
    const derived = deriveEvidence(body, { workspace: this.options.workspace, existing: [...explicit] });
    if (derived.length === 0) return [...explicit];
    const meta = { source: { kind: 'agent', trust } } as TopicMeta;
    const kept = await keepConfirmedEvidence(derived, this.context(meta, body, {}), { budgetMs: 500 });
    return [...explicit, ...kept];
  }

  /** When a topic's evidence was last confirmed (see verifiedAt). */
  verifiedAt(slug: string, fromFile?: string): Promise<string | undefined> {
    return readVerifiedAt(this.options.root, slug, fromFile);
  }

  /** The recent checks of a topic, newest last. */
  history(slug: string, limit = 5): Promise<VerdictRecord[]> {
    return readVerdicts(this.options.root, slug, limit);
  }

  /** Check a topic's evidence if due (or forced) and heal what can be healed, without writing. */
  private async checkOne(
    topic: StoredTopic,
    options: CheckOptions,
    budgetMs: number,
  ): Promise<TopicCheckOutcome & { proposals: HealProposal[]; files: Record<string, string> }> {
    const { clock, config, root, workspace } = this.options;
    const now = clock.now();
    const { meta } = topic;
    const written = meta.created ?? meta.updated;
    const files = await evidenceFileStamps(meta.evidence, workspace);
    const records = await readVerdicts(root, topic.slug, Number.MAX_SAFE_INTEGER);
    const verified = verifiedAt(lastConfirmed(records), meta.verified);
    const base = {
      slug: topic.slug,
      status: meta.status,
      healed: undefined,
      body: topic.body,
      proposals: [] as HealProposal[],
      files,
      verified,
    };
    if (meta.evidence.length === 0) {
      return {
        ...base,
        checked: false,
        verdict: undefined,
        caveats: written ? [`${describeAge(written, undefined, now).replace(/, never checked$/, '')}; no evidence to check`] : [],
      };
    }
    const last = records.at(-1);
    const lastChecked = [last?.time, meta.verified]
      .filter((time): time is string => time !== undefined)
      .sort()
      .at(-1);
    const kinds = this.kinds(options);
    if (
      !options.force &&
      // a file edited since the last check is checked again, whatever the window
      !filesChangedSince(last?.files, files) &&
      !isDue(
        lastChecked,
        meta.evidence.map((item) => item.kind),
        now,
        config.verification,
      )
    ) {
      const caveats = [describeAge(written, lastChecked, now)];
      if (last) caveats.push(`last check: ${last.summary.replace(/^checked now: /, '')}`);
      return { ...base, checked: false, verdict: undefined, caveats };
    }
    const verdict = await checkTopic(meta.evidence, this.context(meta, topic.body, options), { budgetMs, kinds });
    const caveats = [describeAge(written, 'now', now), describeTopicVerdict(verdict)];
    if (verdict.status !== 'contradicted') {
      return {
        ...base,
        ...(verdict.status === 'confirmed' ? { verified: verdict.checkedAt } : {}),
        checked: true,
        verdict,
        caveats,
        status: verdict.status === 'confirmed' && meta.status === 'suspect' ? 'active' : meta.status,
      };
    }
    const proposals: HealProposal[] = [];
    if (options.heal !== false) {
      for (const item of verdict.verdicts.filter((candidate) => candidate.status === 'contradicted')) {
        const proposal = await proposeHeal(
          item.evidence,
          item,
          applyProposals(topic.body, proposals),
          this.context(meta, topic.body, options),
        );
        if (!proposal) break;
        proposals.push(proposal);
      }
    }
    const contradictions = verdict.verdicts.filter((item) => item.status === 'contradicted').length;
    if (proposals.length > 0 && proposals.length === contradictions) {
      const body = applyProposals(topic.body, proposals);
      caveats.push(`healed now: ${proposals.map((proposal) => proposal.reason).join('; ')} (the old version is kept in .state/trash)`);
      return {
        ...base,
        checked: true,
        verdict,
        caveats,
        status: 'active',
        healed: { reasons: proposals.map((proposal) => proposal.reason), body },
        body,
        proposals,
        verified: verdict.checkedAt,
      };
    }
    caveats.push('suspect: confirm before relying on it');
    return { ...base, checked: true, verdict, caveats, status: 'suspect' };
  }

  /**
   * Check topics (in parallel, within one time budget), record every verdict in the history, and
   * write what changed in the files (suspect or active again, heals) as one change set. Topics changed
   * by someone else meanwhile are left alone (their next check decides).
   */
  async check(topics: readonly StoredTopic[], options: CheckOptions = {}): Promise<VerifyReport> {
    const { clock, root, writer } = this.options;
    const budgetMs = options.budgetMs ?? this.options.config.verification.budgetMs;
    const outcomes = await Promise.all(topics.map((topic) => this.checkOne(topic, options, budgetMs)));
    const now = isoSeconds(clock.now());
    const writes: TopicFileWrite[] = [];
    const audit: ChangeSet['audit'] = [];
    let notRecorded: string | undefined;
    for (const [index, outcome] of outcomes.entries()) {
      const topic = topics[index] as StoredTopic;
      const verdict = outcome.verdict;
      if (!outcome.checked || !verdict) continue;
      const record = () =>
        appendVerdict(root, topic.slug, {
          time: verdict.checkedAt,
          status: outcome.healed ? 'healed' : verdict.status,
          summary: outcome.caveats.slice(1).join('; '),
          items: verdict.verdicts.map((item) => ({ kind: item.evidence.kind, status: item.status, detail: item.detail })),
          topicStatus: outcome.status,
          ...(Object.keys(outcome.files).length > 0 ? { files: outcome.files } : {}),
        });
      if (options.recordBestEffort) notRecorded = (await unlessUnwritable(record)) ?? notRecorded;
      else await record();
      if (notRecorded !== undefined) {
        outcome.caveats.push('not recorded: the memory cannot be written now');
        continue;
      }
      // The check itself lives in .state/verdicts/ (appended above): a topic file changes only
      // when its content or its status does, so a memory shared through git does not change on
      // every read. A `verified` an older file carries stays until the file is written for a change
      // of content or status (the writer then moves it to .state/verdicts/) or `doctor --fix`.
      const meta: TopicMeta = { ...topic.meta, status: outcome.status };
      if (outcome.healed) {
        meta.updated = now;
        meta.evidence = healedEvidence(topic.meta.evidence, outcome.proposals, verdict);
        audit.push({
          action: 'topic-healed',
          slug: topic.slug,
          id: meta.id,
          actor: 'verification',
          reason: outcome.healed.reasons.join('; '),
        });
      } else if (outcome.status === 'suspect' && topic.meta.status !== 'suspect') {
        audit.push({
          action: 'evidence-contradicted',
          slug: topic.slug,
          id: meta.id,
          actor: 'verification',
          reason: outcome.caveats[1] ?? 'contradicted',
        });
      } else if (outcome.status === 'active' && topic.meta.status === 'suspect') {
        audit.push({
          action: 'evidence-confirmed',
          slug: topic.slug,
          id: meta.id,
          actor: 'verification',
          reason: 'confirmed again; no longer suspect',
        });
      } else {
        continue;
      }
      writes.push({ slug: topic.slug, content: serializeTopic(meta, outcome.body, topic.frontmatter), expectHash: topic.hash });
    }
    let index: IndexReport | undefined;
    if (writes.length > 0 && this.writable()) {
      const commit = async () => {
        index = (await writer.commit({ reason: 'record evidence checks', writes, removals: [], audit }, { onConflict: 'skip' })).index;
      };
      if (options.recordBestEffort) await unlessUnwritable(commit);
      else await commit();
    }
    return { topics: outcomes.map(({ proposals: _proposals, files: _files, ...outcome }) => outcome), index };
  }

  private writable(): boolean {
    const mode = this.options.config.writes;
    return mode === 'auto' || mode === 'confirm';
  }

  /** A person's heal: a new body (and optionally new evidence), checked, through the writer. */
  async healByHand(
    slug: string,
    body: string,
    options: { evidence?: Evidence[]; actor?: string } = {},
  ): Promise<{ outcome: TopicCheckOutcome; previousVersion: string | undefined }> {
    const { writer, root, clock } = this.options;
    writer.assertWritable(`heal ${slug}`);
    if (body.trim() === '')
      throw new MnemoError('invalid-input', 'The healed body is empty.', { hint: 'Give the corrected fact as the body.' });
    const read = await readTopicFile(root, slug);
    if (read.status !== 'ok')
      throw new MnemoError('not-found', read.status === 'missing' ? `No topic ${slug}.` : `${slug}.md cannot be read: ${read.error}.`, {
        hint: 'See `mnemo list`.',
      });
    const topic = read.topic;
    const now = isoSeconds(clock.now());
    const evidence = options.evidence && options.evidence.length > 0 ? options.evidence : topic.meta.evidence;
    const meta: TopicMeta = {
      ...topic.meta,
      evidence,
      status: 'active',
      updated: now,
      source: { ...(topic.meta.source ?? { kind: 'user' }), trust: 'trusted', vouchedBy: options.actor ?? 'user' },
    };
    const verdict =
      evidence.length > 0
        ? await checkTopic(evidence, this.context(meta, body, {}), {
            budgetMs: this.options.config.verification.budgetMs,
            kinds: this.kinds({}),
          })
        : undefined;
    if (verdict?.status === 'contradicted') meta.status = 'suspect';
    // A confirmation is recorded in .state/verdicts/ below, not in the file (an older `verified` moves there on commit).
    const result = await writer.commit({
      reason: `heal ${slug}`,
      writes: [{ slug, content: serializeTopic(meta, body, topic.frontmatter), expectHash: topic.hash }],
      removals: [],
      audit: [
        {
          action: 'topic-healed',
          slug,
          id: meta.id,
          actor: options.actor ?? 'user',
          reason: verdict ? describeTopicVerdict(verdict) : 'healed by hand',
        },
      ],
    });
    if (verdict) {
      await appendVerdict(root, slug, {
        time: verdict.checkedAt,
        status: verdict.status,
        summary: describeTopicVerdict(verdict),
        items: verdict.verdicts.map((item) => ({ kind: item.evidence.kind, status: item.status, detail: item.detail })),
        topicStatus: meta.status,
      });
    }
    return {
      previousVersion: result.backups[slug],
      outcome: {
        slug,
        checked: verdict !== undefined,
        verdict,
        status: meta.status,
        caveats: verdict ? [describeTopicVerdict(verdict)] : [],
        healed: { reasons: ['healed by hand'], body },
        body,
        verified: verdict?.status === 'confirmed' ? verdict.checkedAt : await this.verifiedAt(slug),
      },
    };
  }
}

function applyProposals(body: string, proposals: readonly HealProposal[]): string {
  return proposals.reduce((text, proposal) => applyHeal(text, proposal), body);
}

function healedEvidence(evidence: readonly Evidence[], proposals: readonly HealProposal[], verdict: TopicVerdict): Evidence[] {
  const contradicted = verdict.verdicts.filter((item) => item.status === 'contradicted').map((item) => item.evidence);
  return evidence.map((item) => {
    const at = contradicted.indexOf(item);
    return at >= 0 && proposals[at] ? proposals[at].evidence : item;
  });
}
