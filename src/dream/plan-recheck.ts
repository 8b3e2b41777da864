import type { MnemoConfig } from '../config/index.js';
import { readVerdicts, type VerdictRecord } from '../discipline/index.js';
import type { Clock, ProcessRunner } from '../shared/index.js';
import type { Evidence, EvidenceKind, TopicMeta } from '../store/index.js';
import {
  CHEAP_EVIDENCE_KINDS,
  applyHeal,
  checkTopic,
  describeTopicVerdict,
  isDue,
  proposeHeal,
  type CheckContext,
  type HealProposal,
} from '../verification/index.js';
import type { DreamPlan, TopicView } from './dream-plan.js';

export interface RecheckContext {
  workspace: string;
  config: MnemoConfig;
  clock: Clock;
  environment: Record<string, string | undefined>;
  runner?: ProcessRunner | undefined;
}

/** What the re-checks found, for the verdict history (appended once the dream is applied). */
export interface RecheckOutcome {
  verdicts: { slug: string; record: VerdictRecord }[];
  /** Topics due for a check that the time budget left unchecked. */
  notChecked: string[];
}

function checkContext(context: RecheckContext, meta: TopicMeta, body: string): CheckContext {
  const { verification } = context.config;
  return {
    workspace: context.workspace,
    clock: context.clock,
    trust: meta.source?.trust ?? 'untrusted',
    allowCommands: verification.allowCommands,
    allowHttp: verification.allowHttp,
    allowedHosts: verification.allowedHosts,
    commandTimeoutMs: verification.commandTimeoutMs,
    env: context.environment,
    body,
    ...(context.runner ? { runner: context.runner } : {}),
  };
}

function kinds(config: MnemoConfig): EvidenceKind[] {
  return [
    ...CHEAP_EVIDENCE_KINDS,
    ...(config.verification.allowCommands ? (['command'] as const) : []),
    ...(config.verification.allowHttp ? (['http'] as const) : []),
  ];
}

async function isCheckDue(root: string, view: TopicView, context: RecheckContext): Promise<boolean> {
  const [last] = (await readVerdicts(root, view.slug, 1)).reverse();
  const lastChecked = [last?.time, view.meta.verified]
    .filter((time): time is string => time !== undefined)
    .sort()
    .at(-1);
  return isDue(
    lastChecked,
    view.meta.evidence.map((item) => item.kind),
    context.clock.now(),
    context.config.verification,
  );
}

/**
 * Re-check the evidence of topics not checked within their freshness window: confirmed ones get
 * a new confirmation in .state/verdicts/ (and suspect ones become active again), contradicted ones are healed
 * when a mechanical heal exists for every contradiction, else marked suspect. Within
 * `dream.checkBudgetMs` for all of them; the rest wait for the next dream.
 */
export async function planEvidenceChecks(root: string, plan: DreamPlan, context: RecheckContext): Promise<RecheckOutcome> {
  const candidates: TopicView[] = [];
  for (const view of plan.active()) {
    if (view.meta.evidence.length > 0 && (await isCheckDue(root, view, context))) candidates.push(view);
  }
  // A time budget is elapsed real time, whatever the clock that ages topics says.
  const started = Date.now();
  const budget = context.config.dream.checkBudgetMs;
  const perTopic = context.config.verification.budgetMs;
  const outcome: RecheckOutcome = { verdicts: [], notChecked: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      const view = candidates[next++] as TopicView;
      if (Date.now() - started > budget) {
        outcome.notChecked.push(view.slug);
        continue;
      }
      await checkOne(root, plan, context, view, perTopic, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, candidates.length) }, worker));
  return outcome;
}

async function checkOne(
  _root: string,
  plan: DreamPlan,
  context: RecheckContext,
  view: TopicView,
  budgetMs: number,
  outcome: RecheckOutcome,
): Promise<void> {
  const base = checkContext(context, view.meta, view.body);
  const verdict = await checkTopic(view.meta.evidence, base, { budgetMs, kinds: kinds(context.config) });
  const summary = describeTopicVerdict(verdict);
  const items = verdict.verdicts.map((item) => ({ kind: item.evidence.kind, status: item.status, detail: item.detail }));
  if (verdict.status === 'unverifiable') {
    outcome.verdicts.push({
      slug: view.slug,
      record: { time: verdict.checkedAt, status: 'unverifiable', summary, items, topicStatus: view.meta.status },
    });
    return;
  }
  const draft = await plan.edit(view.slug);
  if (!draft) return;
  const id = draft.meta.id;
  if (verdict.status === 'confirmed') {
    // For the planners after this one (a topic confirmed now wins a conflict); not written to the file.
    draft.meta.verified = plan.nowText;
    const wasSuspect = draft.meta.status === 'suspect';
    draft.meta.status = 'active';
    const reason = wasSuspect ? `confirmed again, no longer suspect: ${summary}` : summary;
    plan.record({
      kind: 'verify',
      slug: view.slug,
      slugs: [view.slug],
      reason,
      audit: [{ action: wasSuspect ? 'evidence-confirmed' : 'topic-verified', slug: view.slug, id, reason }],
    });
    outcome.verdicts.push({
      slug: view.slug,
      record: { time: verdict.checkedAt, status: 'confirmed', summary, items, topicStatus: 'active' },
    });
    return;
  }
  const contradicted = verdict.verdicts.filter((item) => item.status === 'contradicted');
  const proposals: HealProposal[] = [];
  let body = draft.body;
  for (const item of contradicted) {
    const proposal = await proposeHeal(item.evidence, item, body, checkContext(context, draft.meta, body));
    if (!proposal) break;
    proposals.push(proposal);
    body = applyHeal(body, proposal);
  }
  if (proposals.length === contradicted.length) {
    draft.body = body;
    draft.meta.evidence = draft.meta.evidence.map((item: Evidence) => {
      const at = contradicted.findIndex((verdictItem) => JSON.stringify(verdictItem.evidence) === JSON.stringify(item));
      return at >= 0 && proposals[at] ? proposals[at].evidence : item;
    });
    draft.meta.status = 'active';
    draft.meta.verified = plan.nowText;
    draft.meta.updated = plan.nowText;
    const reason = proposals.map((proposal) => proposal.reason).join('; ');
    plan.record({
      kind: 'heal',
      slug: view.slug,
      slugs: [view.slug],
      reason: `healed: ${reason}`,
      audit: [{ action: 'topic-healed', slug: view.slug, id, reason }],
    });
    outcome.verdicts.push({
      slug: view.slug,
      record: { time: verdict.checkedAt, status: 'healed', summary: `${summary}; healed now: ${reason}`, items, topicStatus: 'active' },
    });
    return;
  }
  outcome.verdicts.push({
    slug: view.slug,
    record: { time: verdict.checkedAt, status: 'contradicted', summary, items, topicStatus: 'suspect' },
  });
  if (draft.meta.status === 'suspect') {
    // Still contradicted: nothing new to write; the retire planner reads how long it has been suspect.
    if (!plan.actions.some((action) => action.slugs.includes(view.slug))) plan.drafts.delete(view.slug);
    return;
  }
  draft.meta.status = 'suspect';
  plan.record({
    kind: 'suspect',
    slug: view.slug,
    slugs: [view.slug],
    reason: `marked suspect: ${summary}`,
    audit: [{ action: 'evidence-contradicted', slug: view.slug, id, reason: summary }],
  });
}
