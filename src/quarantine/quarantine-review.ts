import { MnemoError } from '../shared/index.js';
import { recordGuardEvent, type MemoryWriter, type WriteResult, type QuarantineItem, type WriteGuard } from '../discipline/index.js';

export interface ApproveResult {
  item: QuarantineItem;
  written: WriteResult;
  /** What the guard still finds in it (the person vouched for it anyway). */
  warnings: string[];
}

async function heldItem(guard: WriteGuard, id: string): Promise<QuarantineItem> {
  const item = await guard.quarantine.get(id);
  if (item.status !== 'held') {
    throw new MnemoError(
      'invalid-input',
      `${id} was already ${item.status}${item.decided ? ` by ${item.decided.by} at ${item.decided.time}` : ''}.`,
      { hint: 'See `mnemo quarantine list`.' },
    );
  }
  return item;
}

/**
 * A person approves a held write: the guard runs again with the person as voucher (secrets are
 * redacted again; findings are reported, not blocking), then the topic is written through the
 * writer, and the item moves to `quarantine/approved/`.
 */
export async function approveQuarantined(
  dependencies: { guard: WriteGuard; writer: MemoryWriter; root: string; now: () => string },
  id: string,
  by = 'user',
): Promise<ApproveResult> {
  const { guard, writer } = dependencies;
  writer.assertWritable(`approve ${id}`);
  const item = await heldItem(guard, id);
  const { candidate } = item;
  const guarded = await guard.inspect(
    {
      name: candidate.name,
      description: candidate.description,
      type: candidate.type,
      body: candidate.body,
      tags: candidate.tags ?? [],
      evidence: candidate.evidence ?? [],
      source: {
        kind: candidate.source.kind,
        origin: candidate.source.origin,
        session: candidate.source.session,
        task: candidate.source.task,
        vouchedBy: by,
      },
    },
    'approval',
  );
  if (!guarded.ok) {
    throw new MnemoError('check-failed', `The guard still holds ${id}: ${guarded.item.reasons.join('; ')}.`, {
      hint: 'Reject it, or write the fact yourself with `mnemo remember`.',
    });
  }
  const written = await writer.remember({
    name: guarded.candidate.name,
    description: guarded.candidate.description,
    type: guarded.candidate.type,
    body: guarded.candidate.body,
    tags: guarded.candidate.tags ?? [],
    evidence: guarded.candidate.evidence ?? [],
    source: guarded.candidate.source,
    actor: by,
  });
  const decided = await guard.quarantine.decide(item, 'approved', by);
  await recordGuardEvent(dependencies.root, { time: dependencies.now(), action: 'approved', where: 'quarantine', count: 1 });
  return { item: decided, written, warnings: guarded.warnings };
}

/** A person rejects a held write: it never reaches memory; the item is kept in `quarantine/rejected/`. */
export async function rejectQuarantined(
  dependencies: { guard: WriteGuard; root: string; now: () => string },
  id: string,
  by = 'user',
  note?: string,
): Promise<QuarantineItem> {
  const item = await heldItem(dependencies.guard, id);
  const decided = await dependencies.guard.quarantine.decide(item, 'rejected', by, note);
  await recordGuardEvent(dependencies.root, { time: dependencies.now(), action: 'rejected', where: 'quarantine', count: 1 });
  return decided;
}
