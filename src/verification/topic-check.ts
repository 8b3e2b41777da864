import { isoSeconds } from '../shared/index.js';
import type { Evidence, EvidenceKind } from '../store/index.js';
import type { CheckContext, EvidenceVerdict, VerdictStatus } from './check-context.js';
import { checkEvidence } from './evidence-check.js';

/** Kinds checked from local files and git: fast, side-effect free, fine on every recall. */
export const CHEAP_EVIDENCE_KINDS = ['file', 'symbol', 'package', 'git', 'env'] as const satisfies readonly EvidenceKind[];
/** Kinds that run programs or reach the network: only when allowed, and only for trusted topics. */
export const EXPENSIVE_EVIDENCE_KINDS = ['command', 'http'] as const satisfies readonly EvidenceKind[];

/** The detail of an item the time budget ran out on. */
export const NOT_CHECKED_IN_BUDGET = 'not checked within the time budget';

export interface TopicCheckOptions {
  /** Time for all the topic's checks; the call returns within it plus a few milliseconds. */
  budgetMs: number;
  /** Check only these kinds (e.g. CHEAP_EVIDENCE_KINDS on recall); the others are `skipped`. */
  kinds?: readonly EvidenceKind[];
  /** Checks running at once. Default 4. */
  concurrency?: number;
}

export interface TopicVerdict {
  /** contradicted if any item is; confirmed if every checked item is (and there is one); else unverifiable. */
  status: VerdictStatus;
  /** One verdict per checked item, in the order of the evidence. */
  verdicts: EvidenceVerdict[];
  /** Items of kinds not asked for; they do not count toward the status. */
  skipped: Evidence[];
  counts: Record<VerdictStatus, number>;
  /** When the checks started (ISO seconds): the `verified` time when the status is confirmed. */
  checkedAt: string;
  durationMs: number;
}

/** The overall status of a set of verdicts. */
export function overallStatus(verdicts: readonly EvidenceVerdict[]): VerdictStatus {
  if (verdicts.some((verdict) => verdict.status === 'contradicted')) return 'contradicted';
  if (verdicts.length > 0 && verdicts.every((verdict) => verdict.status === 'confirmed')) return 'confirmed';
  return 'unverifiable';
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/**
 * Check a topic's evidence within a time budget. Items still running when the budget is spent
 * are `unverifiable: not checked within the time budget`, and the call returns then even if a
 * checker hangs (running checks are told to stop through an AbortSignal; commands never get a
 * timeout longer than the budget). Never throws.
 */
export async function checkTopic(evidence: readonly Evidence[], context: CheckContext, options: TopicCheckOptions): Promise<TopicVerdict> {
  const startedAt = context.clock.now();
  const kinds = options.kinds ? new Set<string>(options.kinds) : undefined;
  const selected = evidence.filter((item) => !kinds || kinds.has(item.kind));
  const skipped = evidence.filter((item) => kinds !== undefined && !kinds.has(item.kind));
  const budgetMs = Math.max(1, options.budgetMs);
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(context.signal?.reason);
  if (context.signal?.aborted) forwardAbort();
  context.signal?.addEventListener('abort', forwardAbort, { once: true });
  const itemContext: CheckContext = {
    ...context,
    signal: controller.signal,
    commandTimeoutMs: Math.max(1, Math.min(context.commandTimeoutMs, budgetMs)),
  };

  const results: (EvidenceVerdict | undefined)[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      closed = true;
      controller.abort(new Error(NOT_CHECKED_IN_BUDGET));
      resolve();
    }, budgetMs);
  });
  const work = runPool(selected, options.concurrency ?? 4, async (item, index) => {
    if (closed) return;
    const verdict = await checkEvidence(item, itemContext);
    if (!closed) results[index] = verdict;
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    closed = true;
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', forwardAbort);
    controller.abort(new Error(NOT_CHECKED_IN_BUDGET));
  }
  const elapsed = Math.max(0, context.clock.now().getTime() - startedAt.getTime());
  const verdicts = selected.map(
    (item, index): EvidenceVerdict =>
      results[index] ?? { evidence: item, status: 'unverifiable', detail: NOT_CHECKED_IN_BUDGET, durationMs: elapsed },
  );
  const counts: Record<VerdictStatus, number> = { confirmed: 0, contradicted: 0, unverifiable: 0 };
  for (const verdict of verdicts) counts[verdict.status] += 1;
  return { status: overallStatus(verdicts), verdicts, skipped, counts, checkedAt: isoSeconds(startedAt), durationMs: elapsed };
}
